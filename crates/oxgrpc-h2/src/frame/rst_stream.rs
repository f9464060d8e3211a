//! RST_STREAM frames (RFC 9113 §6.4).

use super::{FrameError, FrameHead, Kind, StreamId};
use crate::Reason;
use bytes::{BufMut, BytesMut};

/// A RST_STREAM frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RstStream {
    /// The stream being reset (never 0).
    pub stream_id: StreamId,
    /// Why.
    pub reason: Reason,
}

impl RstStream {
    pub(super) fn decode(head: FrameHead, payload: &[u8]) -> Result<RstStream, FrameError> {
        if head.stream_id == 0 {
            return Err(FrameError::Connection(Reason::PROTOCOL_ERROR));
        }
        let [a, b, c, d] = *payload else {
            return Err(FrameError::Connection(Reason::FRAME_SIZE_ERROR));
        };
        Ok(RstStream { stream_id: head.stream_id, reason: u32::from_be_bytes([a, b, c, d]).into() })
    }

    /// Appends the encoded frame to `dst`.
    pub fn encode(&self, dst: &mut BytesMut) {
        FrameHead { length: 4, kind: Kind::RST_STREAM, flags: 0, stream_id: self.stream_id }
            .encode(dst);
        dst.put_u32(self.reason.code());
    }
}
