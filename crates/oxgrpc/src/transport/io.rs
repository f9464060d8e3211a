//! The byte streams connections run on, and where they come from: a
//! [`Listener`] accepts them for a server, a [`Connect`] dials them for a
//! client. TCP and unix domain sockets are built in; anything that is
//! `AsyncRead + AsyncWrite` can be served ([`in_process`](super::in_process)
//! joins a server and a client in memory).
//!
//! Plaintext TCP connections run on the concrete `TcpStream`; only
//! secured or user-supplied connections are boxed as [`BoxIo`].

use super::peer::Peer;
use crate::rt::BoxFuture;
use std::io;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;

/// A connection's byte stream.
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// A boxed byte stream: what handshakers take and return.
pub type BoxIo = Box<dyn Io>;

/// A source of incoming connections for a server.
///
/// ```
/// use oxgrpc::transport::{Listener, Peer};
/// use std::task::{Context, Poll};
///
/// /// Connections handed over by some other part of the program.
/// struct Handed(tokio::sync::mpsc::Receiver<tokio::io::DuplexStream>);
///
/// impl Listener for Handed {
///     type Io = tokio::io::DuplexStream;
///     fn poll_accept(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<(Self::Io, Peer)>> {
///         self.0.poll_recv(cx).map(|io| match io {
///             Some(io) => Ok((io, Peer::default())),
///             None => Err(std::io::ErrorKind::NotConnected.into()),
///         })
///     }
/// }
/// ```
pub trait Listener: Send + 'static {
    /// The accepted connections' byte stream.
    type Io: Io;

    /// Accepts the next connection. An error of kind `ConnectionAborted`
    /// (and its kin) skips one connection; `EMFILE`-like errors pause
    /// accepting for a while; any other error stops the server.
    fn poll_accept(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<(Self::Io, Peer)>>;
}

impl Listener for TcpListener {
    type Io = tokio::net::TcpStream;

    fn poll_accept(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<(Self::Io, Peer)>> {
        TcpListener::poll_accept(self, cx).map_ok(|(tcp, addr)| {
            let _ = tcp.set_nodelay(true);
            (tcp, Peer::tcp(addr))
        })
    }
}

/// Dials a client's connections (see
/// [`ChannelBuilder::connector`](crate::ChannelBuilder::connector)).
///
/// ```
/// use oxgrpc::BoxFuture;
/// use oxgrpc::transport::{BoxIo, Connect};
///
/// struct Tcp(std::net::SocketAddr);
/// impl Connect for Tcp {
///     fn connect(&self) -> BoxFuture<'static, std::io::Result<BoxIo>> {
///         let addr = self.0;
///         Box::pin(async move {
///             let tcp = tokio::net::TcpStream::connect(addr).await?;
///             Ok(Box::new(tcp) as BoxIo)
///         })
///     }
/// }
/// ```
pub trait Connect: Send + Sync + 'static {
    /// Opens one new connection.
    fn connect(&self) -> BoxFuture<'static, io::Result<BoxIo>>;
}
