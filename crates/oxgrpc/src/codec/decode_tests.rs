//! Tests of [`MessageDecoder`].

use super::*;
use crate::Code;
use crate::codec::encode_message;

fn frame(payload: &[u8], compression: Option<CompressionEncoding>) -> Bytes {
    let mut dst = BytesMut::new();
    encode_message(payload, compression, usize::MAX, &mut dst).unwrap();
    dst.freeze()
}

fn raw(flag: u8, len: u32, payload: &[u8]) -> Bytes {
    let mut v = vec![flag];
    v.extend_from_slice(&len.to_be_bytes());
    v.extend_from_slice(payload);
    Bytes::from(v)
}

fn drain(decoder: &mut MessageDecoder) -> Result<Vec<Bytes>, Status> {
    let mut out = Vec::new();
    while let Some(msg) = decoder.next_message()? {
        out.push(msg);
    }
    Ok(out)
}

#[test]
fn several_messages_in_one_chunk() {
    let mut stream = BytesMut::new();
    for payload in [&b"one"[..], b"", b"three"] {
        stream.extend_from_slice(&frame(payload, None));
    }
    let mut decoder = MessageDecoder::new(None);
    decoder.push(stream.freeze());
    assert_eq!(drain(&mut decoder).unwrap(), [&b"one"[..], b"", b"three"]);
    assert_eq!(decoder.buffered_len(), 0);
    decoder.finish().unwrap();
}

#[test]
fn single_chunk_messages_are_not_copied() {
    let chunk = frame(b"zero-copy payload", None);
    let mut decoder = MessageDecoder::new(None);
    decoder.push(chunk.clone());
    let msg = decoder.next_message().unwrap().unwrap();
    assert_eq!(msg.as_ptr(), chunk[HEADER_LEN..].as_ptr());
}

#[test]
fn one_byte_chunks() {
    for compression in [None, Some(CompressionEncoding::Gzip), Some(CompressionEncoding::Zstd)] {
        let payloads: Vec<Vec<u8>> = vec![b"hello".to_vec(), vec![], (0..=255).collect()];
        let mut stream = BytesMut::new();
        for p in &payloads {
            stream.extend_from_slice(&frame(p, compression));
        }
        let mut decoder = MessageDecoder::new(compression.or(Some(CompressionEncoding::Deflate)));
        let mut got = Vec::new();
        for &b in stream.iter() {
            decoder.push(Bytes::copy_from_slice(&[b]));
            got.extend(drain(&mut decoder).unwrap());
        }
        assert_eq!(got, payloads);
        decoder.finish().unwrap();
    }
}

#[test]
fn messages_straddling_uneven_chunks() {
    let mut stream = BytesMut::new();
    let payloads: Vec<Vec<u8>> = (0..20).map(|i| vec![i as u8; i * 37]).collect();
    for p in &payloads {
        stream.extend_from_slice(&frame(p, None));
    }
    let stream = stream.freeze();
    for size in [2, 3, 7, 64, 1000] {
        let mut decoder = MessageDecoder::new(None);
        let mut got = Vec::new();
        for chunk in stream.chunks(size) {
            decoder.push(Bytes::copy_from_slice(chunk));
            got.extend(drain(&mut decoder).unwrap());
        }
        assert_eq!(got, payloads, "chunk size {size}");
        decoder.finish().unwrap();
    }
}

#[test]
fn oversized_prefix_fails_without_buffering() {
    let mut decoder = MessageDecoder::new(None).with_max_message_size(1024);
    assert_eq!(decoder.max_message_size(), 1024);
    decoder.push(raw(0, u32::MAX, b"abc"));
    let err = decoder.next_message().unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted);
    assert_eq!(err.message(), "grpc: received message larger than max (4294967295 vs. 1024)");
    assert_eq!(decoder.buffered_len(), 0);
    // The decoder stays failed.
    decoder.push(frame(b"x", None));
    assert_eq!(decoder.next_message().unwrap_err(), err);
    assert_eq!(decoder.finish().unwrap_err(), err);
}

#[test]
fn default_limit_is_four_mib() {
    let mut decoder = MessageDecoder::new(None);
    assert_eq!(decoder.max_message_size(), 4 << 20);
    decoder.push(raw(0, 4 << 20, b""));
    assert_eq!(decoder.next_message().unwrap(), None);
    let mut decoder = MessageDecoder::new(None);
    decoder.push(raw(0, (4 << 20) + 1, b""));
    assert_eq!(decoder.next_message().unwrap_err().code(), Code::ResourceExhausted);
}

#[test]
fn compressed_flag_without_encoding() {
    let mut decoder = MessageDecoder::new(None);
    decoder.push(raw(1, 1, b"x"));
    let err = decoder.next_message().unwrap_err();
    assert_eq!(err.code(), Code::Internal);
    assert!(err.message().contains("compressed flag set with identity encoding"));
}

#[test]
fn invalid_flags() {
    for flag in [2, 0x80, 0xff] {
        let mut decoder = MessageDecoder::new(Some(CompressionEncoding::Gzip));
        decoder.push(raw(flag, 0, b""));
        let err = decoder.next_message().unwrap_err();
        assert_eq!(err.code(), Code::Internal);
        assert_eq!(err.message(), format!("grpc: invalid compressed flag {flag}"));
    }
}

#[test]
fn uncompressed_messages_on_a_compressed_stream() {
    let mut decoder = MessageDecoder::new(Some(CompressionEncoding::Zstd));
    decoder.push(frame(b"plain", None));
    decoder.push(frame(b"packed", Some(CompressionEncoding::Zstd)));
    assert_eq!(drain(&mut decoder).unwrap(), [&b"plain"[..], b"packed"]);
    assert_eq!(decoder.encoding(), Some(CompressionEncoding::Zstd));
}

#[test]
fn incomplete_message_at_end() {
    let whole = frame(b"abcdef", None);
    for cut in 1..whole.len() {
        let mut decoder = MessageDecoder::new(None);
        decoder.push(whole.slice(..cut));
        assert_eq!(decoder.next_message().unwrap(), None);
        let err = decoder.finish().unwrap_err();
        assert_eq!(err.code(), Code::Internal);
        assert!(err.message().contains("incomplete message"), "{err}");
    }
    MessageDecoder::new(None).finish().unwrap();
}

#[test]
fn zip_bomb_per_algorithm() {
    let bomb = vec![0u8; 16 << 20];
    for e in CompressionEncoding::ALL {
        let mut decoder = MessageDecoder::new(Some(e)).with_max_message_size(1 << 20);
        let mut packed = BytesMut::new();
        encode_message(&bomb, Some(e), usize::MAX, &mut packed).unwrap();
        assert!(packed.len() < 1 << 20);
        decoder.push(packed.freeze());
        let err = decoder.next_message().unwrap_err();
        assert_eq!(err.code(), Code::ResourceExhausted, "{e}");
        assert!(err.message().contains("after decompression"), "{err}");
    }
}

#[test]
fn corrupt_compressed_payload() {
    for e in CompressionEncoding::ALL {
        let mut decoder = MessageDecoder::new(Some(e));
        decoder.push(raw(1, 4, b"\xde\xad\xbe\xef"));
        assert_eq!(decoder.next_message().unwrap_err().code(), Code::Internal, "{e}");
    }
}

#[test]
fn round_trip_each_algorithm() {
    let payload: Vec<u8> = (0..50_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
    for e in CompressionEncoding::ALL {
        let mut decoder = MessageDecoder::new(Some(e));
        let packed = frame(&payload, Some(e));
        assert!(packed.len() < payload.len());
        for chunk in packed.chunks(16_384) {
            decoder.push(Bytes::copy_from_slice(chunk));
        }
        assert_eq!(decoder.next_message().unwrap().unwrap(), payload);
        decoder.finish().unwrap();
    }
}

#[test]
fn empty_chunks_are_ignored() {
    let mut decoder = MessageDecoder::new(None);
    decoder.push(Bytes::new());
    assert_eq!(decoder.next_message().unwrap(), None);
    decoder.finish().unwrap();
}

#[test]
fn the_compressed_flag_is_reported_per_message() {
    let mut decoder = MessageDecoder::new(Some(CompressionEncoding::Gzip));
    decoder.push(frame(b"one", Some(CompressionEncoding::Gzip)));
    decoder.push(frame(b"two", None));
    assert_eq!(decoder.next_message().unwrap(), Some(Bytes::from_static(b"one")));
    assert!(decoder.last_compressed());
    assert_eq!(decoder.next_message().unwrap(), Some(Bytes::from_static(b"two")));
    assert!(!decoder.last_compressed());
}
