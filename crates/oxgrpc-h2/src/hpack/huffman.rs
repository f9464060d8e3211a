//! Huffman coding of string literals (RFC 7541 §5.2, Appendix B).
//!
//! Encoding packs codes into a 64-bit accumulator. Decoding uses the fact that
//! the HPACK code is canonical: a 256-entry table resolves every code of at
//! most 8 bits (the common characters) from one octet, and longer codes are
//! found by comparing the leading bits against the first code of each length.
//! Both tables are computed at compile time from [`CODES`].

use bytes::{BufMut, BytesMut};

use super::DecoderError;
use super::huffman_table::CODES;

/// The end-of-string symbol; it must never appear in an encoded string.
const EOS: u16 = 256;
/// Length of the longest code (EOS and a few control characters).
const MAX_CODE_LEN: u32 = 30;
/// Codes of at most this many bits are resolved with the [`DecodeTables::fast`] table.
const FAST_BITS: u32 = 8;

/// Number of octets `src` occupies once Huffman-encoded (including padding).
pub(super) fn encoded_len(src: &[u8]) -> usize {
    let bits: usize = src.iter().map(|&b| usize::from(CODES[usize::from(b)].1)).sum();
    bits.div_ceil(8)
}

/// Appends the Huffman encoding of `src` to `dst`, padded with the most
/// significant bits of EOS (all ones) up to an octet boundary.
pub(super) fn encode(src: &[u8], dst: &mut BytesMut) {
    dst.reserve(encoded_len(src));
    // The low `bits` bits of `acc` are pending output; higher bits are stale.
    let mut acc: u64 = 0;
    let mut bits: u32 = 0;
    for &byte in src {
        let (code, len) = CODES[usize::from(byte)];
        acc = (acc << len) | u64::from(code);
        bits += u32::from(len);
        while bits >= 8 {
            bits -= 8;
            dst.put_u8((acc >> bits) as u8);
        }
    }
    if bits > 0 {
        let pad = 8 - bits;
        dst.put_u8(((acc << pad) as u8) | ((1u8 << pad) - 1));
    }
}

/// Decodes a Huffman-coded string, rejecting EOS, padding longer than 7 bits
/// and padding that is not all ones (RFC 7541 §5.2).
pub(super) fn decode(src: &[u8]) -> Result<Vec<u8>, DecoderError> {
    // Every code is at least 5 bits long, which bounds the output size.
    let mut out = Vec::with_capacity(src.len() * 8 / 5 + 1);
    // The low `bits` bits of `acc` are undecoded input; higher bits are stale.
    let mut acc: u64 = 0;
    let mut bits: u32 = 0;
    for &byte in src {
        acc = (acc << 8) | u64::from(byte);
        bits += 8;
        // With at least 30 bits available a whole code is always present.
        while bits >= MAX_CODE_LEN {
            let (symbol, len) = decode_symbol(window(acc, bits));
            if symbol == EOS {
                return Err(DecoderError::InvalidHuffman);
            }
            out.push(symbol as u8);
            bits -= len;
        }
    }
    while bits > 0 {
        let (symbol, len) = decode_symbol(window(acc, bits));
        if len > bits {
            // What is left is a strict prefix of a code: it must be padding.
            let mask = (1u64 << bits) - 1;
            if bits > 7 || acc & mask != mask {
                return Err(DecoderError::InvalidHuffman);
            }
            break;
        }
        if symbol == EOS {
            return Err(DecoderError::InvalidHuffman);
        }
        out.push(symbol as u8);
        bits -= len;
    }
    Ok(out)
}

/// The next 32 undecoded bits, most significant first, padded with ones
/// when fewer are available (so a lone padding run looks like a prefix of EOS).
fn window(acc: u64, bits: u32) -> u32 {
    if bits >= 32 {
        (acc >> (bits - 32)) as u32
    } else {
        ((acc << (32 - bits)) as u32) | (u32::MAX >> bits)
    }
}

/// The symbol whose code starts `window`, and the code's length.
fn decode_symbol(window: u32) -> (u16, u32) {
    let (symbol, len) = TABLES.fast[(window >> (32 - FAST_BITS)) as usize];
    if len != 0 {
        return (u16::from(symbol), u32::from(len));
    }
    // No code of at most FAST_BITS bits matched, so by the canonical ordering the
    // leading bits are >= the first code of every longer length we reach.
    let mut len = FAST_BITS + 1;
    while len <= MAX_CODE_LEN {
        let l = len as usize;
        let code = window >> (32 - len);
        let index = code.wrapping_sub(TABLES.first_code[l]);
        if index < u32::from(TABLES.count[l]) {
            return (TABLES.symbols[usize::from(TABLES.offset[l]) + index as usize], len);
        }
        len += 1;
    }
    // Unreachable: the code is complete, so every 30-bit prefix is a codeword
    // (all ones is EOS). Reporting EOS makes the caller reject the input.
    (EOS, MAX_CODE_LEN)
}

/// Canonical-decoding tables derived from [`CODES`].
struct DecodeTables {
    /// Symbols in canonical order: by code length, then by symbol value.
    symbols: [u16; 257],
    /// Per code length: the numerically first code of that length.
    first_code: [u32; MAX_CODE_LEN as usize + 1],
    /// Per code length: how many symbols have a code of that length.
    count: [u16; MAX_CODE_LEN as usize + 1],
    /// Per code length: where its symbols start in `symbols`.
    offset: [u16; MAX_CODE_LEN as usize + 1],
    /// Leading octet → `(symbol, length)` for codes of at most 8 bits; length 0 otherwise.
    fast: [(u8, u8); 256],
}

static TABLES: DecodeTables = build_tables();

const fn build_tables() -> DecodeTables {
    let mut t = DecodeTables {
        symbols: [0; 257],
        first_code: [0; MAX_CODE_LEN as usize + 1],
        count: [0; MAX_CODE_LEN as usize + 1],
        offset: [0; MAX_CODE_LEN as usize + 1],
        fast: [(0, 0); 256],
    };
    let mut s = 0;
    while s < CODES.len() {
        t.count[CODES[s].1 as usize] += 1;
        s += 1;
    }
    let mut len = 1;
    let mut next_offset = 0u16;
    while len <= MAX_CODE_LEN as usize {
        t.first_code[len] = (t.first_code[len - 1] + t.count[len - 1] as u32) << 1;
        t.offset[len] = next_offset;
        // Symbols of this length, in increasing order.
        let mut s = 0;
        while s < CODES.len() {
            if CODES[s].1 as usize == len {
                t.symbols[next_offset as usize] = s as u16;
                next_offset += 1;
            }
            s += 1;
        }
        len += 1;
    }
    let mut s = 0;
    while s < 256 {
        let (code, len) = CODES[s];
        if len as u32 <= FAST_BITS {
            let free = FAST_BITS - len as u32;
            let base = (code << free) as usize;
            let mut fill = 0;
            while fill < (1 << free) {
                t.fast[base + fill] = (s as u8, len);
                fill += 1;
            }
        }
        s += 1;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(src: &[u8]) -> Vec<u8> {
        let mut dst = BytesMut::new();
        encode(src, &mut dst);
        assert_eq!(dst.len(), encoded_len(src));
        dst.to_vec()
    }

    #[test]
    fn canonical_tables_match_codes() {
        for (symbol, &(code, len)) in CODES.iter().enumerate() {
            let window = code << (32 - u32::from(len)) | (u32::MAX >> len);
            assert_eq!(decode_symbol(window), (symbol as u16, u32::from(len)), "{symbol}");
        }
    }

    /// Strings from RFC 7541 C.4 and C.6.
    #[test]
    fn rfc_examples() {
        let cases: [(&[u8], &[u8]); 5] = [
            (
                b"www.example.com",
                &[0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff],
            ),
            (b"no-cache", &[0xa8, 0xeb, 0x10, 0x64, 0x9c, 0xbf]),
            (b"custom-key", &[0x25, 0xa8, 0x49, 0xe9, 0x5b, 0xa9, 0x7d, 0x7f]),
            (b"custom-value", &[0x25, 0xa8, 0x49, 0xe9, 0x5b, 0xb8, 0xe8, 0xb4, 0xbf]),
            (b"302", &[0x64, 0x02]),
        ];
        for (plain, coded) in cases {
            assert_eq!(enc(plain), coded);
            assert_eq!(decode(coded).as_deref(), Ok(plain));
        }
    }

    #[test]
    fn all_byte_values_round_trip() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&enc(&all)), Ok(all.clone()));
        for b in 0..=255u8 {
            for n in 1..=9 {
                let s = vec![b; n];
                assert_eq!(decode(&enc(&s)), Ok(s));
            }
        }
        let reversed: Vec<u8> = (0..=255).rev().collect();
        assert_eq!(decode(&enc(&reversed)), Ok(reversed));
    }

    #[test]
    fn empty() {
        assert_eq!(enc(b""), b"");
        assert_eq!(decode(b""), Ok(Vec::new()));
    }

    #[test]
    fn rejects_eos() {
        // EOS (30 ones) followed by two ones of padding.
        assert_eq!(decode(&[0xff, 0xff, 0xff, 0xff]), Err(DecoderError::InvalidHuffman));
        // 'a' (00011) then EOS, then padding.
        let mut bits: u64 = 0b00011;
        bits = (bits << 30) | 0x3fff_ffff;
        bits = (bits << 5) | 0x1f;
        let bytes = bits.to_be_bytes()[3..].to_vec();
        assert_eq!(bytes.len(), 5);
        assert_eq!(decode(&bytes), Err(DecoderError::InvalidHuffman));
    }

    #[test]
    fn rejects_long_padding() {
        // A full octet of ones is padding of 8 bits.
        assert_eq!(decode(&[0xff]), Err(DecoderError::InvalidHuffman));
        // '0' (00000) + 11 ones.
        assert_eq!(decode(&[0b0000_0111, 0xff]), Err(DecoderError::InvalidHuffman));
    }

    #[test]
    fn rejects_padding_not_ones() {
        // 'a' (00011) followed by 000 — that is a truncated code, not EOS padding.
        assert_eq!(decode(&[0b0001_1000]), Err(DecoderError::InvalidHuffman));
        // 'a' followed by 101.
        assert_eq!(decode(&[0b0001_1101]), Err(DecoderError::InvalidHuffman));
        // Valid: 'a' followed by 111.
        assert_eq!(decode(&[0b0001_1111]), Ok(b"a".to_vec()));
    }
}
