//! GOAWAY frames (RFC 9113 §6.8).

use super::{FrameError, FrameHead, Kind, StreamId};
use crate::Reason;
use bytes::{Buf, BufMut, Bytes, BytesMut};

/// A GOAWAY frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoAway {
    /// The highest peer-initiated stream the sender may have processed.
    pub last_stream_id: StreamId,
    /// Why the connection is going away.
    pub reason: Reason,
    /// Opaque diagnostic data.
    pub debug_data: Bytes,
}

impl GoAway {
    pub(super) fn decode(head: FrameHead, mut payload: Bytes) -> Result<GoAway, FrameError> {
        if head.stream_id != 0 {
            return Err(FrameError::Connection(Reason::PROTOCOL_ERROR));
        }
        if payload.len() < 8 {
            return Err(FrameError::Connection(Reason::FRAME_SIZE_ERROR));
        }
        let last_stream_id = payload.get_u32() & 0x7fff_ffff;
        let reason = payload.get_u32().into();
        Ok(GoAway { last_stream_id, reason, debug_data: payload })
    }

    /// Appends the encoded frame to `dst`.
    pub fn encode(&self, dst: &mut BytesMut) {
        let length = 8 + self.debug_data.len() as u32;
        FrameHead { length, kind: Kind::GOAWAY, flags: 0, stream_id: 0 }.encode(dst);
        dst.put_u32(self.last_stream_id);
        dst.put_u32(self.reason.code());
        dst.extend_from_slice(&self.debug_data);
    }
}
