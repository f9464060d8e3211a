//! An in-process transport: a server and its clients joined in memory,
//! with no socket, through the same HTTP/2 engine and driver.
//!
//! ```no_run
//! # async fn run(service: impl oxgrpc::codegen::Service) -> Result<(), oxgrpc::Status> {
//! let (listener, connector) = oxgrpc::transport::in_process();
//! tokio::spawn(
//!     oxgrpc::Server::builder()
//!         .add_service(service)
//!         .serve_incoming(listener, std::future::pending(), std::time::Duration::ZERO),
//! );
//! let channel = oxgrpc::Channel::builder("http://in-process:0")?.connector(connector).connect().await?;
//! # Ok(()) }
//! ```

use super::io::{BoxIo, Connect, Listener};
use super::peer::Peer;
use crate::rt::BoxFuture;
use std::io;
use std::task::{Context, Poll};
use tokio::io::DuplexStream;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// Bytes buffered in each direction of an in-process connection.
const PIPE_BUFFER: usize = 256 * 1024;

/// A new in-process transport: serve the listener, dial the connector.
pub fn in_process() -> (InProcessListener, InProcessConnector) {
    let (tx, rx) = unbounded_channel();
    (InProcessListener(rx), InProcessConnector(tx))
}

/// The server side of [`in_process`]. Once every connector is gone it
/// accepts nothing more (the server runs on until its shutdown signal).
#[derive(Debug)]
pub struct InProcessListener(UnboundedReceiver<DuplexStream>);

/// The client side of [`in_process`]: each `connect` opens a new
/// connection to the listener. Cheap to clone.
#[derive(Debug, Clone)]
pub struct InProcessConnector(UnboundedSender<DuplexStream>);

impl Listener for InProcessListener {
    type Io = DuplexStream;

    fn poll_accept(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<(Self::Io, Peer)>> {
        match self.0.poll_recv(cx) {
            Poll::Ready(Some(io)) => Poll::Ready(Ok((io, Peer::default()))),
            Poll::Ready(None) | Poll::Pending => Poll::Pending,
        }
    }
}

impl Connect for InProcessConnector {
    fn connect(&self) -> BoxFuture<'static, io::Result<BoxIo>> {
        let (client, server) = tokio::io::duplex(PIPE_BUFFER);
        let sent = self.0.send(server);
        Box::pin(async move {
            match sent {
                Ok(()) => Ok(Box::new(client) as BoxIo),
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    "the in-process server is gone",
                )),
            }
        })
    }
}
