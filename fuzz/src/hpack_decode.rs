//! Feeds arbitrary bytes to the HPACK decoder as a sequence of header blocks.
//!
//! Input layout: byte 0 picks our advertised table size, byte 1 the header list
//! limit; then records of `len` + `len` bytes of header block. A record whose
//! length byte is 0xff instead carries one byte that changes the table size of
//! the re-encoding pair (below).
//!
//! The decoder must never panic. Every block that decodes successfully is
//! re-encoded by an `Encoder` and decoded by a second, separate `Decoder`
//! (both live for the whole input, so their dynamic tables are exercised too),
//! which must yield exactly the same fields.

use bytes::{Bytes, BytesMut};
use oxgrpc_h2::Header;
use oxgrpc_h2::hpack::{Decoder, Encoder};

const TABLE_SIZES: [usize; 8] = [0, 1, 32, 64, 256, 1024, 4096, 65536];

/// One fuzz input.
pub fn run(data: &[u8]) {
    let [table_byte, limit_byte, rest @ ..] = data else {
        return;
    };
    let mut decoder = Decoder::new(TABLE_SIZES[usize::from(*table_byte) % TABLE_SIZES.len()]);
    let max_list = usize::from(*limit_byte) * 64;

    let mut encoder = Encoder::new();
    let mut redecoder = Decoder::new(4096);

    let mut input = rest;
    while let [len, tail @ ..] = input {
        if *len == 0xff {
            let [size, tail @ ..] = tail else {
                return;
            };
            let size = TABLE_SIZES[usize::from(*size) % TABLE_SIZES.len()];
            redecoder.set_max_table_size(size);
            encoder.set_max_table_size(size);
            input = tail;
            continue;
        }
        let len = usize::from(*len).min(tail.len());
        let block = Bytes::copy_from_slice(&tail[..len]);
        input = &tail[len..];

        let mut fields = Vec::new();
        match decoder.decode(&block, max_list, |h| fields.push(h)) {
            Ok(()) => {
                let total: usize = fields.iter().map(Header::hpack_size).sum();
                assert!(total <= max_list);
            }
            Err(e) if !e.is_compression_error() => continue,
            // A compression error ends the connection.
            Err(_) => return,
        }

        let mut encoded = BytesMut::new();
        encoder.encode(&fields, &mut encoded);
        let mut again = Vec::new();
        redecoder
            .decode(&encoded.freeze(), usize::MAX, |h| again.push(h))
            .expect("re-encoded block must decode");
        assert_eq!(fields, again);
    }
}
