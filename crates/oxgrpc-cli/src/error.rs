//! What can go wrong, how it is printed, and the exit status it gives.

use oxgrpc::{Code, Status};
use std::fmt;

/// An error that ends a command.
#[derive(Debug)]
pub(crate) enum CliError {
    /// The connection could not be made.
    Dial {
        /// The target as the user wrote it.
        target: String,
        /// Why, in words (`connection refused`, `context deadline exceeded`).
        cause: String,
    },
    /// A call ended with a status other than OK.
    Rpc(Status),
    /// A symbol, service or method the server (or the protos) do not have.
    NotFound {
        /// What kind of thing was asked for.
        what: Missing,
        /// Its name.
        name: String,
    },
    /// The server's reflection service failed or answered nonsense.
    Reflection(Status),
    /// Descriptors that do not form a valid set.
    Descriptors(prost_reflect::DescriptorError),
    /// `--proto` files that do not parse.
    Proto(Box<protox::Error>),
    /// Request JSON that does not match the request type.
    RequestData(serde_json::Error),
    /// The health check answered, and not with SERVING.
    Unhealthy(oxgrpc_health::ServingStatus),
    /// An argument that makes no sense.
    Usage(String),
    /// Reading input or writing output failed.
    Io(std::io::Error),
}

/// What a [`CliError::NotFound`] could not find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Missing {
    /// A symbol of any kind.
    Symbol,
    /// A service.
    Service,
    /// A method of this service.
    Method {
        /// The service's full name.
        service: String,
    },
    /// A file, by name (an import).
    File,
}

impl CliError {
    /// The process exit status for this error. A failed call exits with
    /// 64 + its code, as grpcurl does.
    pub(crate) fn exit_code(&self) -> i32 {
        match self {
            CliError::Rpc(status) => 64 + i32::from(status.code()),
            CliError::Usage(_) => 2,
            // grpc_health_probe's "unhealthy".
            CliError::Unhealthy(_) => 4,
            _ => 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Dial { target, cause } => {
                write!(f, "Failed to dial target host {target:?}: {cause}")
            }
            CliError::Rpc(status) => write!(
                f,
                "ERROR:\n  Code: {}\n  Message: {}",
                code_name(status.code()),
                status.message()
            ),
            CliError::NotFound { what: Missing::Symbol, name } => {
                write!(f, "Failed to resolve symbol {name:?}: Symbol not found: {name}")
            }
            CliError::NotFound { what: Missing::Service, name } => {
                write!(f, "target server does not expose service {name:?}")
            }
            CliError::NotFound { what: Missing::Method { service }, name } => {
                write!(f, "service {service:?} does not include a method named {name:?}")
            }
            CliError::NotFound { what: Missing::File, name } => {
                write!(f, "the server has no file named {name:?}")
            }
            CliError::Reflection(status) => write!(
                f,
                "server reflection failed: {}: {}",
                code_name(status.code()),
                status.message()
            ),
            CliError::Descriptors(e) => write!(f, "invalid descriptors: {e}"),
            CliError::Proto(e) => write!(f, "failed to parse proto files: {e}"),
            CliError::RequestData(e) => write!(f, "error parsing request data: {e}"),
            CliError::Unhealthy(status) => write!(f, "not serving: {}", status.as_str_name()),
            CliError::Usage(message) => f.write_str(message),
            CliError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CliError::Rpc(status) | CliError::Reflection(status) => Some(status),
            CliError::Descriptors(e) => Some(e),
            CliError::Proto(e) => Some(e),
            CliError::RequestData(e) => Some(e),
            CliError::Io(e) => Some(e),
            CliError::Dial { .. }
            | CliError::NotFound { .. }
            | CliError::Unhealthy(_)
            | CliError::Usage(_) => None,
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Io(e)
    }
}

impl From<prost_reflect::DescriptorError> for CliError {
    fn from(e: prost_reflect::DescriptorError) -> Self {
        CliError::Descriptors(e)
    }
}

/// A code as grpcurl (and grpc-go) spell it: `NotFound`, `Canceled`, ...
pub(crate) fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "Canceled",
        Code::Unknown => "Unknown",
        Code::InvalidArgument => "InvalidArgument",
        Code::DeadlineExceeded => "DeadlineExceeded",
        Code::NotFound => "NotFound",
        Code::AlreadyExists => "AlreadyExists",
        Code::PermissionDenied => "PermissionDenied",
        Code::ResourceExhausted => "ResourceExhausted",
        Code::FailedPrecondition => "FailedPrecondition",
        Code::Aborted => "Aborted",
        Code::OutOfRange => "OutOfRange",
        Code::Unimplemented => "Unimplemented",
        Code::Internal => "Internal",
        Code::Unavailable => "Unavailable",
        Code::DataLoss => "DataLoss",
        Code::Unauthenticated => "Unauthenticated",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_call_prints_as_grpcurl_does() {
        let err = CliError::Rpc(Status::not_found("book not found"));
        assert_eq!(err.to_string(), "ERROR:\n  Code: NotFound\n  Message: book not found");
        assert_eq!(err.exit_code(), 69);
    }

    #[test]
    fn a_refused_dial_prints_as_the_article_does() {
        let err =
            CliError::Dial { target: "localhost:50051".into(), cause: "connection refused".into() };
        assert_eq!(
            err.to_string(),
            r#"Failed to dial target host "localhost:50051": connection refused"#
        );
    }
}
