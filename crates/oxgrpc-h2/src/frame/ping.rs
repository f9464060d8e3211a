//! PING frames (RFC 9113 §6.7).

use super::{FrameError, FrameHead, Kind, flags};
use crate::Reason;
use bytes::BytesMut;

/// A PING frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ping {
    /// ACK flag: this answers a ping.
    pub ack: bool,
    /// Opaque data, echoed in the answer.
    pub payload: [u8; 8],
}

impl Ping {
    pub(super) fn decode(head: FrameHead, payload: &[u8]) -> Result<Ping, FrameError> {
        if head.stream_id != 0 {
            return Err(FrameError::Connection(Reason::PROTOCOL_ERROR));
        }
        let payload: [u8; 8] =
            payload.try_into().map_err(|_| FrameError::Connection(Reason::FRAME_SIZE_ERROR))?;
        Ok(Ping { ack: head.has(flags::ACK), payload })
    }

    /// Appends the encoded frame to `dst`.
    pub fn encode(&self, dst: &mut BytesMut) {
        let flags = if self.ack { flags::ACK } else { 0 };
        FrameHead { length: 8, kind: Kind::PING, flags, stream_id: 0 }.encode(dst);
        dst.extend_from_slice(&self.payload);
    }
}
