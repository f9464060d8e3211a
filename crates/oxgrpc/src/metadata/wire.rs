//! Metadata as HTTP/2 header fields.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use bytes::Bytes;

use super::{Metadata, MetadataValue, key};

/// Standard alphabet, no padding on output, padding optional on input.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Base64-encodes a binary header value (standard alphabet, unpadded).
pub(crate) fn encode_bin(value: &[u8]) -> String {
    BASE64.encode(value)
}

/// Decodes one base64 binary header value, padded or not.
pub(crate) fn decode_bin(value: &[u8]) -> Option<Vec<u8>> {
    BASE64.decode(value.trim_ascii()).ok()
}

impl Metadata {
    /// The entries as HTTP/2 header fields: lower-case names and wire values
    /// (base64 for `-bin` keys).
    pub(crate) fn to_wire(&self) -> impl Iterator<Item = (Bytes, Bytes)> + '_ {
        self.iter().map(|(k, v)| {
            let value = match v {
                MetadataValue::Ascii(s) => Bytes::copy_from_slice(s.as_bytes()),
                MetadataValue::Binary(b) => Bytes::from(encode_bin(b)),
            };
            (Bytes::copy_from_slice(k.as_bytes()), value)
        })
    }

    /// Custom metadata from received header fields.
    ///
    /// Pseudo-headers, `grpc-*` and transport headers are left to the
    /// transport; invalid names, values outside printable ASCII and bad base64
    /// are dropped. Leading and trailing whitespace of ASCII values is
    /// stripped, and comma-joined binary values are split.
    pub(crate) fn from_wire<'a>(
        fields: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    ) -> Metadata {
        let mut md = Metadata::new();
        for (name, value) in fields {
            let Some(k) = key::wire_key(name) else { continue };
            if key::is_binary(k.as_bytes()) {
                for part in value.split(|&b| b == b',') {
                    if let Some(bytes) = decode_bin(part) {
                        md.entries.push((k.clone(), MetadataValue::Binary(bytes.into())));
                    }
                }
            } else {
                let value = value.trim_ascii();
                if value.iter().all(|&b| key::is_value_byte(b)) {
                    let text = String::from_utf8_lossy(value).into_owned();
                    md.entries.push((k, MetadataValue::Ascii(text)));
                }
            }
        }
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(md: &Metadata) -> Vec<(String, String)> {
        md.to_wire()
            .map(|(k, v)| {
                (String::from_utf8(k.to_vec()).unwrap(), String::from_utf8(v.to_vec()).unwrap())
            })
            .collect()
    }

    #[test]
    fn base64_is_unpadded_out_and_lenient_in() {
        assert_eq!(encode_bin(b"a"), "YQ");
        assert_eq!(encode_bin(b"ab"), "YWI");
        assert_eq!(encode_bin(b"abc"), "YWJj");
        assert_eq!(decode_bin(b"YQ").unwrap(), b"a");
        assert_eq!(decode_bin(b"YQ==").unwrap(), b"a");
        assert_eq!(decode_bin(b"YWI=").unwrap(), b"ab");
        assert_eq!(decode_bin(b" YWJj ").unwrap(), b"abc");
        assert_eq!(decode_bin(b"").unwrap(), b"");
        assert!(decode_bin(b"Y").is_none());
        assert!(decode_bin(b"YQ===").is_none());
        assert!(decode_bin(b"Y*==").is_none());
        assert!(decode_bin(b"YW-_").is_none());
    }

    #[test]
    fn to_wire_encodes_binary() {
        let mut md = Metadata::new();
        md.insert("X-A", "1").unwrap();
        md.insert_bin("trace-bin", vec![0xfb, 0xff]).unwrap();
        assert_eq!(wire(&md), [("x-a".into(), "1".into()), ("trace-bin".into(), "+/8".into())]);
    }

    #[test]
    fn from_wire_filters_transport_headers() {
        let fields: Vec<(&[u8], &[u8])> = vec![
            (b":method", b"POST"),
            (b":path", b"/a.B/C"),
            (b"content-type", b"application/grpc"),
            (b"te", b"trailers"),
            (b"grpc-timeout", b"1S"),
            (b"grpc-encoding", b"gzip"),
            (b"grpc-custom", b"x"),
            (b"connection", b"close"),
            (b"user-agent", b"grpc-rust/0.1"),
            (b"authorization", b"Bearer t"),
            (b"X-Upper", b"ok"),
            (b"bad key", b"v"),
        ];
        let md = Metadata::from_wire(fields);
        let keys: Vec<_> = md.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["user-agent", "authorization", "x-upper"]);
        assert_eq!(md.get("authorization"), Some("Bearer t"));
    }

    #[test]
    fn from_wire_values() {
        let fields: Vec<(&[u8], &[u8])> = vec![
            (b"a", b"  padded  "),
            (b"b", b"ctl\x01"),
            (b"c", b"obs-text \xe9"),
            (b"d-bin", b"YQ"),
            (b"d-bin", b"YWI=,YWJj"),
            (b"e-bin", b"not base64!"),
            (b"f", b""),
        ];
        let md = Metadata::from_wire(fields);
        assert_eq!(md.get("a"), Some("padded"));
        assert!(!md.contains_key("b"));
        assert!(!md.contains_key("c"));
        let bins: Vec<_> = md.get_all("d-bin").map(|v| v.as_bytes().to_vec()).collect();
        assert_eq!(bins, [b"a".to_vec(), b"ab".to_vec(), b"abc".to_vec()]);
        assert!(!md.contains_key("e-bin"));
        assert_eq!(md.get("f"), Some(""));
    }

    #[test]
    fn round_trip() {
        let mut md = Metadata::new();
        md.append("k", "v1").unwrap();
        md.append("k", "v2").unwrap();
        md.append_bin("b-bin", (0..=255u8).collect::<Vec<_>>()).unwrap();
        md.append_bin("b-bin", Vec::new()).unwrap();
        let fields: Vec<_> = md.to_wire().collect();
        let back = Metadata::from_wire(fields.iter().map(|(k, v)| (&k[..], &v[..])));
        assert_eq!(back, md);
    }
}
