//! What the engine tells its user.

use super::error::ConnectionError;
use crate::frame::StreamId;
use crate::{Header, Reason};
use bytes::Bytes;

/// Something that happened on the connection, pulled with
/// [`Connection::poll_event`](crate::Connection::poll_event).
///
/// New kinds of events may be added: match with a wildcard arm.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The head of a message: a request (server role) or a final response
    /// (client role; informational 1xx responses are skipped). Validated.
    Headers {
        /// The stream.
        stream_id: StreamId,
        /// Pseudo-headers first, then regular fields, in wire order.
        fields: Vec<Header>,
        /// No body follows.
        end_stream: bool,
    },
    /// Body bytes. Each must be given back with
    /// [`release_capacity`](crate::Connection::release_capacity) once consumed.
    Data {
        /// The stream.
        stream_id: StreamId,
        /// The payload (may be empty when only `end_stream` is signalled).
        data: Bytes,
        /// This is the end of the peer's side of the stream.
        end_stream: bool,
    },
    /// Trailers, which end the peer's side of the stream.
    Trailers {
        /// The stream.
        stream_id: StreamId,
        /// The trailer fields.
        fields: Vec<Header>,
    },
    /// The stream was reset: by the peer (`remote`) or by the engine because
    /// the peer broke a rule on it. No further events for it follow.
    Reset {
        /// The stream.
        stream_id: StreamId,
        /// The RST_STREAM code.
        reason: Reason,
        /// Whether the peer sent it.
        remote: bool,
    },
    /// The peer sent GOAWAY: streams above `last_stream_id` that we opened
    /// were reset with REFUSED_STREAM (safe to retry); no new streams may be opened.
    GoAway {
        /// The last stream the peer may process.
        last_stream_id: StreamId,
        /// Its error code.
        reason: Reason,
        /// Its debug data.
        debug_data: Bytes,
    },
    /// The ack of a PING sent with [`Connection::ping`](crate::Connection::ping).
    /// Acks of the engine's keepalive PINGs and acks matching no PING we
    /// sent are not reported.
    PingAck {
        /// The echoed payload.
        payload: [u8; 8],
    },
    /// The connection failed; nothing more will happen on it. Every stream
    /// still open ends with it: no [`Event::Reset`] follows for them.
    Error(ConnectionError),
}
