//! The gRPC server: services, routing, serving and graceful shutdown.
//!
//! ```no_run
//! # mod pb { pub mod greeter_server {
//! #   pub struct GreeterServer;
//! # } }
//! # async fn run(service: impl oxgrpc::codegen::Service) -> std::io::Result<()> {
//! use oxgrpc::Server;
//! Server::builder()
//!     .add_service(service)
//!     .serve("127.0.0.1:50051".parse().unwrap())
//!     .await
//! # }
//! ```

mod call;
mod connection;
mod service;
mod sink;

pub use call::ServerCall;
pub use service::Service;
pub use sink::ResponseSink;

use crate::codec::{CompressionEncoding, DEFAULT_MAX_MESSAGE_SIZE};
use crate::interceptor::{Interceptor, Interceptors};
use crate::metadata::Metadata;
use crate::rt::BoxFuture;
use crate::status::Status;
use crate::transport::{self, Listener, ServerHandshaker};
use crate::wire::{Rejection, trailers_only};
use connection::ConnectionManagement;
use oxgrpc_h2::{Config, Header};
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Settings every call of a server shares.
pub(crate) struct ServerShared {
    pub(crate) interceptors: Interceptors,
    pub(crate) max_receive_message_size: usize,
    pub(crate) max_send_message_size: usize,
}

struct Entry {
    service: Arc<dyn Service>,
    compression: Option<CompressionEncoding>,
}

/// Entry point: `Server::builder()`.
#[derive(Debug)]
pub struct Server;

impl Server {
    /// Starts building a server.
    pub fn builder() -> ServerBuilder {
        ServerBuilder {
            services: HashMap::new(),
            interceptors: Vec::new(),
            max_receive_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            max_send_message_size: usize::MAX,
            http2: Config::default(),
            connections: ConnectionManagement::default(),
            max_connections: usize::MAX,
            handshaker: None,
            handshake_timeout: transport::DEFAULT_HANDSHAKE_TIMEOUT,
        }
    }
}

/// Collects services and settings, then serves.
pub struct ServerBuilder {
    services: HashMap<&'static str, Entry>,
    interceptors: Vec<Arc<dyn Interceptor>>,
    max_receive_message_size: usize,
    max_send_message_size: usize,
    http2: Config,
    connections: ConnectionManagement,
    max_connections: usize,
    handshaker: Option<Arc<dyn ServerHandshaker>>,
    handshake_timeout: Duration,
}

impl std::fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerBuilder").field("services", &self.services.keys()).finish()
    }
}

impl ServerBuilder {
    /// Adds a service (a generated `XxxServer`).
    pub fn add_service(self, service: impl Service) -> Self {
        self.add_service_with_compression(service, None)
    }

    /// Adds a service whose responses are compressed with `encoding` when
    /// the client accepts it (otherwise responses mirror the request's
    /// compression, if the client accepts that).
    pub fn add_service_with_compression(
        mut self,
        service: impl Service,
        encoding: Option<CompressionEncoding>,
    ) -> Self {
        let name = service.name();
        self.services.insert(name, Entry { service: Arc::new(service), compression: encoding });
        self
    }

    /// Adds an interceptor; they run in the order added.
    pub fn interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    /// The largest message accepted (default 4 MiB); larger ones end the
    /// call with RESOURCE_EXHAUSTED.
    pub fn max_receive_message_size(mut self, bytes: usize) -> Self {
        self.max_receive_message_size = bytes;
        self
    }

    /// The largest message sent (default unlimited).
    pub fn max_send_message_size(mut self, bytes: usize) -> Self {
        self.max_send_message_size = bytes;
        self
    }

    /// The keepalive enforcement policy of gRFC A8: a client that pings
    /// more often than every `min_ping_interval` (default 5 min), or at all
    /// while it has no call and `permit_without_calls` is false (the
    /// default), gets a strike; the third ends the connection with GOAWAY
    /// ENHANCE_YOUR_CALM `too_many_pings`, as grpc-go does. Responses the
    /// server sends forgive the strikes. `None` turns enforcement off.
    ///
    /// ```
    /// use std::time::Duration;
    /// let builder = oxgrpc::Server::builder()
    ///     .keepalive_enforcement(Some((Duration::from_secs(10), true)));
    /// ```
    pub fn keepalive_enforcement(mut self, policy: Option<(Duration, bool)>) -> Self {
        self.connections.ping_policy = policy.map(|(min_interval, permit_without_calls)| {
            oxgrpc_h2::PingPolicy { min_interval, permit_without_calls }
        });
        self
    }

    /// How many connections may be open at once (default: no limit). Past
    /// it the server stops accepting until one closes; new clients wait in
    /// the listen backlog rather than being refused.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// The largest request head accepted, as SETTINGS_MAX_HEADER_LIST_SIZE
    /// (default 16 KiB, grpc C-core's hard limit); a larger one gets HTTP 431.
    pub fn max_header_list_size(mut self, bytes: u32) -> Self {
        self.http2.max_header_list_size = bytes;
        self
    }

    /// How many calls one connection may have in flight (default 100).
    pub fn max_concurrent_streams(mut self, streams: u32) -> Self {
        self.http2.max_concurrent_streams = streams;
        self
    }

    /// All HTTP/2 settings and limits. Its keepalive, idle, age and grace
    /// fields are replaced by the connection-management settings below.
    pub fn http2_config(mut self, config: Config) -> Self {
        self.http2 = config;
        self
    }

    /// Sends a PING after this long without any frame from the client, and
    /// closes the connection if the client does not answer within
    /// [`keepalive_timeout`](Self::keepalive_timeout) (gRFC A8). Default two
    /// hours, as grpc-go; `None` turns it off.
    ///
    /// ```
    /// use std::time::Duration;
    /// let builder = oxgrpc::Server::builder()
    ///     .keepalive_time(Some(Duration::from_secs(60)))
    ///     .keepalive_timeout(Duration::from_secs(10))
    ///     .max_connection_idle(Some(Duration::from_secs(300)))
    ///     .max_connection_age(Some(Duration::from_secs(3600)))
    ///     .max_connection_age_grace(Some(Duration::from_secs(30)));
    /// ```
    pub fn keepalive_time(mut self, time: Option<Duration>) -> Self {
        self.connections.keepalive_time = time;
        self
    }

    /// How long a keepalive PING may go unanswered (default 20 s).
    pub fn keepalive_timeout(mut self, timeout: Duration) -> Self {
        self.connections.keepalive_timeout = timeout;
        self
    }

    /// A connection with no call for this long gets a graceful GOAWAY with
    /// debug data `max_idle` (gRFC A9). Default off.
    pub fn max_connection_idle(mut self, idle: Option<Duration>) -> Self {
        self.connections.max_idle = idle;
        self
    }

    /// A connection this old (±10%, per connection) gets a graceful GOAWAY
    /// with debug data `max_age`, so clients reconnect and load rebalances
    /// (gRFC A9). Default off.
    pub fn max_connection_age(mut self, age: Option<Duration>) -> Self {
        self.connections.max_age = age;
        self
    }

    /// How long calls may run on after a graceful GOAWAY of this server
    /// (age, idle or shutdown) before the connection is closed hard.
    /// Default: no limit.
    pub fn max_connection_age_grace(mut self, grace: Option<Duration>) -> Self {
        self.connections.max_age_grace = grace;
        self
    }

    /// Serves TLS (see [`ServerTlsConfig`](crate::transport::tls::ServerTlsConfig));
    /// fails if the certificates or keys are unusable. To reload them
    /// later, give a [`ServerTls`](crate::transport::tls::ServerTls) to
    /// [`handshaker`](Self::handshaker) instead.
    ///
    /// ```no_run
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use oxgrpc::transport::tls::{Identity, ServerTlsConfig};
    /// let identity = Identity::from_pem(std::fs::read("server.pem")?, std::fs::read("server.key")?)?;
    /// let builder = oxgrpc::Server::builder().tls(ServerTlsConfig::new(identity))?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "tls")]
    pub fn tls(
        self,
        config: crate::transport::tls::ServerTlsConfig,
    ) -> Result<Self, crate::transport::tls::TlsError> {
        Ok(self.handshaker(crate::transport::tls::ServerTls::new(config)?))
    }

    /// Secures every connection with `handshaker` before HTTP/2 starts
    /// (TLS, or any other protocol). Handshakes run in each connection's
    /// task, never on the accept loop.
    pub fn handshaker(mut self, handshaker: impl ServerHandshaker) -> Self {
        self.handshaker = Some(Arc::new(handshaker));
        self
    }

    /// A peer that has not finished its handshake after this long is
    /// dropped (default 10 s), so slow or stalled peers hold nothing up.
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// Serves on `addr` until the process ends.
    pub async fn serve(self, addr: SocketAddr) -> std::io::Result<()> {
        self.serve_with_shutdown(addr, std::future::pending(), Duration::MAX).await
    }

    /// Serves on `addr` until `signal` resolves, then shuts down gracefully:
    /// stops accepting, sends GOAWAY, lets in-flight calls finish for up to
    /// `grace`, then closes what is left.
    pub async fn serve_with_shutdown(
        self,
        addr: SocketAddr,
        signal: impl Future<Output = ()>,
        grace: Duration,
    ) -> std::io::Result<()> {
        let listener = TcpListener::bind(addr).await?;
        self.serve_listener(listener, signal, grace).await
    }

    /// Like [`serve_with_shutdown`](Self::serve_with_shutdown) on a bound listener.
    pub async fn serve_listener(
        self,
        listener: TcpListener,
        signal: impl Future<Output = ()>,
        grace: Duration,
    ) -> std::io::Result<()> {
        self.serve_incoming(listener, signal, grace).await
    }

    /// Like [`serve_with_shutdown`](Self::serve_with_shutdown) on any
    /// [`Listener`]: a unix socket, an [`in_process`](transport::in_process)
    /// listener, or connections of the application's own.
    ///
    /// ```no_run
    /// # async fn run(service: impl oxgrpc::codegen::Service) -> std::io::Result<()> {
    /// let listener = tokio::net::UnixListener::bind("/tmp/greeter.sock")?;
    /// oxgrpc::Server::builder()
    ///     .add_service(service)
    ///     .serve_incoming(listener, std::future::pending(), std::time::Duration::from_secs(5))
    ///     .await
    /// # }
    /// ```
    pub async fn serve_incoming(
        mut self,
        listener: impl Listener,
        signal: impl Future<Output = ()>,
        grace: Duration,
    ) -> std::io::Result<()> {
        let base = self.http2.clone();
        let connections = self.connections.clone();
        let mut accept =
            transport::Accept::new(move || connections.apply(&base, connection::jitter_unit()));
        accept.max_connections = self.max_connections;
        accept.handshaker = self.handshaker.take();
        accept.handshake_timeout = self.handshake_timeout;
        let router = self.into_router();
        let (fired_tx, fired_rx) = tokio::sync::oneshot::channel::<()>();
        let signal = async move {
            signal.await;
            let _ = fired_tx.send(());
        };
        let serve = transport::serve_with(listener, accept, router, signal);
        let grace_expired = async move {
            if fired_rx.await.is_err() {
                std::future::pending::<()>().await;
            }
            crate::rt::sleep_until_opt(crate::rt::now().checked_add(grace)).await;
        };
        tokio::select! {
            result = serve => result,
            () = grace_expired => Ok(()),
        }
    }

    fn into_router(self) -> Router {
        Router {
            services: self.services,
            shared: Arc::new(ServerShared {
                interceptors: Interceptors(self.interceptors),
                max_receive_message_size: self.max_receive_message_size,
                max_send_message_size: self.max_send_message_size,
            }),
        }
    }
}

/// Routes each request to its service by `:path` (`/package.Service/Method`).
struct Router {
    services: HashMap<&'static str, Entry>,
    shared: Arc<ServerShared>,
}

impl transport::Service for Router {
    fn call(&self, request: transport::IncomingRequest) -> BoxFuture<'static, ()> {
        let path = request
            .field(":path")
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default();
        let (service, method) = split_path(&path);
        let entry = self.services.get(service);
        let preferred = entry.and_then(|e| e.compression);
        let call = match ServerCall::new(request, &path, self.shared.clone(), preferred) {
            Ok(call) => call,
            Err((rejection, response)) => return Box::pin(reject(rejection, response)),
        };
        let Some(entry) = entry else {
            let status = Status::unimplemented(format!("unknown service {service}"));
            return Box::pin(reject(Rejection::Status(status), call.into_response()));
        };
        match entry.service.call(method, call) {
            Ok(handler) => handler,
            Err(call) => {
                let status =
                    Status::unimplemented(format!("unknown method {method} for service {service}"));
                Box::pin(reject(Rejection::Status(status), call.into_response()))
            }
        }
    }
}

fn split_path(path: &str) -> (&str, &str) {
    let path = path.strip_prefix('/').unwrap_or(path);
    path.split_once('/').unwrap_or((path, ""))
}

async fn reject(rejection: Rejection, mut response: transport::SendStream) {
    match rejection {
        Rejection::Http(code) => {
            let _ = response.send_headers(vec![Header::new(":status", code)], true);
        }
        Rejection::Status(status) => {
            let _ = response.send_trailers(trailers_only(&Metadata::new(), &status));
        }
    }
}

#[cfg(test)]
mod tests;
