//! The canonical gRPC status codes (`grpc/doc/statuscodes.md`).

use std::fmt;

/// A gRPC status code, as carried in the `grpc-status` trailer.
///
/// Numbers that are not one of the 17 canonical codes map to
/// [`Code::Unknown`], as the gRPC specification requires.
///
/// ```
/// use oxgrpc::Code;
/// assert_eq!(Code::from_i32(5), Code::NotFound);
/// assert_eq!(Code::from_i32(99), Code::Unknown);
/// assert_eq!(Code::NotFound.as_i32(), 5);
/// assert_eq!(Code::NotFound.to_string(), "NOT_FOUND");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// Not an error; returned on success.
    Ok = 0,
    /// The operation was cancelled, typically by the caller.
    Cancelled = 1,
    /// Unknown error, or an error from another error space.
    Unknown = 2,
    /// The client specified an invalid argument.
    InvalidArgument = 3,
    /// The deadline expired before the operation could complete.
    DeadlineExceeded = 4,
    /// Some requested entity was not found.
    NotFound = 5,
    /// The entity that a client attempted to create already exists.
    AlreadyExists = 6,
    /// The caller does not have permission to execute the operation.
    PermissionDenied = 7,
    /// Some resource has been exhausted (quota, memory, message size, ...).
    ResourceExhausted = 8,
    /// The system is not in a state required for the operation's execution.
    FailedPrecondition = 9,
    /// The operation was aborted, typically due to a concurrency issue.
    Aborted = 10,
    /// The operation was attempted past the valid range.
    OutOfRange = 11,
    /// The operation is not implemented or not supported.
    Unimplemented = 12,
    /// An internal invariant was broken.
    Internal = 13,
    /// The service is currently unavailable; retrying may help.
    Unavailable = 14,
    /// Unrecoverable data loss or corruption.
    DataLoss = 15,
    /// The request does not have valid authentication credentials.
    Unauthenticated = 16,
}

impl Code {
    /// All codes, in numeric order.
    pub const ALL: [Code; 17] = [
        Code::Ok,
        Code::Cancelled,
        Code::Unknown,
        Code::InvalidArgument,
        Code::DeadlineExceeded,
        Code::NotFound,
        Code::AlreadyExists,
        Code::PermissionDenied,
        Code::ResourceExhausted,
        Code::FailedPrecondition,
        Code::Aborted,
        Code::OutOfRange,
        Code::Unimplemented,
        Code::Internal,
        Code::Unavailable,
        Code::DataLoss,
        Code::Unauthenticated,
    ];

    /// The code for a number; anything outside `0..=16` is [`Code::Unknown`].
    pub const fn from_i32(value: i32) -> Code {
        if value >= 0 && value < Code::ALL.len() as i32 {
            Code::ALL[value as usize]
        } else {
            Code::Unknown
        }
    }

    /// The code's number.
    pub const fn as_i32(self) -> i32 {
        self as i32
    }

    /// The canonical UPPER_SNAKE name, e.g. `"DEADLINE_EXCEEDED"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::Ok => "OK",
            Code::Cancelled => "CANCELLED",
            Code::Unknown => "UNKNOWN",
            Code::InvalidArgument => "INVALID_ARGUMENT",
            Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
            Code::NotFound => "NOT_FOUND",
            Code::AlreadyExists => "ALREADY_EXISTS",
            Code::PermissionDenied => "PERMISSION_DENIED",
            Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
            Code::FailedPrecondition => "FAILED_PRECONDITION",
            Code::Aborted => "ABORTED",
            Code::OutOfRange => "OUT_OF_RANGE",
            Code::Unimplemented => "UNIMPLEMENTED",
            Code::Internal => "INTERNAL",
            Code::Unavailable => "UNAVAILABLE",
            Code::DataLoss => "DATA_LOSS",
            Code::Unauthenticated => "UNAUTHENTICATED",
        }
    }

    /// The code carried by a `grpc-status` value: ASCII decimal digits only.
    ///
    /// Returns `None` when the value is not a number; a number that is not a
    /// known code is [`Code::Unknown`].
    pub(crate) fn from_header_value(value: &[u8]) -> Option<Code> {
        if value.is_empty() || value.len() > 10 || !value.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = value.iter().fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'));
        Some(i32::try_from(n).map_or(Code::Unknown, Code::from_i32))
    }
}

impl From<i32> for Code {
    fn from(value: i32) -> Code {
        Code::from_i32(value)
    }
}

impl From<Code> for i32 {
    fn from(code: Code) -> i32 {
        code.as_i32()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(code.as_i32(), i as i32);
            assert_eq!(Code::from_i32(i as i32), *code);
        }
    }

    #[test]
    fn unknown_numbers_are_unknown() {
        assert_eq!(Code::from_i32(-1), Code::Unknown);
        assert_eq!(Code::from_i32(17), Code::Unknown);
        assert_eq!(Code::from_i32(i32::MAX), Code::Unknown);
        assert_eq!(Code::from_i32(i32::MIN), Code::Unknown);
    }

    #[test]
    fn canonical_names() {
        assert_eq!(Code::Ok.to_string(), "OK");
        assert_eq!(Code::Cancelled.to_string(), "CANCELLED");
        assert_eq!(Code::FailedPrecondition.to_string(), "FAILED_PRECONDITION");
        assert_eq!(Code::Unauthenticated.to_string(), "UNAUTHENTICATED");
    }

    #[test]
    fn header_values() {
        assert_eq!(Code::from_header_value(b"0"), Some(Code::Ok));
        assert_eq!(Code::from_header_value(b"14"), Some(Code::Unavailable));
        assert_eq!(Code::from_header_value(b"014"), Some(Code::Unavailable));
        assert_eq!(Code::from_header_value(b"99"), Some(Code::Unknown));
        assert_eq!(Code::from_header_value(b"9999999999"), Some(Code::Unknown));
        assert_eq!(Code::from_header_value(b""), None);
        assert_eq!(Code::from_header_value(b"-1"), None);
        assert_eq!(Code::from_header_value(b"1 "), None);
        assert_eq!(Code::from_header_value(b"abc"), None);
        assert_eq!(Code::from_header_value(b"12345678901"), None);
    }
}
