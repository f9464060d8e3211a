//! Integer representation with an N-bit prefix (RFC 7541 §5.1).

use bytes::{BufMut, BytesMut};

use super::DecoderError;

/// At most this many continuation octets follow the prefix: 5 × 7 = 35 bits
/// covers every 32-bit value, and anything longer is rejected.
const MAX_CONTINUATION_BYTES: usize = 5;

/// Largest integer the decoder accepts. Indexes, string lengths and table
/// sizes all fit comfortably; a larger value can only be an attack or a bug.
const MAX_VALUE: u64 = u32::MAX as u64;

/// Writes `value` with a `prefix_bits`-bit prefix (1..=8); `flags` holds the
/// bits of the first octet above the prefix.
pub(super) fn encode(value: usize, prefix_bits: u8, flags: u8, dst: &mut BytesMut) {
    debug_assert!((1..=8).contains(&prefix_bits));
    let max_prefix = (1usize << prefix_bits) - 1;
    if value < max_prefix {
        // `value < max_prefix <= 255`, so the cast is lossless.
        dst.put_u8(flags | value as u8);
        return;
    }
    dst.put_u8(flags | max_prefix as u8);
    let mut rest = value - max_prefix;
    while rest >= 0x80 {
        dst.put_u8((rest & 0x7f) as u8 | 0x80);
        rest >>= 7;
    }
    dst.put_u8(rest as u8);
}

/// Reads an integer with a `prefix_bits`-bit prefix starting at `buf[*pos]`
/// (the bits above the prefix are ignored) and advances `pos` past it.
pub(super) fn decode(buf: &[u8], pos: &mut usize, prefix_bits: u8) -> Result<usize, DecoderError> {
    debug_assert!((1..=8).contains(&prefix_bits));
    let max_prefix = u8::MAX >> (8 - prefix_bits);
    let first = *buf.get(*pos).ok_or(DecoderError::Truncated)?;
    *pos += 1;
    let prefix = first & max_prefix;
    if prefix < max_prefix {
        return Ok(usize::from(prefix));
    }
    let mut value = u64::from(max_prefix);
    for i in 0..MAX_CONTINUATION_BYTES {
        let byte = *buf.get(*pos).ok_or(DecoderError::Truncated)?;
        *pos += 1;
        value += u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            if value > MAX_VALUE {
                return Err(DecoderError::IntegerOverflow);
            }
            return usize::try_from(value).map_err(|_| DecoderError::IntegerOverflow);
        }
    }
    Err(DecoderError::IntegerOverflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(value: usize, prefix: u8) -> Vec<u8> {
        let mut dst = BytesMut::new();
        encode(value, prefix, 0, &mut dst);
        dst.to_vec()
    }

    fn dec(buf: &[u8], prefix: u8) -> Result<(usize, usize), DecoderError> {
        let mut pos = 0;
        decode(buf, &mut pos, prefix).map(|v| (v, pos))
    }

    /// RFC 7541 C.1.1: 10 with a 5-bit prefix.
    #[test]
    fn c_1_1() {
        assert_eq!(enc(10, 5), [0b01010]);
        assert_eq!(dec(&[0b1110_1010], 5), Ok((10, 1)));
    }

    /// RFC 7541 C.1.2: 1337 with a 5-bit prefix.
    #[test]
    fn c_1_2() {
        assert_eq!(enc(1337, 5), [0b11111, 0b1001_1010, 0b0000_1010]);
        assert_eq!(dec(&[0b11111, 0b1001_1010, 0b0000_1010], 5), Ok((1337, 3)));
    }

    /// RFC 7541 C.1.3: 42 at an octet boundary (8-bit prefix).
    #[test]
    fn c_1_3() {
        assert_eq!(enc(42, 8), [42]);
        assert_eq!(dec(&[42], 8), Ok((42, 1)));
    }

    #[test]
    fn flags_are_kept_and_ignored() {
        let mut dst = BytesMut::new();
        encode(3, 6, 0x40, &mut dst);
        assert_eq!(&dst[..], [0x43]);
        assert_eq!(dec(&[0xc3], 6), Ok((3, 1)));
    }

    #[test]
    fn round_trip_boundaries() {
        for prefix in 1..=8u8 {
            let max_prefix = (1usize << prefix) - 1;
            for value in [0, 1, max_prefix - 1, max_prefix, max_prefix + 1, 127, 128, 255, 256]
                .into_iter()
                .chain([16_383, 16_384, 1 << 21, (1 << 28) - 1, u32::MAX as usize])
            {
                let bytes = enc(value, prefix);
                assert_eq!(dec(&bytes, prefix), Ok((value, bytes.len())), "{value} /{prefix}");
            }
        }
    }

    #[test]
    fn truncated() {
        assert_eq!(dec(&[], 5), Err(DecoderError::Truncated));
        assert_eq!(dec(&[0x1f], 5), Err(DecoderError::Truncated));
        assert_eq!(dec(&[0x1f, 0x80, 0x80], 5), Err(DecoderError::Truncated));
    }

    #[test]
    fn overflow() {
        // Too many continuation bytes, even if they only carry zeros.
        assert_eq!(
            dec(&[0x1f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 5),
            Err(DecoderError::IntegerOverflow)
        );
        // Five continuation bytes, but the value exceeds u32::MAX.
        assert_eq!(
            dec(&[0x1f, 0xff, 0xff, 0xff, 0xff, 0x0f], 5),
            Err(DecoderError::IntegerOverflow)
        );
        // u32::MAX itself is accepted.
        let max = enc(u32::MAX as usize, 5);
        assert_eq!(dec(&max, 5), Ok((u32::MAX as usize, max.len())));
    }
}
