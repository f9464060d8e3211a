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
        what: &'static str,
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
    /// An argument that makes no sense.
    Usage(String),
    /// Reading input or writing output failed.
    Io(std::io::Error),
}

impl CliError {
    /// The process exit status for this error. A failed call exits with
    /// 64 + its code, as grpcurl does.
    pub(crate) fn exit_code(&self) -> i32 {
        match self {
            CliError::Rpc(status) => 64 + i32::from(status.code()),
            CliError::Usage(_) => 2,
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
            CliError::NotFound { what, name } => write!(f, "{what} not found: {name}"),
            CliError::Reflection(status) => write!(
                f,
                "server reflection failed: {}: {}",
                code_name(status.code()),
                status.message()
            ),
            CliError::Descriptors(e) => write!(f, "invalid descriptors: {e}"),
            CliError::Proto(e) => write!(f, "failed to parse proto files: {e}"),
            CliError::RequestData(e) => write!(f, "error parsing request data: {e}"),
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
            CliError::Dial { .. } | CliError::NotFound { .. } | CliError::Usage(_) => None,
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
        _ => "Unknown",
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
        let err = CliError::Dial { target: "localhost:50051".into(), cause: "connection refused".into() };
        assert_eq!(err.to_string(), r#"Failed to dial target host "localhost:50051": connection refused"#);
    }
}
