//! Reading length-prefixed messages from DATA frame payloads.

use std::collections::VecDeque;

use bytes::{Buf, Bytes, BytesMut};

use super::{CompressionEncoding, DEFAULT_MAX_MESSAGE_SIZE, HEADER_LEN, decompress};
use crate::Status;

/// Where the decoder is in the message stream.
#[derive(Clone, Debug)]
enum State {
    /// Waiting for the 5-byte prefix.
    Header,
    /// Waiting for `len` payload bytes.
    Body { compressed: bool, len: usize },
    /// A framing error happened; the stream cannot be read further.
    Failed(Status),
}

/// An incremental decoder for a stream of length-prefixed messages.
///
/// Feed it the payloads of DATA frames as they arrive with
/// [`push`](MessageDecoder::push), and take whole messages out with
/// [`next_message`](MessageDecoder::next_message). Frame boundaries need not
/// match message boundaries. A message that lies within one chunk is returned
/// as a slice of it, without copying; only messages that span chunks are
/// copied, once, into a buffer of their exact size.
///
/// A length prefix above the size limit fails at once, before any of the
/// announced payload is buffered; compressed messages are inflated up to
/// the limit only. After an error the decoder keeps returning that error.
///
/// ```
/// use bytes::Bytes;
/// use oxgrpc::codec::MessageDecoder;
///
/// let mut decoder = MessageDecoder::new(None);
/// decoder.push(Bytes::from_static(b"\x00\x00\x00\x00\x02hi\x00\x00"));
/// assert_eq!(decoder.next_message()?, Some(Bytes::from_static(b"hi")));
/// assert_eq!(decoder.next_message()?, None);
/// decoder.push(Bytes::from_static(b"\x00\x00\x01!"));
/// assert_eq!(decoder.next_message()?, Some(Bytes::from_static(b"!")));
/// decoder.finish()?;
/// # Ok::<(), oxgrpc::Status>(())
/// ```
#[derive(Clone, Debug)]
pub struct MessageDecoder {
    chunks: VecDeque<Bytes>,
    buffered: usize,
    state: State,
    encoding: Option<CompressionEncoding>,
    max_message_size: usize,
    last_compressed: bool,
}

impl MessageDecoder {
    /// A decoder for a stream whose `grpc-encoding` is `encoding` (`None` for
    /// identity), with the default 4 MiB message size limit.
    pub fn new(encoding: Option<CompressionEncoding>) -> MessageDecoder {
        MessageDecoder {
            chunks: VecDeque::new(),
            buffered: 0,
            state: State::Header,
            encoding,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            last_compressed: false,
        }
    }

    /// Sets the largest message accepted, both as sent and after
    /// decompression.
    pub fn with_max_message_size(mut self, max: usize) -> MessageDecoder {
        self.max_message_size = max;
        self
    }

    /// The largest message accepted.
    pub fn max_message_size(&self) -> usize {
        self.max_message_size
    }

    /// The stream's message encoding.
    pub fn encoding(&self) -> Option<CompressionEncoding> {
        self.encoding
    }

    /// Whether the message last returned by
    /// [`next_message`](MessageDecoder::next_message) was compressed on the
    /// wire (its prefix's flag was 1). The flag is per message: a stream with
    /// an encoding may carry uncompressed messages too.
    pub fn last_compressed(&self) -> bool {
        self.last_compressed
    }

    /// How many received bytes are held, not yet returned as messages.
    pub fn buffered_len(&self) -> usize {
        self.buffered
    }

    /// Adds received bytes.
    pub fn push(&mut self, chunk: Bytes) {
        if !chunk.is_empty() && !matches!(self.state, State::Failed(_)) {
            self.buffered += chunk.len();
            self.chunks.push_back(chunk);
        }
    }

    /// The next whole message's payload (decompressed), or `None` until more
    /// bytes arrive.
    ///
    /// Errors: a length above the limit or a message that inflates past it is
    /// `RESOURCE_EXHAUSTED`; a flag other than 0 or 1, a compressed message on
    /// an identity stream, or a payload that does not decompress is
    /// `INTERNAL`.
    pub fn next_message(&mut self) -> Result<Option<Bytes>, Status> {
        let result = self.step();
        if let Err(status) = &result {
            self.chunks.clear();
            self.buffered = 0;
            self.state = State::Failed(status.clone());
        }
        result
    }

    fn step(&mut self) -> Result<Option<Bytes>, Status> {
        if let State::Header = self.state {
            if self.buffered < HEADER_LEN {
                return Ok(None);
            }
            let mut header = [0u8; HEADER_LEN];
            self.copy_to(&mut header);
            self.state = self.parse_header(header)?;
        }
        let (compressed, len) = match &self.state {
            State::Failed(status) => return Err(status.clone()),
            State::Header => return Ok(None),
            State::Body { compressed, len } => (*compressed, *len),
        };
        if self.buffered < len {
            return Ok(None);
        }
        let payload = self.take(len);
        self.state = State::Header;
        self.last_compressed = compressed;
        match (compressed, self.encoding) {
            (true, Some(encoding)) => {
                let mut out = BytesMut::new();
                decompress(encoding, &payload, self.max_message_size, &mut out)?;
                Ok(Some(out.freeze()))
            }
            _ => Ok(Some(payload)),
        }
    }

    fn parse_header(&self, header: [u8; HEADER_LEN]) -> Result<State, Status> {
        let compressed = match header[0] {
            0 => false,
            1 if self.encoding.is_some() => true,
            1 => {
                return Err(Status::internal("grpc: compressed flag set with identity encoding"));
            }
            flag => {
                return Err(Status::internal(format!("grpc: invalid compressed flag {flag}")));
            }
        };
        let wire_len = u32::from_be_bytes([header[1], header[2], header[3], header[4]]);
        match usize::try_from(wire_len) {
            Ok(len) if len <= self.max_message_size => Ok(State::Body { compressed, len }),
            _ => Err(Status::resource_exhausted(format!(
                "grpc: received message larger than max ({wire_len} vs. {})",
                self.max_message_size
            ))),
        }
    }

    /// Fills `out` from the front of the buffered chunks.
    fn copy_to(&mut self, out: &mut [u8]) {
        let mut filled = 0;
        while filled < out.len() {
            let Some(front) = self.chunks.front_mut() else { break };
            let n = front.len().min(out.len() - filled);
            out[filled..filled + n].copy_from_slice(&front[..n]);
            front.advance(n);
            filled += n;
            if front.is_empty() {
                self.chunks.pop_front();
            }
        }
        self.buffered -= filled;
    }

    /// Takes `len` buffered bytes (`len <= self.buffered`): a slice of the
    /// front chunk when it holds them all, else one copy.
    fn take(&mut self, len: usize) -> Bytes {
        if let Some(front) = self.chunks.front_mut() {
            if front.len() >= len {
                let bytes = front.split_to(len);
                if front.is_empty() {
                    self.chunks.pop_front();
                }
                self.buffered -= len;
                return bytes;
            }
        }
        let mut acc = BytesMut::with_capacity(len);
        while acc.len() < len {
            let Some(front) = self.chunks.front_mut() else { break };
            let n = front.len().min(len - acc.len());
            acc.extend_from_slice(&front[..n]);
            front.advance(n);
            if front.is_empty() {
                self.chunks.pop_front();
            }
        }
        self.buffered -= acc.len();
        acc.freeze()
    }

    /// Checks the end of the stream: fails with `INTERNAL` if a message was
    /// cut short (or with the earlier error, if one happened).
    ///
    /// Call it once [`next_message`](MessageDecoder::next_message) has
    /// returned `None` after the last chunk.
    pub fn finish(&self) -> Result<(), Status> {
        match &self.state {
            State::Failed(status) => Err(status.clone()),
            State::Header if self.buffered == 0 => Ok(()),
            _ => Err(Status::internal(format!(
                "grpc: incomplete message at end of stream ({} bytes buffered)",
                self.buffered
            ))),
        }
    }
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
