//! The status a call ends with when its HTTP/2 stream fails
//! (PROTOCOL-HTTP2.md, "Errors").

use crate::status::Status;
use crate::transport::StreamError;

/// The status for a failed stream; the stream error is kept as its source.
pub(crate) fn status_from_stream_error(error: &StreamError) -> Status {
    let status = if let Some(reason) = error.reset_reason() {
        Status::from_h2_reason(reason)
    } else if error.is_connection() {
        Status::unavailable(format!("connection error: {error}"))
    } else {
        Status::internal(error.to_string())
    };
    status.with_source(error.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;
    use crate::transport::StreamError;
    use oxgrpc_h2::Reason;
    use std::error::Error;

    #[test]
    fn resets_map_by_reason_and_connections_to_unavailable() {
        let cancelled = status_from_stream_error(&StreamError::reset(Reason::CANCEL, true));
        assert_eq!(cancelled.code(), Code::Cancelled);
        let lost = status_from_stream_error(&StreamError::closed());
        assert_eq!(lost.code(), Code::Unavailable);
        let source = lost.source().and_then(|e| e.downcast_ref::<StreamError>());
        assert!(source.is_some_and(StreamError::is_closed));
        let none = status_from_stream_error(&StreamError::no_response());
        assert_eq!(none.code(), Code::Internal);
    }
}
