//! The Greeter server: `SayHello(name)` answers `Hello {name}`.

use oxgrpc::{Request, Response, Server, Status};
use oxgrpc_examples::helloworld::greeter_server::{Greeter, GreeterServer};
use oxgrpc_examples::helloworld::{HelloReply, HelloRequest};
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
        Server::builder()
            .add_service(GreeterServer::new(MyGreeter))
            .serve_listener(listener, oxgrpc_examples::shutdown_signal(), Duration::from_secs(5))
            .await
    })
}
