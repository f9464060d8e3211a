//! The Greeter server: `SayHello(name)` answers `Hello {name}`; it also
//! serves health (`helloworld.Greeter` SERVING) and reflection.

use oxgrpc::{Request, Response, Server, ServerBuilder, Status};
use oxgrpc_examples::helloworld::greeter_server::{Greeter, GreeterServer};
use oxgrpc_examples::helloworld::{HelloReply, HelloRequest};
use oxgrpc_health::HealthReporter;
use oxgrpc_reflection::ServerBuilderExt as _;
use std::time::Duration;

struct MyGreeter;

impl Greeter for MyGreeter {
    async fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        let name = request.into_inner().name;
        Ok(Response::new(HelloReply { message: format!("Hello {name}") }))
    }
}

/// `OXGRPC_THREADS=N` sets the worker count (default: one per core); one
/// thread means a current-thread runtime unless `OXGRPC_RUNTIME=multi_thread`.
///
/// Connection management, in milliseconds (unset: the library default):
/// `OXGRPC_KEEPALIVE_TIME_MS`, `OXGRPC_KEEPALIVE_TIMEOUT_MS`,
/// `OXGRPC_MAX_CONNECTION_IDLE_MS`, `OXGRPC_MAX_CONNECTION_AGE_MS`,
/// `OXGRPC_MAX_CONNECTION_AGE_GRACE_MS`, `OXGRPC_MIN_PING_INTERVAL_MS`, and
/// `OXGRPC_PERMIT_PINGS_WITHOUT_CALLS=1`; `OXGRPC_FIXED_WINDOWS=1` turns the
/// BDP window growth off.
fn main() -> std::io::Result<()> {
    oxgrpc_examples::init_logging();
    let addr = oxgrpc_examples::addr_arg();
    let threads =
        std::env::var("OXGRPC_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(0usize);
    let multi = std::env::var("OXGRPC_RUNTIME").is_ok_and(|v| v == "multi_thread");
    let runtime = if threads == 1 && !multi {
        tokio::runtime::Builder::new_current_thread().enable_all().build()?
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        if threads >= 1 {
            builder.worker_threads(threads);
        }
        builder.enable_all().build()?
    };
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        eprintln!("listening on {}", listener.local_addr()?);
        let health = HealthReporter::new();
        health.set_serving("helloworld.Greeter");
        let reflection =
            oxgrpc_examples::reflection(oxgrpc_examples::helloworld::FILE_DESCRIPTOR_SET)?;
        connection_management(Server::builder())
            .add_service(GreeterServer::new(MyGreeter))
            .add_service(health.service())
            .add_reflection(reflection)
            .serve_listener(
                listener,
                health.shutdown_on(oxgrpc_examples::shutdown_signal()),
                Duration::from_secs(5),
            )
            .await
    })
}

fn env_ms(name: &str) -> Option<Duration> {
    std::env::var(name).ok()?.parse().ok().map(Duration::from_millis)
}

/// Applies the `OXGRPC_*` connection-management variables.
fn connection_management(mut builder: ServerBuilder) -> ServerBuilder {
    if std::env::var("OXGRPC_FIXED_WINDOWS").is_ok_and(|v| v == "1") {
        let fixed = oxgrpc_h2::Config { adaptive_window: false, ..oxgrpc_h2::Config::default() };
        builder = builder.http2_config(fixed);
    }
    if let Some(time) = env_ms("OXGRPC_KEEPALIVE_TIME_MS") {
        builder = builder.keepalive_time(Some(time));
    }
    if let Some(timeout) = env_ms("OXGRPC_KEEPALIVE_TIMEOUT_MS") {
        builder = builder.keepalive_timeout(timeout);
    }
    if let Some(idle) = env_ms("OXGRPC_MAX_CONNECTION_IDLE_MS") {
        builder = builder.max_connection_idle(Some(idle));
    }
    if let Some(age) = env_ms("OXGRPC_MAX_CONNECTION_AGE_MS") {
        builder = builder.max_connection_age(Some(age));
    }
    if let Some(grace) = env_ms("OXGRPC_MAX_CONNECTION_AGE_GRACE_MS") {
        builder = builder.max_connection_age_grace(Some(grace));
    }
    if let Some(interval) = env_ms("OXGRPC_MIN_PING_INTERVAL_MS") {
        let permit = std::env::var("OXGRPC_PERMIT_PINGS_WITHOUT_CALLS").is_ok_and(|v| v == "1");
        builder = builder.keepalive_enforcement(Some((interval, permit)));
    }
    builder
}
