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
use std::sync::Arc;

use bytes::Bytes;
use oxgrpc_h2::Reason;

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
///
/// A status is one pointer wide, so `Result<T, Status>` stays small; the
/// code, message, details, metadata and the optional
/// [`source`](std::error::Error::source) live behind it. Equality compares
/// everything but the source.
#[derive(Clone)]
pub struct Status {
    inner: Box<Inner>,
}

#[derive(Clone)]
struct Inner {
    code: Code,
    message: String,
    details: Bytes,
    metadata: Metadata,
    /// The error that caused this status, e.g. the transport failure.
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl PartialEq for Status {
    fn eq(&self, other: &Status) -> bool {
        let (a, b) = (&*self.inner, &*other.inner);
        a.code == b.code
            && a.message == b.message
            && a.details == b.details
            && a.metadata == b.metadata
    }
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Status");
        s.field("code", &self.inner.code).field("message", &self.inner.message);
        if !self.inner.details.is_empty() {
            s.field("details", &self.inner.details);
        }
        if !self.inner.metadata.is_empty() {
            s.field("metadata", &self.inner.metadata);
        }
        if let Some(source) = &self.inner.source {
            s.field("source", source);
        }
        s.finish()
    }
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
        Status {
            inner: Box::new(Inner {
                code,
                message: message.into(),
                details: Bytes::new(),
                metadata: Metadata::new(),
                source: None,
            }),
        }
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
        self.inner.code
    }

    /// The developer-facing message (already percent-decoded).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The raw `grpc-status-details-bin` payload (base64-decoded); empty if none.
    ///
    /// Normally an encoded `google.rpc.Status`: see [`Status::error_details`].
    pub fn details(&self) -> &Bytes {
        &self.inner.details
    }

    /// The custom trailing metadata sent with the status.
    pub fn metadata(&self) -> &Metadata {
        &self.inner.metadata
    }

    /// The custom trailing metadata, to add entries to.
    pub fn metadata_mut(&mut self) -> &mut Metadata {
        &mut self.inner.metadata
    }

    /// Replaces the trailing metadata.
    pub fn with_metadata(mut self, metadata: Metadata) -> Status {
        self.inner.metadata = metadata;
        self
    }

    /// Replaces the raw details payload, sent as `grpc-status-details-bin`.
    pub fn with_raw_details(mut self, details: Bytes) -> Status {
        self.inner.details = details;
        self
    }

    /// Records the error that caused this status; it is not sent to the
    /// peer, and comes back from [`source`](std::error::Error::source).
    ///
    /// ```
    /// use std::error::Error;
    /// let status = oxgrpc::Status::unavailable("connection lost")
    ///     .with_source(std::io::Error::other("reset by peer"));
    /// assert_eq!(status.source().unwrap().to_string(), "reset by peer");
    /// ```
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Status {
        self.inner.source = Some(Arc::new(source));
        self
    }

    /// [`with_source`](Self::with_source), for an error already boxed.
    pub(crate) fn with_boxed_source(
        mut self,
        source: Box<dyn std::error::Error + Send + Sync>,
    ) -> Status {
        self.inner.source = Some(Arc::from(source));
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
    /// use oxgrpc_h2::Reason;
    /// assert_eq!(Status::from_h2_reason(Reason::CANCEL).code(), Code::Cancelled);
    /// assert_eq!(Status::from_h2_reason(Reason::REFUSED_STREAM).code(), Code::Unavailable);
    /// assert_eq!(Status::from_h2_reason(Reason::ENHANCE_YOUR_CALM).message(), "Bandwidth exhausted");
    /// ```
    pub fn from_h2_reason(reason: Reason) -> Status {
        match reason {
            Reason::REFUSED_STREAM => {
                Status::unavailable(format!("stream refused by peer ({reason})"))
            }
            Reason::CANCEL => Status::cancelled(format!("stream cancelled by peer ({reason})")),
            Reason::ENHANCE_YOUR_CALM => Status::resource_exhausted("Bandwidth exhausted"),
            Reason::INADEQUATE_SECURITY => Status::permission_denied(format!(
                "transport security requirements not met ({reason})"
            )),
            Reason::NO_ERROR
            | Reason::PROTOCOL_ERROR
            | Reason::INTERNAL_ERROR
            | Reason::FLOW_CONTROL_ERROR
            | Reason::SETTINGS_TIMEOUT
            | Reason::STREAM_CLOSED
            | Reason::FRAME_SIZE_ERROR
            | Reason::COMPRESSION_ERROR
            | Reason::CONNECT_ERROR
            | Reason::HTTP_1_1_REQUIRED => {
                Status::internal(format!("stream terminated by peer with {reason}"))
            }
            _ => Status::unknown(format!("stream terminated by peer with {reason}")),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.inner.message.is_empty() {
            write!(f, "{}", self.inner.code)
        } else {
            write!(f, "{}: {}", self.inner.code, self.inner.message)
        }
    }
}

impl std::error::Error for Status {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

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
        let from = |code: u32| Status::from_h2_reason(Reason::from(code));
        for reason in internal {
            assert_eq!(from(reason).code(), Code::Internal, "{reason}");
        }
        assert_eq!(from(0x7).code(), Code::Unavailable);
        assert_eq!(from(0x8).code(), Code::Cancelled);
        let calm = from(0xb);
        assert_eq!((calm.code(), calm.message()), (Code::ResourceExhausted, "Bandwidth exhausted"));
        assert_eq!(from(0xc).code(), Code::PermissionDenied);
        assert_eq!(from(0xe).code(), Code::Unknown);
        assert_eq!(from(u32::MAX).code(), Code::Unknown);
        assert!(from(0x1).message().contains("PROTOCOL_ERROR"));
    }

    #[test]
    fn a_status_is_one_pointer_and_keeps_its_source() {
        use std::error::Error;
        assert_eq!(std::mem::size_of::<Status>(), std::mem::size_of::<usize>());
        assert_eq!(std::mem::size_of::<Result<(), Status>>(), std::mem::size_of::<usize>());
        let status = Status::unavailable("gone").with_source(std::io::Error::other("eof"));
        assert_eq!(status.source().map(ToString::to_string).as_deref(), Some("eof"));
        assert_eq!(status, Status::unavailable("gone"));
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
