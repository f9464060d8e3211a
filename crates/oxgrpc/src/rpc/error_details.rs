//! The standard error detail messages of `google/rpc/error_details.proto`.

use std::collections::HashMap;

use super::{Duration, google_rpc_name};

/// The reason for an error, with structured metadata about it.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ErrorInfo {
    /// The reason of the error: an UPPER_SNAKE_CASE constant, unique within `domain`.
    #[prost(string, tag = "1")]
    pub reason: String,
    /// The logical grouping `reason` belongs to, usually a service name.
    #[prost(string, tag = "2")]
    pub domain: String,
    /// Additional structured details about this error.
    #[prost(map = "string, string", tag = "3")]
    pub metadata: HashMap<String, String>,
}

/// When the client may retry a failed request.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RetryInfo {
    /// How long clients should wait before retrying.
    #[prost(message, optional, tag = "1")]
    pub retry_delay: Option<Duration>,
}

/// Debugging information about the server-side failure.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DebugInfo {
    /// The stack trace entries at the point of failure.
    #[prost(string, repeated, tag = "1")]
    pub stack_entries: Vec<String>,
    /// Additional debugging information.
    #[prost(string, tag = "2")]
    pub detail: String,
}

/// How a quota check failed.
#[derive(Clone, PartialEq, prost::Message)]
pub struct QuotaFailure {
    /// The quota violations.
    #[prost(message, repeated, tag = "1")]
    pub violations: Vec<quota_failure::Violation>,
}

/// Messages nested in [`QuotaFailure`].
pub mod quota_failure {
    use std::collections::HashMap;

    /// A single quota violation.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Violation {
        /// The subject on which the quota check failed, e.g. `"clientip:<ip>"`.
        #[prost(string, tag = "1")]
        pub subject: String,
        /// How the quota check failed, for a developer.
        #[prost(string, tag = "2")]
        pub description: String,
        /// The API service the quota belongs to.
        #[prost(string, tag = "3")]
        pub api_service: String,
        /// The metric of the violated quota.
        #[prost(string, tag = "4")]
        pub quota_metric: String,
        /// The id of the violated quota.
        #[prost(string, tag = "5")]
        pub quota_id: String,
        /// The dimensions of the violated quota.
        #[prost(map = "string, string", tag = "6")]
        pub quota_dimensions: HashMap<String, String>,
        /// The enforced quota value at the time of the failure.
        #[prost(int64, tag = "7")]
        pub quota_value: i64,
        /// The new quota value being rolled out, if a rollout is in progress.
        #[prost(int64, optional, tag = "8")]
        pub future_quota_value: Option<i64>,
    }

    super::google_rpc_name!(Violation, "QuotaFailure.Violation");
}

/// Which preconditions of the request failed.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PreconditionFailure {
    /// The precondition violations.
    #[prost(message, repeated, tag = "1")]
    pub violations: Vec<precondition_failure::Violation>,
}

/// Messages nested in [`PreconditionFailure`].
pub mod precondition_failure {
    /// A single precondition violation.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Violation {
        /// The type of the precondition, service specific, e.g. `"TOS"`.
        #[prost(string, tag = "1")]
        pub r#type: String,
        /// The subject, relative to the type, that failed.
        #[prost(string, tag = "2")]
        pub subject: String,
        /// How the precondition failed, for a developer.
        #[prost(string, tag = "3")]
        pub description: String,
    }

    super::google_rpc_name!(Violation, "PreconditionFailure.Violation");
}

/// Violations in a client request, e.g. invalid fields.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BadRequest {
    /// All violations in the client request.
    #[prost(message, repeated, tag = "1")]
    pub field_violations: Vec<bad_request::FieldViolation>,
}

/// Messages nested in [`BadRequest`].
pub mod bad_request {
    use super::LocalizedMessage;

    /// A single bad request field.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct FieldViolation {
        /// A path to the field in the request body, e.g. `"items[0].name"`.
        #[prost(string, tag = "1")]
        pub field: String,
        /// Why the field is bad, for a developer.
        #[prost(string, tag = "2")]
        pub description: String,
        /// The reason of the field-level error: an UPPER_SNAKE_CASE constant.
        #[prost(string, tag = "3")]
        pub reason: String,
        /// A localized error message for this field, safe to show to a user.
        #[prost(message, optional, tag = "4")]
        pub localized_message: Option<LocalizedMessage>,
    }

    super::google_rpc_name!(FieldViolation, "BadRequest.FieldViolation");
}

/// Metadata about the request, to give with a bug report.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RequestInfo {
    /// An opaque id of the request, for finding it in the server's logs.
    #[prost(string, tag = "1")]
    pub request_id: String,
    /// Any data that was used to serve this request, e.g. a stack trace.
    #[prost(string, tag = "2")]
    pub serving_data: String,
}

/// The resource that is being accessed.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ResourceInfo {
    /// The type of the resource, e.g. `"sql table"` or a type URL.
    #[prost(string, tag = "1")]
    pub resource_type: String,
    /// The name of the resource.
    #[prost(string, tag = "2")]
    pub resource_name: String,
    /// The owner of the resource (optional).
    #[prost(string, tag = "3")]
    pub owner: String,
    /// What error occurred on this resource.
    #[prost(string, tag = "4")]
    pub description: String,
}

/// Links to documentation for the failure.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Help {
    /// The URLs that point to additional information.
    #[prost(message, repeated, tag = "1")]
    pub links: Vec<help::Link>,
}

/// Messages nested in [`Help`].
pub mod help {
    /// A link to documentation or a how-to.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Link {
        /// What the link offers.
        #[prost(string, tag = "1")]
        pub description: String,
        /// The URL of the link.
        #[prost(string, tag = "2")]
        pub url: String,
    }

    super::google_rpc_name!(Link, "Help.Link");
}

/// A localized error message that is safe to return to the user.
#[derive(Clone, PartialEq, prost::Message)]
pub struct LocalizedMessage {
    /// The locale, as a BCP-47 tag, e.g. `"en-US"`.
    #[prost(string, tag = "1")]
    pub locale: String,
    /// The localized error message.
    #[prost(string, tag = "2")]
    pub message: String,
}

google_rpc_name!(ErrorInfo, "ErrorInfo");
google_rpc_name!(RetryInfo, "RetryInfo");
google_rpc_name!(DebugInfo, "DebugInfo");
google_rpc_name!(QuotaFailure, "QuotaFailure");
google_rpc_name!(PreconditionFailure, "PreconditionFailure");
google_rpc_name!(BadRequest, "BadRequest");
google_rpc_name!(RequestInfo, "RequestInfo");
google_rpc_name!(ResourceInfo, "ResourceInfo");
google_rpc_name!(Help, "Help");
google_rpc_name!(LocalizedMessage, "LocalizedMessage");

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn field_numbers_match_the_proto() {
        let v = quota_failure::Violation { future_quota_value: Some(0), ..Default::default() };
        // An explicitly set optional field is encoded even when zero: tag 8, varint.
        assert_eq!(v.encode_to_vec(), [0x40, 0]);
        let info = RequestInfo { request_id: "a".into(), serving_data: "b".into() };
        assert_eq!(info.encode_to_vec(), [0x0a, 1, b'a', 0x12, 1, b'b']);
        let fv = bad_request::FieldViolation {
            localized_message: Some(LocalizedMessage::default()),
            ..Default::default()
        };
        assert_eq!(fv.encode_to_vec(), [0x22, 0]);
        let retry = RetryInfo { retry_delay: Some(Duration { seconds: 1, nanos: 0 }) };
        assert_eq!(retry.encode_to_vec(), [0x0a, 2, 0x08, 1]);
    }

    #[test]
    fn maps_round_trip() {
        let mut info = ErrorInfo { reason: "R".into(), domain: "d".into(), ..Default::default() };
        info.metadata.insert("k".into(), "v".into());
        assert_eq!(ErrorInfo::decode(&info.encode_to_vec()[..]).unwrap(), info);
    }
}
