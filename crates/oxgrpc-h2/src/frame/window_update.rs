//! WINDOW_UPDATE frames (RFC 9113 §6.9).

use super::{FrameError, FrameHead, Kind, StreamId};
use crate::Reason;
use bytes::{BufMut, BytesMut};

/// A WINDOW_UPDATE frame. An increment of 0 is reported by the
/// connection, not here, because its error kind depends on the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowUpdate {
    /// The stream, or 0 for the connection window.
    pub stream_id: StreamId,
    /// The window increment (31 bits).
    pub increment: u32,
}

impl WindowUpdate {
    pub(super) fn decode(head: FrameHead, payload: &[u8]) -> Result<WindowUpdate, FrameError> {
        let [a, b, c, d] = *payload else {
            return Err(FrameError::Connection(Reason::FRAME_SIZE_ERROR));
        };
        let increment = u32::from_be_bytes([a, b, c, d]) & 0x7fff_ffff;
        Ok(WindowUpdate { stream_id: head.stream_id, increment })
    }

    /// Appends the encoded frame to `dst`.
    pub fn encode(&self, dst: &mut BytesMut) {
        FrameHead { length: 4, kind: Kind::WINDOW_UPDATE, flags: 0, stream_id: self.stream_id }
            .encode(dst);
        dst.put_u32(self.increment);
    }
}
