//! HTTP/2 transport: oxgrpc's own engine driven over tokio sockets.
//!
//! gRPC runs on this layer, and it can serve and fetch plain HTTP/2 on its
//! own: over TCP, unix domain sockets, in memory ([`in_process`]) or any
//! byte stream ([`Listener`], [`Connect`]), in cleartext with prior
//! knowledge (h2c) or secured by a handshaker ([`ServerHandshaker`],
//! [`ClientHandshaker`]; TLS is [`tls`]).
//!
//! ```no_run
//! use oxgrpc::transport::{self, IncomingRequest};
//! use oxgrpc_h2::{Config, Header};
//!
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! transport::serve(listener, Config::default(), |mut req: IncomingRequest| async move {
//!     let _ = req.response.send_headers(vec![Header::new(":status", "200")], false);
//!     let _ = req.response.send_data(bytes::Bytes::from_static(b"hi\n"), true).await;
//! }, std::future::pending()).await
//! # }
//! ```

mod client;
mod driver;
mod error;
mod handlers;
mod handshake;
mod in_process;
mod io;
mod peer;
mod server;
mod shared;
mod stream;
#[cfg(feature = "tls")]
pub mod tls;
#[cfg(unix)]
mod unix;

pub use client::Client;
pub use error::StreamError;
pub use handshake::{ClientHandshaker, HandshakeError, Secured, ServerHandshaker};
pub use in_process::{InProcessConnector, InProcessListener, in_process};
pub use io::{BoxIo, Connect, Io, Listener};
pub use peer::{AuthInfo, Peer, UnixPeer};
pub(crate) use server::{Accept, DEFAULT_HANDSHAKE_TIMEOUT, serve_with};
pub use server::{serve, serve_connection};
pub use stream::{RecvStream, SendStream};
#[cfg(unix)]
pub(crate) use unix::UnixAddr;
#[cfg(target_os = "linux")]
pub use unix::bind_abstract;

use crate::rt::BoxFuture;
use bytes::Bytes;
use oxgrpc_h2::Header;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

/// An incoming request: its head, its body, and the way to respond.
pub struct IncomingRequest {
    /// The request head: pseudo-headers first, validated by the engine.
    pub head: Vec<Header>,
    /// The request body.
    pub body: RecvStream,
    /// Where the response goes.
    pub response: SendStream,
    /// The peer: its address and what the handshake proved.
    pub peer: Arc<Peer>,
}

impl IncomingRequest {
    /// The first value of a field (pseudo-headers included, e.g. `":path"`).
    pub fn field(&self, name: &str) -> Option<&Bytes> {
        self.head.iter().find(|h| h.name == name.as_bytes()).map(|h| &h.value)
    }

    /// The peer's address, on TCP.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.peer.remote_addr()
    }
}

/// What a server runs for each request. The returned future is polled by
/// the connection's own task; spawn inside it for CPU-heavy work.
///
/// Any `Fn(IncomingRequest) -> impl Future<Output = ()>` is a service.
pub trait Service: Send + Sync + 'static {
    /// Starts handling one request.
    fn call(&self, request: IncomingRequest) -> BoxFuture<'static, ()>;
}

impl<F, Fut> Service for F
where
    F: Fn(IncomingRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    fn call(&self, request: IncomingRequest) -> BoxFuture<'static, ()> {
        Box::pin(self(request))
    }
}

#[cfg(test)]
pub(crate) mod test_peer;
#[cfg(test)]
mod tests;
