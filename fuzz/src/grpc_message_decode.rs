//! Fuzzes `MessageDecoder` with arbitrary streams cut into arbitrary chunks.
//!
//! Input: byte 0 picks the stream encoding and the size limit, byte 1 seeds
//! the chunk sizes, the rest is the stream. The same stream is also decoded
//! in one chunk, and both runs must agree.

use bytes::Bytes;
use oxgrpc::codec::MessageDecoder;
use oxgrpc::{CompressionEncoding, Status};

const LIMITS: [usize; 8] = [0, 1, 5, 64, 1024, 65_536, 1 << 20, 4 << 20];

/// The messages, then the error or the `finish` result.
fn decode_all(decoder: &mut MessageDecoder, chunks: &[Bytes]) -> (Vec<Bytes>, Result<(), Status>) {
    let mut messages = Vec::new();
    for chunk in chunks {
        decoder.push(chunk.clone());
        loop {
            match decoder.next_message() {
                Ok(Some(msg)) => {
                    assert!(msg.len() <= decoder.max_message_size());
                    messages.push(msg);
                }
                Ok(None) => break,
                Err(status) => {
                    assert_eq!(decoder.next_message().unwrap_err(), status);
                    assert_eq!(decoder.buffered_len(), 0);
                    return (messages, Err(status));
                }
            }
        }
    }
    (messages, decoder.finish())
}

/// One fuzz input.
pub fn run(data: &[u8]) {
    let [config, seed, stream @ ..] = data else { return };
    let encoding = match config & 3 {
        0 => None,
        1 => Some(CompressionEncoding::Gzip),
        2 => Some(CompressionEncoding::Deflate),
        _ => Some(CompressionEncoding::Zstd),
    };
    let limit = LIMITS[usize::from(config >> 2 & 7)];
    let new = || MessageDecoder::new(encoding).with_max_message_size(limit);

    let stream = Bytes::copy_from_slice(stream);
    let mut chunks = Vec::new();
    let mut rest = stream.clone();
    let mut state = u32::from(*seed) | 1;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let size = 1 + (state >> 16) as usize % (usize::from(*seed) + 1);
        chunks.push(rest.split_to(size.min(rest.len())));
    }

    let split = decode_all(&mut new(), &chunks);
    let whole = decode_all(&mut new(), &[stream]);
    assert_eq!(split.0, whole.0);
    assert_eq!(split.1.is_ok(), whole.1.is_ok());
    if let (Err(a), Err(b)) = (&split.1, &whole.1) {
        assert_eq!(a.code(), b.code());
    }
}
