//! Percent-encoding of the `grpc-message` trailer (PROTOCOL-HTTP2.md).
//!
//! The sender encodes the UTF-8 message so that only printable ASCII other
//! than `%` goes out literally; everything else becomes `%XX` with upper-case
//! hex. A space that would lead or end the value is encoded too: HTTP/2
//! treats a field value with surrounding whitespace as malformed (RFC 9113
//! §8.2.1), so a peer would reset the stream. The receiver is lenient: malformed escapes are kept as-is and invalid
//! UTF-8 turns into U+FFFD rather than an error.

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Whether a byte goes out literally in a `grpc-message` value.
fn is_unreserved(b: u8) -> bool {
    (0x20..=0x7E).contains(&b) && b != b'%'
}

/// Percent-encodes a message for the `grpc-message` trailer.
pub(crate) fn encode(message: &str) -> String {
    let bytes = message.as_bytes();
    let edge = |i: usize| i == 0 || i + 1 == bytes.len();
    let literal = |i: usize, b: u8| is_unreserved(b) && !(b == b' ' && edge(i));
    if bytes.iter().enumerate().all(|(i, &b)| literal(i, b)) {
        return message.to_owned();
    }
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, &b) in bytes.iter().enumerate() {
        if literal(i, b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0F)]));
        }
    }
    out
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes a `grpc-message` value leniently; never fails.
pub(crate) fn decode(value: &[u8]) -> String {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        if b == b'%' {
            if let (Some(hi), Some(lo)) = (
                value.get(i + 1).copied().and_then(hex_value),
                value.get(i + 2).copied().and_then(hex_value),
            ) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ascii_is_untouched() {
        assert_eq!(encode("hello world ~!"), "hello world ~!");
        assert_eq!(decode(b"hello world ~!"), "hello world ~!");
    }

    #[test]
    fn escapes_percent_controls_and_unicode() {
        assert_eq!(encode("50%"), "50%25");
        assert_eq!(encode("a\nb\t"), "a%0Ab%09");
        assert_eq!(encode("\u{7f}"), "%7F");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode("😈"), "%F0%9F%98%88");
    }

    #[test]
    fn surrounding_spaces_are_escaped_so_the_field_stays_valid() {
        assert_eq!(encode("unknown service "), "unknown service%20");
        assert_eq!(encode(" x"), "%20x");
        assert_eq!(encode(" "), "%20");
        assert_eq!(decode(encode(" padded ").as_bytes()), " padded ");
    }

    #[test]
    fn decodes_both_hex_cases() {
        assert_eq!(decode(b"%c3%a9%C3%A9"), "éé");
        assert_eq!(decode(b"50%25"), "50%");
    }

    #[test]
    fn malformed_escapes_are_kept() {
        assert_eq!(decode(b"%"), "%");
        assert_eq!(decode(b"%4"), "%4");
        assert_eq!(decode(b"%zz"), "%zz");
        assert_eq!(decode(b"100%!"), "100%!");
        assert_eq!(decode(b"%%41"), "%A");
    }

    #[test]
    fn invalid_utf8_becomes_replacement_char() {
        assert_eq!(decode(b"a%FFb"), "a\u{FFFD}b");
        assert_eq!(decode(b"%C3"), "\u{FFFD}");
        assert_eq!(decode(b"raw \xff byte"), "raw \u{FFFD} byte");
    }

    #[test]
    fn any_message_round_trips() {
        let samples = [
            "",
            "simple",
            "with %20 literal",
            "\0\x01\x1f control",
            "multi\nline\r\n",
            "日本語のメッセージ",
            "mixed 😈 emoji % and \u{10FFFF}",
        ];
        for s in samples {
            let encoded = encode(s);
            assert!(encoded.bytes().all(|b| (0x20..=0x7E).contains(&b)), "{encoded:?}");
            assert_eq!(decode(encoded.as_bytes()), s);
        }
        for c in (0..=0x10FFFFu32).step_by(97).filter_map(char::from_u32) {
            let s = format!("x{c}y");
            assert_eq!(decode(encode(&s).as_bytes()), s);
        }
    }
}
