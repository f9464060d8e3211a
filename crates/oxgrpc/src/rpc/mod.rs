//! The `google.rpc` wire messages behind rich error details.
//!
//! These are hand-written [`prost::Message`] types whose field numbers follow
//! `google/rpc/status.proto` and `google/rpc/error_details.proto`. Most code
//! uses them through `oxgrpc::status::ErrorDetail` and
//! `oxgrpc::Status::with_details`, which build on this module; they are
//! public so that they can be built and inspected directly.
//!
//! ```
//! use oxgrpc::rpc::ErrorInfo;
//! use prost::Message;
//!
//! let info = ErrorInfo { reason: "QUOTA".into(), domain: "example.com".into(), ..Default::default() };
//! let bytes = info.encode_to_vec();
//! assert_eq!(ErrorInfo::decode(&bytes[..]).unwrap(), info);
//! ```

mod error_details;

pub use error_details::{
    BadRequest, DebugInfo, ErrorInfo, Help, LocalizedMessage, PreconditionFailure, QuotaFailure,
    RequestInfo, ResourceInfo, RetryInfo, bad_request, help, precondition_failure, quota_failure,
};
pub use prost_types::{Any, Duration};

/// The `type.googleapis.com/` prefix of the type URLs this crate writes.
pub const TYPE_URL_PREFIX: &str = "type.googleapis.com/";

/// Implements [`prost::Name`] for a `google.rpc` message, with the
/// `type.googleapis.com/` type URL.
macro_rules! google_rpc_name {
    ($ty:ty, $name:literal) => {
        impl ::prost::Name for $ty {
            const NAME: &'static str = $name;
            const PACKAGE: &'static str = "google.rpc";

            fn type_url() -> String {
                format!("{}google.rpc.{}", $crate::rpc::TYPE_URL_PREFIX, $name)
            }
        }
    };
}
pub(crate) use google_rpc_name;

/// `google.rpc.Status`: the payload of the `grpc-status-details-bin` trailer.
///
/// Its `code` and `message` repeat those of the call's status; `details`
/// holds the typed error details.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Status {
    /// The status code: a gRPC code number (`oxgrpc::Code::as_i32`).
    #[prost(int32, tag = "1")]
    pub code: i32,
    /// A developer-facing error message, in English.
    #[prost(string, tag = "2")]
    pub message: String,
    /// Messages that carry the error details.
    #[prost(message, repeated, tag = "3")]
    pub details: Vec<Any>,
}

google_rpc_name!(Status, "Status");

#[cfg(test)]
mod tests {
    use super::*;
    use prost::{Message, Name};

    #[test]
    fn status_wire_format() {
        let status = Status {
            code: 5,
            message: "hi".into(),
            details: vec![Any { type_url: "t".into(), value: vec![1] }],
        };
        let bytes = status.encode_to_vec();
        assert_eq!(bytes, [0x08, 5, 0x12, 2, b'h', b'i', 0x1a, 6, 0x0a, 1, b't', 0x12, 1, 1]);
        assert_eq!(Status::decode(&bytes[..]).unwrap(), status);
    }

    #[test]
    fn type_urls() {
        assert_eq!(Status::type_url(), "type.googleapis.com/google.rpc.Status");
        assert_eq!(Status::full_name(), "google.rpc.Status");
        assert_eq!(ErrorInfo::type_url(), "type.googleapis.com/google.rpc.ErrorInfo");
    }
}
