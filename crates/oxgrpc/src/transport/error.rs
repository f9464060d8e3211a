//! Why a stream or its connection ended: typed kinds and causes, in the
//! manner of hyper's `Error` (an opaque value, asked with `is_*()`).

use oxgrpc_h2::{ConnectionError, Reason};
use std::fmt;
use std::sync::Arc;

/// How a connection ended, as its streams learn it.
#[derive(Clone, Debug)]
pub(crate) enum ConnectionEnd {
    /// Closed without an error: the peer closed the socket, or the
    /// connection finished after GOAWAY.
    Closed,
    /// An HTTP/2 connection error, detected by us or sent by the peer.
    Protocol(ConnectionError),
    /// Reading from or writing to the socket failed.
    Io(Arc<std::io::Error>),
}

impl From<std::io::Error> for ConnectionEnd {
    fn from(error: std::io::Error) -> Self {
        ConnectionEnd::Io(Arc::new(error))
    }
}

#[derive(Clone, Debug)]
enum Kind {
    Reset { reason: Reason, remote: bool },
    Connection(ConnectionEnd),
    NoResponse,
}

/// Why a stream operation failed.
///
/// Opaque: ask it with the `is_*` methods; [`source`](std::error::Error::source)
/// gives the underlying HTTP/2 or IO error when there is one.
///
/// ```no_run
/// # async fn demo(client: oxgrpc::transport::Client, head: Vec<oxgrpc_h2::Header>) {
/// let (_send, mut response) = client.send_request(head, true).unwrap();
/// match response.head().await {
///     Ok(_) => {}
///     Err(e) if e.is_reset() => println!("reset with {:?}", e.reset_reason()),
///     Err(e) if e.is_connection() => println!("connection lost: {e}"),
///     Err(e) => println!("{e}"),
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct StreamError {
    kind: Box<Kind>,
}

impl StreamError {
    pub(crate) fn reset(reason: Reason, remote: bool) -> StreamError {
        StreamError { kind: Box::new(Kind::Reset { reason, remote }) }
    }

    pub(crate) fn connection(end: ConnectionEnd) -> StreamError {
        StreamError { kind: Box::new(Kind::Connection(end)) }
    }

    pub(crate) fn closed() -> StreamError {
        StreamError::connection(ConnectionEnd::Closed)
    }

    pub(crate) fn no_response() -> StreamError {
        StreamError { kind: Box::new(Kind::NoResponse) }
    }

    /// The stream was reset (RST_STREAM), by the peer or by us.
    pub fn is_reset(&self) -> bool {
        matches!(*self.kind, Kind::Reset { .. })
    }

    /// The RST_STREAM code, if the stream was reset.
    pub fn reset_reason(&self) -> Option<Reason> {
        match *self.kind {
            Kind::Reset { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// The peer caused it: it reset the stream, or closed the connection
    /// with an error.
    pub fn is_remote(&self) -> bool {
        match &*self.kind {
            Kind::Reset { remote, .. } => *remote,
            Kind::Connection(ConnectionEnd::Protocol(e)) => {
                matches!(e, ConnectionError::Remote { .. })
            }
            _ => false,
        }
    }

    /// The connection is gone (closed, failed, or its socket broke).
    pub fn is_connection(&self) -> bool {
        matches!(*self.kind, Kind::Connection(_))
    }

    /// The connection closed without an error.
    pub fn is_closed(&self) -> bool {
        matches!(*self.kind, Kind::Connection(ConnectionEnd::Closed))
    }

    /// The socket failed.
    pub fn is_io(&self) -> bool {
        matches!(*self.kind, Kind::Connection(ConnectionEnd::Io(_)))
    }

    /// The HTTP/2 connection error that ended the stream, if that is what did.
    pub fn connection_error(&self) -> Option<&ConnectionError> {
        match &*self.kind {
            Kind::Connection(ConnectionEnd::Protocol(e)) => Some(e),
            _ => None,
        }
    }

    /// The stream ended before a response head arrived.
    pub fn is_no_response(&self) -> bool {
        matches!(*self.kind, Kind::NoResponse)
    }
}

impl fmt::Debug for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StreamError").field(&self.kind).finish()
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.kind {
            Kind::Reset { reason, remote: true } => write!(f, "stream reset by peer: {reason}"),
            Kind::Reset { reason, remote: false } => write!(f, "stream reset: {reason}"),
            Kind::Connection(ConnectionEnd::Closed) => f.write_str("connection closed"),
            Kind::Connection(ConnectionEnd::Protocol(e)) => write!(f, "connection error: {e}"),
            Kind::Connection(ConnectionEnd::Io(e)) => write!(f, "connection failed: {e}"),
            Kind::NoResponse => f.write_str("stream ended without a response"),
        }
    }
}

impl std::error::Error for StreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.kind {
            Kind::Connection(ConnectionEnd::Protocol(e)) => Some(e),
            Kind::Connection(ConnectionEnd::Io(e)) => Some(&**e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    #[test]
    fn kinds_and_causes() {
        let reset = StreamError::reset(Reason::CANCEL, true);
        assert!(reset.is_reset() && reset.is_remote() && !reset.is_connection());
        assert_eq!(reset.reset_reason(), Some(Reason::CANCEL));

        let io = StreamError::connection(std::io::Error::other("boom").into());
        assert!(io.is_connection() && io.is_io() && !io.is_closed());
        assert_eq!(io.source().map(ToString::to_string).as_deref(), Some("boom"));

        let goaway = StreamError::connection(ConnectionEnd::Protocol(ConnectionError::Remote {
            reason: Reason::ENHANCE_YOUR_CALM,
            debug_data: bytes::Bytes::from_static(b"too_many_pings"),
        }));
        assert!(goaway.is_remote());
        assert_eq!(
            goaway.connection_error().map(ConnectionError::reason),
            Some(Reason::ENHANCE_YOUR_CALM)
        );
        assert!(goaway.to_string().contains("too_many_pings"), "{goaway}");

        assert!(StreamError::closed().is_closed());
        assert!(StreamError::no_response().is_no_response());
        assert_eq!(std::mem::size_of::<StreamError>(), std::mem::size_of::<usize>());
    }
}
