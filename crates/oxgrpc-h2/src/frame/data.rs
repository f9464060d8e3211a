//! DATA frames (RFC 9113 §6.1).

use super::{FrameError, FrameHead, Kind, StreamId, flags, strip_padding};
use crate::Reason;
use bytes::{Bytes, BytesMut};

/// A DATA frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Data {
    /// The stream this data belongs to (never 0).
    pub stream_id: StreamId,
    /// The payload without padding.
    pub data: Bytes,
    /// Whether this is the last frame the sender will send on the stream.
    pub end_stream: bool,
    /// The whole frame payload length, padding included: what flow control counts.
    pub flow_len: u32,
}

impl Data {
    pub(super) fn decode(head: FrameHead, mut payload: Bytes) -> Result<Data, FrameError> {
        if head.stream_id == 0 {
            return Err(FrameError::Connection(Reason::PROTOCOL_ERROR));
        }
        if head.has(flags::PADDED) {
            strip_padding(&mut payload)?;
        }
        Ok(Data {
            stream_id: head.stream_id,
            data: payload,
            end_stream: head.has(flags::END_STREAM),
            flow_len: head.length,
        })
    }

    /// Appends the frame header for a DATA frame of `len` payload bytes; the
    /// caller appends (or queues) the payload itself.
    pub fn encode_head(stream_id: StreamId, len: usize, end_stream: bool, dst: &mut BytesMut) {
        let flags = if end_stream { flags::END_STREAM } else { 0 };
        FrameHead { length: len as u32, kind: Kind::DATA, flags, stream_id }.encode(dst);
    }
}
