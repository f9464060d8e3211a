//! Status for a transport-level stream failure (PROTOCOL-HTTP2 "Errors").

use crate::status::Status;
use crate::transport::StreamError;

/// The status a call ends with when its HTTP/2 stream fails.
pub(crate) fn status_from_stream_error(error: &StreamError) -> Status {
    match error {
        StreamError::Reset { reason, .. } => Status::from_h2_reason(reason.code()),
        StreamError::Connection(why) => Status::unavailable(format!("connection error: {why}")),
        StreamError::NoResponse => Status::internal("stream ended without a response"),
    }
}
