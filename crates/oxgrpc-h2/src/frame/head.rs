//! The 9-octet frame header (RFC 9113 §4.1).

use bytes::{BufMut, BytesMut};

/// A stream identifier: 31 bits, 0 for the connection itself.
pub type StreamId = u32;

/// The length of a frame header.
pub const HEAD_LEN: usize = 9;

/// A frame type octet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind(pub u8);

impl Kind {
    /// DATA.
    pub const DATA: Kind = Kind(0x0);
    /// HEADERS.
    pub const HEADERS: Kind = Kind(0x1);
    /// PRIORITY.
    pub const PRIORITY: Kind = Kind(0x2);
    /// RST_STREAM.
    pub const RST_STREAM: Kind = Kind(0x3);
    /// SETTINGS.
    pub const SETTINGS: Kind = Kind(0x4);
    /// PUSH_PROMISE.
    pub const PUSH_PROMISE: Kind = Kind(0x5);
    /// PING.
    pub const PING: Kind = Kind(0x6);
    /// GOAWAY.
    pub const GOAWAY: Kind = Kind(0x7);
    /// WINDOW_UPDATE.
    pub const WINDOW_UPDATE: Kind = Kind(0x8);
    /// CONTINUATION.
    pub const CONTINUATION: Kind = Kind(0x9);
}

/// A decoded frame header.
///
/// ```
/// use oxgrpc_h2::frame::{FrameHead, Kind};
/// let head = FrameHead { length: 5, kind: Kind::DATA, flags: 1, stream_id: 3 };
/// let mut buf = bytes::BytesMut::new();
/// head.encode(&mut buf);
/// assert_eq!(FrameHead::parse(buf[..].try_into().unwrap()), head);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHead {
    /// Payload length (24 bits).
    pub length: u32,
    /// Frame type.
    pub kind: Kind,
    /// Flag bits.
    pub flags: u8,
    /// Stream identifier; the reserved high bit is ignored on receipt.
    pub stream_id: StreamId,
}

impl FrameHead {
    /// Parses a frame header.
    pub fn parse(buf: &[u8; HEAD_LEN]) -> FrameHead {
        FrameHead {
            length: u32::from_be_bytes([0, buf[0], buf[1], buf[2]]),
            kind: Kind(buf[3]),
            flags: buf[4],
            stream_id: u32::from_be_bytes([buf[5], buf[6], buf[7], buf[8]]) & 0x7fff_ffff,
        }
    }

    /// Appends the encoded header to `dst`.
    pub fn encode(&self, dst: &mut BytesMut) {
        debug_assert!(self.length < (1 << 24));
        let len = self.length.to_be_bytes();
        dst.put_slice(&[len[1], len[2], len[3], self.kind.0, self.flags]);
        dst.put_u32(self.stream_id & 0x7fff_ffff);
    }

    /// Whether `flag` is set.
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag == flag
    }
}
