//! PRIORITY frames (RFC 9113 §6.3): parsed for validity, otherwise ignored.

use super::{FrameError, FrameHead, StreamId};
use crate::Reason;

/// A PRIORITY frame. RFC 9113 deprecates the priority scheme; the engine
/// checks the frame and ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Priority {
    /// The stream whose priority is signalled.
    pub stream_id: StreamId,
    /// The stream it depends on.
    pub dependency: StreamId,
}

impl Priority {
    pub(super) fn decode(head: FrameHead, payload: &[u8]) -> Result<Priority, FrameError> {
        if head.stream_id == 0 {
            return Err(FrameError::Connection(Reason::PROTOCOL_ERROR));
        }
        let [a, b, c, d, _weight] = *payload else {
            return Err(FrameError::Stream(head.stream_id, Reason::FRAME_SIZE_ERROR));
        };
        let dependency = u32::from_be_bytes([a, b, c, d]) & 0x7fff_ffff;
        if dependency == head.stream_id {
            return Err(FrameError::Stream(head.stream_id, Reason::PROTOCOL_ERROR));
        }
        Ok(Priority { stream_id: head.stream_id, dependency })
    }
}
