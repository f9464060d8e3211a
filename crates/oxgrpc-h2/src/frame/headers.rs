//! HEADERS and CONTINUATION frames (RFC 9113 §6.2, §6.10).

use super::{FrameError, FrameHead, Kind, StreamId, flags, strip_padding};
use crate::Reason;
use bytes::{Buf, Bytes, BytesMut};

/// A HEADERS frame: the first fragment of a field block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers {
    /// The stream (never 0).
    pub stream_id: StreamId,
    /// The field block fragment, with padding and priority fields removed.
    pub fragment: Bytes,
    /// END_STREAM flag.
    pub end_stream: bool,
    /// END_HEADERS flag: no CONTINUATION follows.
    pub end_headers: bool,
}

impl Headers {
    pub(super) fn decode(head: FrameHead, mut payload: Bytes) -> Result<Headers, FrameError> {
        if head.stream_id == 0 {
            return Err(FrameError::Connection(Reason::PROTOCOL_ERROR));
        }
        if head.has(flags::PADDED) {
            strip_padding(&mut payload)?;
        }
        if head.has(flags::PRIORITY) {
            if payload.len() < 5 {
                return Err(FrameError::Connection(Reason::FRAME_SIZE_ERROR));
            }
            let dependency = payload.get_u32() & 0x7fff_ffff;
            payload.advance(1);
            if dependency == head.stream_id {
                return Err(FrameError::Stream(head.stream_id, Reason::PROTOCOL_ERROR));
            }
        }
        Ok(Headers {
            stream_id: head.stream_id,
            fragment: payload,
            end_stream: head.has(flags::END_STREAM),
            end_headers: head.has(flags::END_HEADERS),
        })
    }

    /// Encodes a whole field block as one HEADERS frame followed by as many
    /// CONTINUATION frames as `max_frame_size` requires.
    pub fn encode(
        stream_id: StreamId,
        block: &[u8],
        end_stream: bool,
        max_frame_size: usize,
        dst: &mut BytesMut,
    ) {
        let mut chunks = block.chunks(max_frame_size.max(1));
        let first = chunks.next().unwrap_or(&[]);
        let rest = block.len() - first.len();
        let mut flags = if end_stream { flags::END_STREAM } else { 0 };
        if rest == 0 {
            flags |= flags::END_HEADERS;
        }
        dst.reserve(block.len() + super::HEAD_LEN * (1 + rest.div_ceil(max_frame_size.max(1))));
        FrameHead { length: first.len() as u32, kind: Kind::HEADERS, flags, stream_id }.encode(dst);
        dst.extend_from_slice(first);
        let mut remaining = rest;
        for chunk in chunks {
            remaining -= chunk.len();
            let flags = if remaining == 0 { flags::END_HEADERS } else { 0 };
            FrameHead { length: chunk.len() as u32, kind: Kind::CONTINUATION, flags, stream_id }
                .encode(dst);
            dst.extend_from_slice(chunk);
        }
    }
}

/// A CONTINUATION frame: a further fragment of a field block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Continuation {
    /// The stream (never 0).
    pub stream_id: StreamId,
    /// The field block fragment.
    pub fragment: Bytes,
    /// END_HEADERS flag.
    pub end_headers: bool,
}

impl Continuation {
    pub(super) fn decode(head: FrameHead, payload: Bytes) -> Result<Continuation, FrameError> {
        if head.stream_id == 0 {
            return Err(FrameError::Connection(Reason::PROTOCOL_ERROR));
        }
        Ok(Continuation {
            stream_id: head.stream_id,
            fragment: payload,
            end_headers: head.has(flags::END_HEADERS),
        })
    }
}
