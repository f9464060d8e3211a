//! Writing length-prefixed messages.

use bytes::{BufMut, BytesMut};

use super::{CompressionEncoding, HEADER_LEN, compress};
use crate::Status;

/// Writes one length-prefixed message to `dst`: a flag byte (1 when
/// `compression` is set, else 0), the big-endian `u32` payload length, and
/// the payload, compressed with `compression` when it is set.
///
/// The compression is chosen per message, so a caller may pass `None` for
/// messages too small to be worth compressing. A payload (after compression)
/// longer than `max_send` bytes gives `RESOURCE_EXHAUSTED` and leaves `dst`
/// unchanged.
///
/// ```
/// use bytes::BytesMut;
/// use oxgrpc::codec::encode_message;
///
/// let mut dst = BytesMut::new();
/// encode_message(b"hi", None, 1024, &mut dst)?;
/// assert_eq!(&dst[..], b"\x00\x00\x00\x00\x02hi");
/// # Ok::<(), oxgrpc::Status>(())
/// ```
pub fn encode_message(
    payload: &[u8],
    compression: Option<CompressionEncoding>,
    max_send: usize,
    dst: &mut BytesMut,
) -> Result<(), Status> {
    frame(compression, max_send, dst, |compression, dst| match compression {
        Some(encoding) => compress(encoding, payload, dst),
        None => {
            dst.extend_from_slice(payload);
            Ok(())
        }
    })
}

/// Like [`encode_message`] for a protobuf message, encoded straight into
/// `dst` when there is no compression.
///
/// ```
/// use bytes::BytesMut;
/// use oxgrpc::CompressionEncoding;
/// use oxgrpc::codec::{MessageDecoder, encode_prost};
/// use oxgrpc::rpc::LocalizedMessage;
///
/// let msg = LocalizedMessage { locale: "en".into(), message: "hello".into() };
/// let mut dst = BytesMut::new();
/// encode_prost(&msg, Some(CompressionEncoding::Gzip), 1024, &mut dst)?;
///
/// let mut decoder = MessageDecoder::new(Some(CompressionEncoding::Gzip));
/// decoder.push(dst.freeze());
/// let bytes = decoder.next_message()?.expect("one whole message");
/// assert_eq!(<LocalizedMessage as prost::Message>::decode(bytes).unwrap(), msg);
/// # Ok::<(), oxgrpc::Status>(())
/// ```
pub fn encode_prost<M: prost::Message>(
    msg: &M,
    compression: Option<CompressionEncoding>,
    max_send: usize,
    dst: &mut BytesMut,
) -> Result<(), Status> {
    frame(compression, max_send, dst, |compression, dst| match compression {
        Some(encoding) => compress(encoding, &msg.encode_to_vec(), dst),
        None => {
            dst.reserve(msg.encoded_len());
            msg.encode_raw(dst);
            Ok(())
        }
    })
}

/// Writes the prefix, lets `body` append the payload, then patches in the
/// length; undoes everything on error.
fn frame(
    compression: Option<CompressionEncoding>,
    max_send: usize,
    dst: &mut BytesMut,
    body: impl FnOnce(Option<CompressionEncoding>, &mut BytesMut) -> Result<(), Status>,
) -> Result<(), Status> {
    let start = dst.len();
    dst.put_u8(u8::from(compression.is_some()));
    dst.put_u32(0);
    let result = body(compression, dst).and_then(|()| {
        let len = dst.len() - start - HEADER_LEN;
        match u32::try_from(len) {
            Ok(wire_len) if len <= max_send => {
                dst[start + 1..start + HEADER_LEN].copy_from_slice(&wire_len.to_be_bytes());
                Ok(())
            }
            _ => Err(Status::resource_exhausted(format!(
                "grpc: trying to send message larger than max ({len} vs. {max_send})"
            ))),
        }
    });
    if result.is_err() {
        dst.truncate(start);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;
    use crate::rpc::RequestInfo;
    use prost::Message;

    #[test]
    fn uncompressed_prefix() {
        let mut dst = BytesMut::from(&b"old"[..]);
        encode_message(&[9; 300], None, 300, &mut dst).unwrap();
        assert_eq!(&dst[..8], b"old\x00\x00\x00\x01\x2c");
        assert_eq!(dst.len(), 3 + 5 + 300);
        encode_message(b"", None, 0, &mut dst).unwrap();
        assert_eq!(&dst[308..], b"\x00\x00\x00\x00\x00");
    }

    #[test]
    fn compressed_prefix() {
        for e in CompressionEncoding::ALL {
            let mut dst = BytesMut::new();
            encode_message(&[1; 1000], Some(e), 1000, &mut dst).unwrap();
            assert_eq!(dst[0], 1);
            let len = u32::from_be_bytes([dst[1], dst[2], dst[3], dst[4]]) as usize;
            assert_eq!(len, dst.len() - 5);
            assert!(len < 1000);
        }
    }

    #[test]
    fn too_large_leaves_dst_unchanged() {
        let mut dst = BytesMut::from(&b"keep"[..]);
        let err = encode_message(&[0; 11], None, 10, &mut dst).unwrap_err();
        assert_eq!(err.code(), Code::ResourceExhausted);
        assert_eq!(err.message(), "grpc: trying to send message larger than max (11 vs. 10)");
        assert_eq!(&dst[..], b"keep");
        let info = RequestInfo { request_id: "x".repeat(100), ..Default::default() };
        let err = encode_prost(&info, None, 10, &mut dst).unwrap_err();
        assert_eq!(err.code(), Code::ResourceExhausted);
        assert_eq!(&dst[..], b"keep");
    }

    #[test]
    fn the_limit_applies_after_compression() {
        let mut dst = BytesMut::new();
        encode_message(&[0; 10_000], Some(CompressionEncoding::Gzip), 100, &mut dst).unwrap();
        assert!(dst.len() <= 105);
    }

    #[test]
    fn prost_matches_bytes() {
        let info = RequestInfo { request_id: "id".into(), serving_data: "data".into() };
        for compression in [None, Some(CompressionEncoding::Deflate)] {
            let mut a = BytesMut::new();
            let mut b = BytesMut::new();
            encode_prost(&info, compression, 1 << 20, &mut a).unwrap();
            encode_message(&info.encode_to_vec(), compression, 1 << 20, &mut b).unwrap();
            assert_eq!(a, b);
        }
    }
}
