//! HTTP/2 error codes (RFC 9113 §7).

use std::fmt;

/// An HTTP/2 error code, as carried by RST_STREAM and GOAWAY (RFC 9113 §7).
///
/// Unknown codes are preserved: "Unknown or unsupported error codes MUST NOT
/// trigger any special behavior" but they can still be reported to the user.
///
/// ```
/// use oxgrpc_h2::Reason;
/// assert_eq!(Reason::from(8), Reason::CANCEL);
/// assert_eq!(Reason::CANCEL.to_string(), "CANCEL");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reason(u32);

impl Reason {
    /// Graceful shutdown or no error.
    pub const NO_ERROR: Reason = Reason(0x0);
    /// A protocol error was detected.
    pub const PROTOCOL_ERROR: Reason = Reason(0x1);
    /// An implementation fault.
    pub const INTERNAL_ERROR: Reason = Reason(0x2);
    /// The peer violated flow control.
    pub const FLOW_CONTROL_ERROR: Reason = Reason(0x3);
    /// SETTINGS were not acknowledged in time.
    pub const SETTINGS_TIMEOUT: Reason = Reason(0x4);
    /// A frame was received on a half-closed (remote) or closed stream.
    pub const STREAM_CLOSED: Reason = Reason(0x5);
    /// A frame had an invalid size.
    pub const FRAME_SIZE_ERROR: Reason = Reason(0x6);
    /// The stream was refused before any application processing.
    pub const REFUSED_STREAM: Reason = Reason(0x7);
    /// The stream is no longer needed.
    pub const CANCEL: Reason = Reason(0x8);
    /// The HPACK compression context could not be maintained.
    pub const COMPRESSION_ERROR: Reason = Reason(0x9);
    /// A CONNECT request's connection was reset.
    pub const CONNECT_ERROR: Reason = Reason(0xa);
    /// The peer is generating excessive load.
    pub const ENHANCE_YOUR_CALM: Reason = Reason(0xb);
    /// Transport security requirements are not met.
    pub const INADEQUATE_SECURITY: Reason = Reason(0xc);
    /// HTTP/1.1 is required instead.
    pub const HTTP_1_1_REQUIRED: Reason = Reason(0xd);

    /// The numeric value of the code.
    pub const fn code(self) -> u32 {
        self.0
    }

    fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0x0 => "NO_ERROR",
            0x1 => "PROTOCOL_ERROR",
            0x2 => "INTERNAL_ERROR",
            0x3 => "FLOW_CONTROL_ERROR",
            0x4 => "SETTINGS_TIMEOUT",
            0x5 => "STREAM_CLOSED",
            0x6 => "FRAME_SIZE_ERROR",
            0x7 => "REFUSED_STREAM",
            0x8 => "CANCEL",
            0x9 => "COMPRESSION_ERROR",
            0xa => "CONNECT_ERROR",
            0xb => "ENHANCE_YOUR_CALM",
            0xc => "INADEQUATE_SECURITY",
            0xd => "HTTP_1_1_REQUIRED",
            _ => return None,
        })
    }
}

impl From<u32> for Reason {
    fn from(code: u32) -> Self {
        Reason(code)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "UNKNOWN(0x{:x})", self.0),
        }
    }
}

impl fmt::Debug for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
