//! Typed error details carried in `grpc-status-details-bin`.

use bytes::Bytes;
use prost::{DecodeError, Message, Name};

use super::{Code, Status};
use crate::rpc::{self, Any};

/// One typed error detail: a known `google.rpc` message or any other [`Any`].
///
/// ```
/// use oxgrpc::rpc::{ErrorInfo, RequestInfo};
/// use oxgrpc::status::ErrorDetail;
/// use oxgrpc::{Code, Status};
///
/// let details = [
///     ErrorDetail::from(ErrorInfo { reason: "STOCKOUT".into(), ..Default::default() }),
///     ErrorDetail::from(RequestInfo { request_id: "r-1".into(), ..Default::default() }),
/// ];
/// let status = Status::with_details(Code::FailedPrecondition, "out of stock", &details);
/// assert_eq!(status.error_details().unwrap(), details);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ErrorDetail {
    /// `google.rpc.ErrorInfo`.
    ErrorInfo(rpc::ErrorInfo),
    /// `google.rpc.RetryInfo`.
    RetryInfo(rpc::RetryInfo),
    /// `google.rpc.DebugInfo`.
    DebugInfo(rpc::DebugInfo),
    /// `google.rpc.QuotaFailure`.
    QuotaFailure(rpc::QuotaFailure),
    /// `google.rpc.PreconditionFailure`.
    PreconditionFailure(rpc::PreconditionFailure),
    /// `google.rpc.BadRequest`.
    BadRequest(rpc::BadRequest),
    /// `google.rpc.RequestInfo`.
    RequestInfo(rpc::RequestInfo),
    /// `google.rpc.ResourceInfo`.
    ResourceInfo(rpc::ResourceInfo),
    /// `google.rpc.Help`.
    Help(rpc::Help),
    /// `google.rpc.LocalizedMessage`.
    LocalizedMessage(rpc::LocalizedMessage),
    /// A message of a type this crate does not know, kept as received.
    Unknown(Any),
}

/// The type name of a type URL: the part after the last `/`.
fn type_name(type_url: &str) -> &str {
    type_url.rsplit('/').next().unwrap_or(type_url)
}

fn pack<M: Message + Name>(msg: &M) -> Any {
    Any { type_url: M::type_url(), value: msg.encode_to_vec() }
}

impl ErrorDetail {
    /// Packs the detail into an [`Any`] with a `type.googleapis.com/` URL.
    pub fn to_any(&self) -> Any {
        match self {
            ErrorDetail::ErrorInfo(m) => pack(m),
            ErrorDetail::RetryInfo(m) => pack(m),
            ErrorDetail::DebugInfo(m) => pack(m),
            ErrorDetail::QuotaFailure(m) => pack(m),
            ErrorDetail::PreconditionFailure(m) => pack(m),
            ErrorDetail::BadRequest(m) => pack(m),
            ErrorDetail::RequestInfo(m) => pack(m),
            ErrorDetail::ResourceInfo(m) => pack(m),
            ErrorDetail::Help(m) => pack(m),
            ErrorDetail::LocalizedMessage(m) => pack(m),
            ErrorDetail::Unknown(any) => any.clone(),
        }
    }

    /// Unpacks an [`Any`]: known `google.rpc` types (matched on the type name
    /// after the URL's last `/`) are decoded, others are kept as
    /// [`ErrorDetail::Unknown`].
    ///
    /// Fails when a known type's payload does not decode.
    pub fn from_any(any: Any) -> Result<ErrorDetail, DecodeError> {
        let value = &any.value[..];
        let name = type_name(&any.type_url);
        let Some(short) = name.strip_prefix("google.rpc.") else {
            return Ok(ErrorDetail::Unknown(any));
        };
        Ok(match short {
            "ErrorInfo" => ErrorDetail::ErrorInfo(Message::decode(value)?),
            "RetryInfo" => ErrorDetail::RetryInfo(Message::decode(value)?),
            "DebugInfo" => ErrorDetail::DebugInfo(Message::decode(value)?),
            "QuotaFailure" => ErrorDetail::QuotaFailure(Message::decode(value)?),
            "PreconditionFailure" => ErrorDetail::PreconditionFailure(Message::decode(value)?),
            "BadRequest" => ErrorDetail::BadRequest(Message::decode(value)?),
            "RequestInfo" => ErrorDetail::RequestInfo(Message::decode(value)?),
            "ResourceInfo" => ErrorDetail::ResourceInfo(Message::decode(value)?),
            "Help" => ErrorDetail::Help(Message::decode(value)?),
            "LocalizedMessage" => ErrorDetail::LocalizedMessage(Message::decode(value)?),
            _ => ErrorDetail::Unknown(any),
        })
    }
}

macro_rules! detail_from {
    ($($variant:ident),* $(,)?) => {
        $(
            impl From<rpc::$variant> for ErrorDetail {
                fn from(msg: rpc::$variant) -> ErrorDetail {
                    ErrorDetail::$variant(msg)
                }
            }
        )*
    };
}

detail_from!(
    ErrorInfo,
    RetryInfo,
    DebugInfo,
    QuotaFailure,
    PreconditionFailure,
    BadRequest,
    RequestInfo,
    ResourceInfo,
    Help,
    LocalizedMessage,
);

impl From<Any> for ErrorDetail {
    /// Wraps the [`Any`] as [`ErrorDetail::Unknown`] without decoding it.
    fn from(any: Any) -> ErrorDetail {
        ErrorDetail::Unknown(any)
    }
}

impl Status {
    /// A status whose `grpc-status-details-bin` carries `details`, encoded as
    /// a `google.rpc.Status` with the same code and message.
    ///
    /// ```
    /// use oxgrpc::rpc::RetryInfo;
    /// use oxgrpc::status::ErrorDetail;
    /// use oxgrpc::{Code, Status};
    ///
    /// let retry = RetryInfo { retry_delay: Some(oxgrpc::rpc::Duration { seconds: 3, nanos: 0 }) };
    /// let status = Status::with_details(Code::Unavailable, "try later", &[retry.into()]);
    /// assert!(!status.details().is_empty());
    /// ```
    pub fn with_details(code: Code, message: impl Into<String>, details: &[ErrorDetail]) -> Status {
        let message = message.into();
        let proto = rpc::Status {
            code: code.as_i32(),
            message: message.clone(),
            details: details.iter().map(ErrorDetail::to_any).collect(),
        };
        Status::new(code, message).with_raw_details(Bytes::from(proto.encode_to_vec()))
    }

    /// The `google.rpc.Status` in the details, if there is one.
    ///
    /// Empty details decode as `Ok(None)`.
    pub fn rpc_status(&self) -> Result<Option<rpc::Status>, DecodeError> {
        if self.details().is_empty() {
            return Ok(None);
        }
        rpc::Status::decode(self.details().clone()).map(Some)
    }

    /// The typed error details; empty when the status carries none.
    ///
    /// Fails when the details are not a valid `google.rpc.Status`, or a known
    /// detail type does not decode.
    pub fn error_details(&self) -> Result<Vec<ErrorDetail>, DecodeError> {
        match self.rpc_status()? {
            None => Ok(Vec::new()),
            Some(proto) => proto.details.into_iter().map(ErrorDetail::from_any).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::{bad_request, help, precondition_failure, quota_failure};

    fn all_known() -> Vec<ErrorDetail> {
        let mut info =
            rpc::ErrorInfo { reason: "R".into(), domain: "d".into(), ..Default::default() };
        info.metadata.insert("k".into(), "v".into());
        vec![
            info.into(),
            rpc::RetryInfo { retry_delay: Some(rpc::Duration { seconds: 1, nanos: 5 }) }.into(),
            rpc::DebugInfo { stack_entries: vec!["a".into(), "b".into()], detail: "x".into() }
                .into(),
            rpc::QuotaFailure {
                violations: vec![quota_failure::Violation {
                    subject: "s".into(),
                    future_quota_value: Some(7),
                    ..Default::default()
                }],
            }
            .into(),
            rpc::PreconditionFailure {
                violations: vec![precondition_failure::Violation {
                    r#type: "TOS".into(),
                    ..Default::default()
                }],
            }
            .into(),
            rpc::BadRequest {
                field_violations: vec![bad_request::FieldViolation {
                    field: "f".into(),
                    localized_message: Some(rpc::LocalizedMessage {
                        locale: "en".into(),
                        message: "m".into(),
                    }),
                    ..Default::default()
                }],
            }
            .into(),
            rpc::RequestInfo { request_id: "id".into(), serving_data: String::new() }.into(),
            rpc::ResourceInfo { resource_type: "t".into(), ..Default::default() }.into(),
            rpc::Help {
                links: vec![help::Link { description: "d".into(), url: "https://x".into() }],
            }
            .into(),
            rpc::LocalizedMessage { locale: "fr".into(), message: "é".into() }.into(),
            Any { type_url: "type.googleapis.com/acme.Thing".into(), value: vec![1, 2, 3] }.into(),
        ]
    }

    #[test]
    fn every_known_detail_round_trips() {
        let details = all_known();
        let status = Status::with_details(Code::InvalidArgument, "bad", &details);
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(status.message(), "bad");
        assert_eq!(status.error_details().unwrap(), details);
        let proto = status.rpc_status().unwrap().unwrap();
        assert_eq!(proto.code, 3);
        assert_eq!(proto.message, "bad");
        assert_eq!(proto.details[0].type_url, "type.googleapis.com/google.rpc.ErrorInfo");
        assert_eq!(proto.details[8].type_url, "type.googleapis.com/google.rpc.Help");
    }

    #[test]
    fn no_details() {
        let status = Status::internal("x");
        assert_eq!(status.rpc_status().unwrap(), None);
        assert!(status.error_details().unwrap().is_empty());
        let empty = Status::with_details(Code::Internal, "x", &[]);
        assert!(empty.error_details().unwrap().is_empty());
    }

    #[test]
    fn other_type_url_hosts_are_accepted() {
        let any = Any {
            type_url: "example.com/google.rpc.RequestInfo".into(),
            value: rpc::RequestInfo { request_id: "q".into(), ..Default::default() }
                .encode_to_vec(),
        };
        match ErrorDetail::from_any(any).unwrap() {
            ErrorDetail::RequestInfo(info) => assert_eq!(info.request_id, "q"),
            other => panic!("unexpected {other:?}"),
        }
        let unknown = Any { type_url: "google.rpc.Future".into(), value: vec![] };
        assert_eq!(ErrorDetail::from_any(unknown.clone()).unwrap(), ErrorDetail::Unknown(unknown));
    }

    #[test]
    fn garbage_is_a_decode_error() {
        let status = Status::internal("x").with_raw_details(Bytes::from_static(&[0xff, 0xff]));
        assert!(status.error_details().is_err());
        let bad_known = Any {
            type_url: "type.googleapis.com/google.rpc.ErrorInfo".into(),
            value: vec![0x0a, 10],
        };
        assert!(ErrorDetail::from_any(bad_known).is_err());
    }
}
