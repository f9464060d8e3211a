//! The outcome of a call: a gRPC status code, a message and optional details.
//!
//! [`Status`] is both what a handler returns on failure and what a client
//! receives from the `grpc-status`, `grpc-message` and
//! `grpc-status-details-bin` trailers. Typed error details
//! ([`ErrorDetail`]) ride in the details as an encoded `google.rpc.Status`.

mod code;
mod details;
pub(crate) mod percent;
mod trailers;

use std::fmt;

use bytes::Bytes;

pub use code::Code;
pub use details::ErrorDetail;

use crate::Metadata;

/// A gRPC status: code, message, raw details and trailing metadata.
///
/// ```
/// use oxgrpc::{Code, Status};
///
/// let status = Status::not_found("no such user");
/// assert_eq!(status.code(), Code::NotFound);
/// assert_eq!(status.message(), "no such user");
/// assert_eq!(status.to_string(), "NOT_FOUND: no such user");
///
/// let err: Box<dyn std::error::Error> = Box::new(Status::new(Code::Internal, "boom"));
/// assert_eq!(err.to_string(), "INTERNAL: boom");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    code: Code,
    message: String,
    details: Bytes,
    metadata: Metadata,
}

macro_rules! code_constructors {
    ($($(#[$doc:meta])* $name:ident => $code:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(message: impl Into<String>) -> Status {
                Status::new(Code::$code, message)
            }
        )*
    };
}

impl Status {
    /// A status with a code and message, no details and no metadata.
    pub fn new(code: Code, message: impl Into<String>) -> Status {
        Status { code, message: message.into(), details: Bytes::new(), metadata: Metadata::new() }
    }

    code_constructors! {
        /// A status with [`Code::Ok`].
        ok => Ok;
        /// A status with [`Code::Cancelled`].
        cancelled => Cancelled;
        /// A status with [`Code::Unknown`].
        unknown => Unknown;
        /// A status with [`Code::InvalidArgument`].
        invalid_argument => InvalidArgument;
        /// A status with [`Code::DeadlineExceeded`].
        deadline_exceeded => DeadlineExceeded;
        /// A status with [`Code::NotFound`].
        not_found => NotFound;
        /// A status with [`Code::AlreadyExists`].
        already_exists => AlreadyExists;
        /// A status with [`Code::PermissionDenied`].
        permission_denied => PermissionDenied;
        /// A status with [`Code::ResourceExhausted`].
        resource_exhausted => ResourceExhausted;
        /// A status with [`Code::FailedPrecondition`].
        failed_precondition => FailedPrecondition;
        /// A status with [`Code::Aborted`].
        aborted => Aborted;
        /// A status with [`Code::OutOfRange`].
        out_of_range => OutOfRange;
        /// A status with [`Code::Unimplemented`].
        unimplemented => Unimplemented;
        /// A status with [`Code::Internal`].
        internal => Internal;
        /// A status with [`Code::Unavailable`].
        unavailable => Unavailable;
        /// A status with [`Code::DataLoss`].
        data_loss => DataLoss;
        /// A status with [`Code::Unauthenticated`].
        unauthenticated => Unauthenticated;
    }

    /// The status code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The developer-facing message (already percent-decoded).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The raw `grpc-status-details-bin` payload (base64-decoded); empty if none.
    ///
    /// Normally an encoded `google.rpc.Status`: see [`Status::error_details`].
    pub fn details(&self) -> &Bytes {
        &self.details
    }

    /// The custom trailing metadata sent with the status.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The custom trailing metadata, to add entries to.
    pub fn metadata_mut(&mut self) -> &mut Metadata {
        &mut self.metadata
    }

    /// Replaces the trailing metadata.
    pub fn with_metadata(mut self, metadata: Metadata) -> Status {
        self.metadata = metadata;
        self
    }

    /// Replaces the raw details payload, sent as `grpc-status-details-bin`.
    pub fn with_raw_details(mut self, details: Bytes) -> Status {
        self.details = details;
        self
    }

    /// The status for an HTTP response without `grpc-status`, from its HTTP
    /// status code (gRPC's `http-grpc-status-mapping.md`).
    ///
    /// ```
    /// use oxgrpc::{Code, Status};
    /// assert_eq!(Status::from_http_status(404).code(), Code::Unimplemented);
    /// assert_eq!(Status::from_http_status(503).code(), Code::Unavailable);
    /// assert_eq!(Status::from_http_status(418).code(), Code::Unknown);
    /// ```
    pub fn from_http_status(http_status: u16) -> Status {
        let code = match http_status {
            400 => Code::Internal,
            401 => Code::Unauthenticated,
            403 => Code::PermissionDenied,
            404 => Code::Unimplemented,
            429 | 502 | 503 | 504 => Code::Unavailable,
            _ => Code::Unknown,
        };
        Status::new(
            code,
            format!("unexpected HTTP status code received from server: {http_status}"),
        )
    }

    /// The status for a stream reset by the peer with an HTTP/2 error code
    /// (RST_STREAM or GOAWAY), per gRPC's PROTOCOL-HTTP2.md.
    ///
    /// ```
    /// use oxgrpc::{Code, Status};
    /// assert_eq!(Status::from_h2_reason(0x8).code(), Code::Cancelled);
    /// assert_eq!(Status::from_h2_reason(0x7).code(), Code::Unavailable);
    /// assert_eq!(Status::from_h2_reason(0xb).message(), "Bandwidth exhausted");
    /// ```
    pub fn from_h2_reason(reason: u32) -> Status {
        let name = oxgrpc_h2::Reason::from(reason);
        match reason {
            0x7 => Status::unavailable(format!("stream refused by peer ({name})")),
            0x8 => Status::cancelled(format!("stream cancelled by peer ({name})")),
            0xb => Status::resource_exhausted("Bandwidth exhausted"),
            0xc => Status::permission_denied(format!(
                "transport security requirements not met ({name})"
            )),
            0x0..=0xd => Status::internal(format!("stream terminated by peer with {name}")),
            _ => Status::unknown(format!("stream terminated by peer with {name}")),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{}: {}", self.code, self.message)
        }
    }
}

impl std::error::Error for Status {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_set_the_code() {
        let cases = [
            (Status::ok(""), Code::Ok),
            (Status::cancelled(""), Code::Cancelled),
            (Status::unknown(""), Code::Unknown),
            (Status::invalid_argument(""), Code::InvalidArgument),
            (Status::deadline_exceeded(""), Code::DeadlineExceeded),
            (Status::not_found(""), Code::NotFound),
            (Status::already_exists(""), Code::AlreadyExists),
            (Status::permission_denied(""), Code::PermissionDenied),
            (Status::resource_exhausted(""), Code::ResourceExhausted),
            (Status::failed_precondition(""), Code::FailedPrecondition),
            (Status::aborted(""), Code::Aborted),
            (Status::out_of_range(""), Code::OutOfRange),
            (Status::unimplemented(""), Code::Unimplemented),
            (Status::internal(""), Code::Internal),
            (Status::unavailable(""), Code::Unavailable),
            (Status::data_loss(""), Code::DataLoss),
            (Status::unauthenticated(""), Code::Unauthenticated),
        ];
        for (status, code) in cases {
            assert_eq!(status.code(), code);
            assert!(status.details().is_empty());
            assert!(status.metadata().is_empty());
        }
    }

    #[test]
    fn display() {
        assert_eq!(Status::cancelled("").to_string(), "CANCELLED");
        assert_eq!(Status::aborted("retry").to_string(), "ABORTED: retry");
    }

    #[test]
    fn http_mapping() {
        let cases = [
            (400, Code::Internal),
            (401, Code::Unauthenticated),
            (403, Code::PermissionDenied),
            (404, Code::Unimplemented),
            (429, Code::Unavailable),
            (502, Code::Unavailable),
            (503, Code::Unavailable),
            (504, Code::Unavailable),
            (200, Code::Unknown),
            (500, Code::Unknown),
            (0, Code::Unknown),
        ];
        for (http, code) in cases {
            assert_eq!(Status::from_http_status(http).code(), code, "{http}");
        }
        assert!(Status::from_http_status(404).message().contains("404"));
    }

    #[test]
    fn h2_mapping() {
        let internal = [0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x9, 0xa, 0xd];
        for reason in internal {
            assert_eq!(Status::from_h2_reason(reason).code(), Code::Internal, "{reason}");
        }
        assert_eq!(Status::from_h2_reason(0x7).code(), Code::Unavailable);
        assert_eq!(Status::from_h2_reason(0x8).code(), Code::Cancelled);
        let calm = Status::from_h2_reason(0xb);
        assert_eq!((calm.code(), calm.message()), (Code::ResourceExhausted, "Bandwidth exhausted"));
        assert_eq!(Status::from_h2_reason(0xc).code(), Code::PermissionDenied);
        assert_eq!(Status::from_h2_reason(0xe).code(), Code::Unknown);
        assert_eq!(Status::from_h2_reason(u32::MAX).code(), Code::Unknown);
        assert!(Status::from_h2_reason(0x1).message().contains("PROTOCOL_ERROR"));
    }

    #[test]
    fn builders() {
        let mut md = Metadata::new();
        md.insert("x-a", "1").unwrap();
        let mut status = Status::internal("x")
            .with_metadata(md)
            .with_raw_details(Bytes::from_static(b"\x08\x0d"));
        status.metadata_mut().append("x-a", "2").unwrap();
        assert_eq!(status.metadata().len(), 2);
        assert_eq!(&status.details()[..], b"\x08\x0d");
    }
}
