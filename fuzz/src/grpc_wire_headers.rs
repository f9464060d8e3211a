//! Fuzzes the header-field parsers: `grpc-timeout`, `grpc-message`
//! percent-decoding, custom metadata and status trailers, each with a
//! round-trip check.
//!
//! Input: byte 0 picks the parser; for field lists, fields are separated by
//! `\n` and names from values by the first `:` after the first byte.

use oxgrpc::fuzzing;

fn fields(data: &[u8]) -> Vec<(&[u8], &[u8])> {
    data.split(|&b| b == b'\n')
        .map(|line| match line.iter().skip(1).position(|&b| b == b':') {
            Some(i) => (&line[..=i], &line[i + 2..]),
            None => (line, &[][..]),
        })
        .collect()
}

/// One fuzz input.
pub fn run(data: &[u8]) {
    let [selector, input @ ..] = data else { return };
    match selector % 4 {
        0 => {
            if let Some(timeout) = fuzzing::decode_timeout(input) {
                let encoded = fuzzing::encode_timeout(timeout);
                let back = fuzzing::decode_timeout(encoded.as_bytes()).expect("own encoding");
                assert!(back >= timeout);
            }
        }
        1 => {
            let decoded = fuzzing::percent_decode(input);
            let encoded = fuzzing::percent_encode(&decoded);
            assert!(encoded.bytes().all(|b| (0x20..=0x7e).contains(&b)));
            assert_eq!(fuzzing::percent_decode(encoded.as_bytes()), decoded);
        }
        2 => {
            let md = fuzzing::metadata_from_wire(&fields(input));
            let wire = fuzzing::metadata_to_wire(&md);
            let pairs: Vec<_> = wire.iter().map(|(k, v)| (&k[..], &v[..])).collect();
            assert_eq!(fuzzing::metadata_from_wire(&pairs), md);
        }
        _ => {
            if let Some(status) = fuzzing::status_from_header_fields(&fields(input)) {
                let wire = fuzzing::status_to_header_fields(&status);
                let pairs: Vec<_> = wire.iter().map(|(k, v)| (&k[..], &v[..])).collect();
                let back = fuzzing::status_from_header_fields(&pairs).expect("has grpc-status");
                assert_eq!(back, status);
                let _ = status.error_details();
            }
        }
    }
}
