//! Errors the engine reports to its user.

use crate::Reason;
use bytes::Bytes;
use std::fmt;

/// Why a connection ended with an error.
///
/// New causes may be added: match with a wildcard arm.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionError {
    /// We detected a connection error and sent GOAWAY with this code.
    Local {
        /// The error code sent.
        reason: Reason,
        /// What went wrong, as sent in the GOAWAY debug data.
        detail: &'static str,
    },
    /// The peer sent GOAWAY with an error code.
    Remote {
        /// The error code received.
        reason: Reason,
        /// The peer's debug data.
        debug_data: Bytes,
    },
    /// Our SETTINGS were not acknowledged in time.
    SettingsTimeout,
}

impl ConnectionError {
    /// The HTTP/2 error code.
    pub fn reason(&self) -> Reason {
        match self {
            ConnectionError::Local { reason, .. } | ConnectionError::Remote { reason, .. } => {
                *reason
            }
            ConnectionError::SettingsTimeout => Reason::SETTINGS_TIMEOUT,
        }
    }
}

impl fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectionError::Local { reason, detail } => {
                write!(f, "connection error {reason}: {detail}")
            }
            ConnectionError::Remote { reason, debug_data } => {
                write!(f, "peer closed the connection with {reason}")?;
                if !debug_data.is_empty() {
                    write!(f, ": {}", String::from_utf8_lossy(debug_data))?;
                }
                Ok(())
            }
            ConnectionError::SettingsTimeout => f.write_str("peer did not acknowledge SETTINGS"),
        }
    }
}

impl std::error::Error for ConnectionError {}

/// Why the application could not send on a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// The stream is closed, reset or unknown.
    StreamClosed,
    /// The send side of the stream was already finished.
    AlreadyFinished,
    /// No more streams may be opened: GOAWAY was sent or received, or ids ran out.
    GoingAway,
    /// The peer's SETTINGS_MAX_CONCURRENT_STREAMS is reached; retry once a stream closes.
    ConcurrencyLimit,
    /// The connection has failed.
    ConnectionClosed,
    /// Only a client opens streams.
    NotAClient,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SendError::StreamClosed => "stream is closed",
            SendError::AlreadyFinished => "stream send side already finished",
            SendError::GoingAway => "connection is going away",
            SendError::ConcurrencyLimit => "peer's concurrent stream limit reached",
            SendError::ConnectionClosed => "connection is closed",
            SendError::NotAClient => "only clients open streams",
        })
    }
}

impl std::error::Error for SendError {}
