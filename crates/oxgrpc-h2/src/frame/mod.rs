//! HTTP/2 frames (RFC 9113 §4, §6): parsing from and encoding into bytes.
//!
//! Each frame type lives in its own file. Parsing takes the 9-octet header
//! plus the payload as [`Bytes`] so DATA payloads and header blocks are
//! sliced, never copied.

mod data;
mod go_away;
mod head;
mod headers;
mod ping;
mod priority;
mod rst_stream;
mod settings;
mod window_update;

pub use data::Data;
pub use go_away::GoAway;
pub use head::{FrameHead, HEAD_LEN, Kind, StreamId};
pub use headers::{Continuation, Headers};
pub use ping::Ping;
pub use priority::Priority;
pub use rst_stream::RstStream;
pub use settings::{Setting, Settings};
pub use window_update::WindowUpdate;

use crate::Reason;
use bytes::Bytes;

/// The largest flow-control window (RFC 9113 §6.9.1).
pub const MAX_WINDOW_SIZE: u32 = (1 << 31) - 1;
/// The largest stream identifier: ids are 31 bits (RFC 9113 §5.1.1).
pub const MAX_STREAM_ID: StreamId = (1 << 31) - 1;
/// The default and smallest allowed SETTINGS_MAX_FRAME_SIZE.
pub const DEFAULT_MAX_FRAME_SIZE: u32 = 1 << 14;
/// The largest allowed SETTINGS_MAX_FRAME_SIZE.
pub const MAX_MAX_FRAME_SIZE: u32 = (1 << 24) - 1;

/// Flag bits used by several frame types.
pub(crate) mod flags {
    pub(crate) const END_STREAM: u8 = 0x1;
    pub(crate) const ACK: u8 = 0x1;
    pub(crate) const END_HEADERS: u8 = 0x4;
    pub(crate) const PADDED: u8 = 0x8;
    pub(crate) const PRIORITY: u8 = 0x20;
}

/// A decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// DATA (type 0x0).
    Data(Data),
    /// HEADERS (type 0x1).
    Headers(Headers),
    /// PRIORITY (type 0x2): accepted and ignored.
    Priority(Priority),
    /// RST_STREAM (type 0x3).
    RstStream(RstStream),
    /// SETTINGS (type 0x4).
    Settings(Settings),
    /// PUSH_PROMISE (type 0x5): never valid here, as push is disabled.
    PushPromise {
        /// The stream the promise was sent on.
        stream_id: StreamId,
    },
    /// PING (type 0x6).
    Ping(Ping),
    /// GOAWAY (type 0x7).
    GoAway(GoAway),
    /// WINDOW_UPDATE (type 0x8).
    WindowUpdate(WindowUpdate),
    /// CONTINUATION (type 0x9).
    Continuation(Continuation),
    /// A frame of an unknown type, which must be ignored (RFC 9113 §4.1).
    Unknown {
        /// The frame type octet.
        kind: u8,
        /// The stream the frame was sent on.
        stream_id: StreamId,
    },
}

/// Why a frame could not be decoded: a connection error or an error of one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// The whole connection must be closed with this code.
    Connection(Reason),
    /// Only this stream must be reset with this code.
    Stream(StreamId, Reason),
}

impl Frame {
    /// Decodes one frame from its header and complete payload.
    ///
    /// `payload.len()` must equal `head.length`; the caller has already
    /// checked the length against the advertised SETTINGS_MAX_FRAME_SIZE.
    ///
    /// ```
    /// use oxgrpc_h2::frame::{Frame, FrameHead, Kind, Ping};
    /// let head = FrameHead { length: 8, kind: Kind::PING, flags: 0, stream_id: 0 };
    /// let frame = Frame::decode(head, bytes::Bytes::from_static(b"12345678")).unwrap();
    /// assert_eq!(frame, Frame::Ping(Ping { ack: false, payload: *b"12345678" }));
    /// ```
    pub fn decode(head: FrameHead, payload: Bytes) -> Result<Frame, FrameError> {
        debug_assert_eq!(head.length as usize, payload.len());
        Ok(match head.kind {
            Kind::DATA => Frame::Data(Data::decode(head, payload)?),
            Kind::HEADERS => Frame::Headers(Headers::decode(head, payload)?),
            Kind::PRIORITY => Frame::Priority(Priority::decode(head, &payload)?),
            Kind::RST_STREAM => Frame::RstStream(RstStream::decode(head, &payload)?),
            Kind::SETTINGS => Frame::Settings(Settings::decode(head, &payload)?),
            Kind::PUSH_PROMISE => Frame::PushPromise { stream_id: head.stream_id },
            Kind::PING => Frame::Ping(Ping::decode(head, &payload)?),
            Kind::GOAWAY => Frame::GoAway(GoAway::decode(head, payload)?),
            Kind::WINDOW_UPDATE => Frame::WindowUpdate(WindowUpdate::decode(head, &payload)?),
            Kind::CONTINUATION => Frame::Continuation(Continuation::decode(head, payload)?),
            Kind(kind) => Frame::Unknown { kind, stream_id: head.stream_id },
        })
    }
}

/// Strips padding (RFC 9113 §6.1) from a payload whose PADDED flag is set.
///
/// Returns the content without the pad-length octet and the padding. Padding
/// that covers the whole payload is a connection PROTOCOL_ERROR.
pub(crate) fn strip_padding(payload: &mut Bytes) -> Result<usize, FrameError> {
    let Some(&pad_len) = payload.first() else {
        return Err(FrameError::Connection(Reason::FRAME_SIZE_ERROR));
    };
    let pad_len = pad_len as usize;
    if pad_len >= payload.len() {
        return Err(FrameError::Connection(Reason::PROTOCOL_ERROR));
    }
    let end = payload.len() - pad_len;
    *payload = payload.slice(1..end);
    Ok(pad_len + 1)
}

#[cfg(test)]
mod tests;
