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
    /// The peer sent nothing, not even the ack, within
    /// [`keepalive_timeout`](crate::Config::keepalive_timeout) of our
    /// keepalive PING. We sent GOAWAY(NO_ERROR).
    KeepAliveTimeout,
    /// Streams were still open when
    /// [`go_away_grace`](crate::Config::go_away_grace) ran out after our
    /// graceful GOAWAY; they are abandoned and nothing more is sent.
    GoAwayGraceExpired,
    /// The peer sent PINGs more often than
    /// [`ping_policy`](crate::Config::ping_policy) allows. We sent
    /// GOAWAY(ENHANCE_YOUR_CALM) with debug data `too_many_pings`.
    TooManyPings,
}

impl ConnectionError {
    /// The HTTP/2 error code: the one in the GOAWAY sent or received.
    /// `NO_ERROR` for the timeouts that are no protocol error
    /// ([`KeepAliveTimeout`](Self::KeepAliveTimeout),
    /// [`GoAwayGraceExpired`](Self::GoAwayGraceExpired)).
    pub fn reason(&self) -> Reason {
        match self {
            ConnectionError::Local { reason, .. } | ConnectionError::Remote { reason, .. } => {
                *reason
            }
            ConnectionError::SettingsTimeout => Reason::SETTINGS_TIMEOUT,
            ConnectionError::TooManyPings => Reason::ENHANCE_YOUR_CALM,
            ConnectionError::KeepAliveTimeout | ConnectionError::GoAwayGraceExpired => {
                Reason::NO_ERROR
            }
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
            ConnectionError::KeepAliveTimeout => {
                f.write_str("peer did not answer a keepalive PING in time")
            }
            ConnectionError::GoAwayGraceExpired => {
                f.write_str("streams still open when the GOAWAY grace period ended")
            }
            ConnectionError::TooManyPings => f.write_str("peer sent too many pings"),
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
