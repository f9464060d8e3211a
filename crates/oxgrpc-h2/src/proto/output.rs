//! The queue of bytes waiting to be written to the socket.
//!
//! Invariants: frames are appended in the order they must reach the peer
//! (HPACK state depends on it); small frames and the headers of DATA frames
//! are packed into one contiguous buffer, while large DATA payloads are
//! queued as their own chunk so user data is never copied. The driver takes
//! all chunks at once and writes them with one vectored write.

use bytes::{Bytes, BytesMut};

/// Payloads up to this size are copied next to their frame header: cheaper
/// than an extra iovec.
const COPY_LIMIT: usize = 1024;

#[derive(Debug, Default)]
pub(crate) struct Output {
    chunks: Vec<Bytes>,
    buf: BytesMut,
    len: usize,
}

impl Output {
    /// The buffer to encode small frames into.
    pub(crate) fn buf(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    /// Appends a payload after a frame header that was written into `buf()`.
    pub(crate) fn push_payload(&mut self, payload: Bytes) {
        if payload.len() <= COPY_LIMIT {
            self.buf.extend_from_slice(&payload);
        } else {
            self.seal();
            self.len += payload.len();
            self.chunks.push(payload);
        }
    }

    fn seal(&mut self) {
        if !self.buf.is_empty() {
            self.len += self.buf.len();
            self.chunks.push(self.buf.split().freeze());
        }
    }

    /// Bytes waiting, copied or not.
    pub(crate) fn len(&self) -> usize {
        self.len + self.buf.len()
    }

    /// Moves everything waiting into `dst`, in order.
    pub(crate) fn take(&mut self, dst: &mut Vec<Bytes>) {
        self.seal();
        self.len = 0;
        dst.append(&mut self.chunks);
    }
}
