//! Unix domain sockets: a [`Listener`] for servers, with the peer's
//! credentials, and dialing for clients (`unix:path`, `unix:///abs/path`,
//! and on Linux `unix-abstract:name`).

use super::io::Listener;
use super::peer::{Peer, UnixPeer};
use std::io;
use std::task::{Context, Poll};
use tokio::net::{UnixListener, UnixStream};

impl Listener for UnixListener {
    type Io = UnixStream;

    fn poll_accept(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<(Self::Io, Peer)>> {
        UnixListener::poll_accept(self, cx).map_ok(|(stream, _)| {
            let peer = match stream.peer_cred() {
                Ok(cred) => {
                    Peer::unix(UnixPeer { uid: cred.uid(), gid: cred.gid(), pid: cred.pid() })
                }
                Err(_) => Peer::default(),
            };
            (stream, peer)
        })
    }
}

/// Binds a listener in the abstract namespace (Linux): a socket with a
/// name and no file, gone when the listener is.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let listener = oxgrpc::transport::bind_abstract("oxgrpc-demo")?;
/// # Ok(()) }
/// ```
#[cfg(target_os = "linux")]
pub fn bind_abstract(name: &str) -> io::Result<UnixListener> {
    use std::os::linux::net::SocketAddrExt;
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
    let listener = std::os::unix::net::UnixListener::bind_addr(&addr)?;
    listener.set_nonblocking(true)?;
    UnixListener::from_std(listener)
}

/// A unix-socket address a client dials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UnixAddr {
    /// A socket file.
    Path(String),
    /// A name in the abstract namespace.
    Abstract(String),
}

impl UnixAddr {
    pub(crate) async fn connect(&self) -> io::Result<UnixStream> {
        match self {
            UnixAddr::Path(path) => UnixStream::connect(path).await,
            UnixAddr::Abstract(name) => connect_abstract(name),
        }
    }
}

#[cfg(target_os = "linux")]
fn connect_abstract(name: &str) -> io::Result<UnixStream> {
    use std::os::linux::net::SocketAddrExt;
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
    let stream = std::os::unix::net::UnixStream::connect_addr(&addr)?;
    stream.set_nonblocking(true)?;
    UnixStream::from_std(stream)
}

#[cfg(not(target_os = "linux"))]
fn connect_abstract(_name: &str) -> io::Result<UnixStream> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "abstract unix sockets are Linux-only"))
}
