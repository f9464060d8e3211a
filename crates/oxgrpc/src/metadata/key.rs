//! Metadata key and value validation, and the error for invalid ones.

use std::fmt;

/// Why a metadata key or value was refused; see [`InvalidMetadata::kind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidMetadataKind {
    /// The key is empty.
    EmptyKey,
    /// The key holds a byte outside `[0-9a-z-_.]` (after lower-casing).
    InvalidKeyByte(u8),
    /// The key is reserved for the gRPC transport (`grpc-*`, `content-type`, `te`, ...).
    ReservedKey,
    /// An ASCII value holds a byte outside printable ASCII (0x20–0x7E).
    InvalidValueByte(u8),
    /// A text value was given for a key ending in `-bin`.
    BinaryKey,
    /// A binary value was given for a key not ending in `-bin`.
    NotBinaryKey,
}

/// A metadata key or value that cannot be sent.
///
/// ```
/// use oxgrpc::Metadata;
/// use oxgrpc::metadata::InvalidMetadataKind;
///
/// let mut md = Metadata::new();
/// let err = md.insert("grpc-status", "0").unwrap_err();
/// assert_eq!(err.kind(), InvalidMetadataKind::ReservedKey);
/// assert_eq!(err.key(), "grpc-status");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidMetadata {
    key: String,
    kind: InvalidMetadataKind,
}

impl InvalidMetadata {
    fn new(key: &str, kind: InvalidMetadataKind) -> InvalidMetadata {
        InvalidMetadata { key: key.to_owned(), kind }
    }

    /// The key as given by the caller.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Why it was refused.
    pub fn kind(&self) -> InvalidMetadataKind {
        self.kind
    }
}

impl fmt::Display for InvalidMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid metadata for key {:?}: ", self.key)?;
        match self.kind {
            InvalidMetadataKind::EmptyKey => f.write_str("empty key"),
            InvalidMetadataKind::InvalidKeyByte(b) => {
                write!(f, "key byte 0x{b:02x} is not one of [0-9a-z-_.]")
            }
            InvalidMetadataKind::ReservedKey => f.write_str("key is reserved for the transport"),
            InvalidMetadataKind::InvalidValueByte(b) => {
                write!(f, "value byte 0x{b:02x} is not printable ASCII")
            }
            InvalidMetadataKind::BinaryKey => f.write_str("keys ending in -bin take binary values"),
            InvalidMetadataKind::NotBinaryKey => {
                f.write_str("binary values need a key ending in -bin")
            }
        }
    }
}

impl std::error::Error for InvalidMetadata {}

/// HTTP headers that carry transport state rather than custom metadata.
const TRANSPORT_HEADERS: &[&[u8]] = &[
    b"content-type",
    b"te",
    b"connection",
    b"keep-alive",
    b"proxy-connection",
    b"transfer-encoding",
    b"upgrade",
];

/// Whether a lower-case key belongs to the transport, not the application.
pub(crate) fn is_reserved(key: &[u8]) -> bool {
    key.starts_with(b"grpc-") || key.starts_with(b":") || TRANSPORT_HEADERS.contains(&key)
}

/// Whether a lower-case key names a binary (`-bin`) entry.
pub(crate) fn is_binary(key: &[u8]) -> bool {
    key.ends_with(b"-bin")
}

fn is_key_byte(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'a'..=b'z' | b'-' | b'_' | b'.')
}

/// Lower-cases and checks a key, returning the stored form.
///
/// Reserved keys are refused: they are only ever produced by the transport.
pub(crate) fn normalize_key(key: &str) -> Result<String, InvalidMetadata> {
    if key.is_empty() {
        return Err(InvalidMetadata::new(key, InvalidMetadataKind::EmptyKey));
    }
    let lower = key.to_ascii_lowercase();
    if let Some(&b) = lower.as_bytes().iter().find(|&&b| !is_key_byte(b)) {
        return Err(InvalidMetadata::new(key, InvalidMetadataKind::InvalidKeyByte(b)));
    }
    if is_reserved(lower.as_bytes()) {
        return Err(InvalidMetadata::new(key, InvalidMetadataKind::ReservedKey));
    }
    Ok(lower)
}

/// Like [`normalize_key`], for a key from the wire: `None` if not valid
/// custom metadata.
pub(crate) fn wire_key(name: &[u8]) -> Option<String> {
    let name = std::str::from_utf8(name).ok()?;
    normalize_key(name).ok()
}

/// Whether a byte may appear in an ASCII metadata value.
pub(crate) fn is_value_byte(b: u8) -> bool {
    (0x20..=0x7E).contains(&b)
}

/// Checks a text value for a key.
pub(crate) fn check_ascii(key: &str, stored_key: &str, value: &str) -> Result<(), InvalidMetadata> {
    if is_binary(stored_key.as_bytes()) {
        return Err(InvalidMetadata::new(key, InvalidMetadataKind::BinaryKey));
    }
    match value.bytes().find(|&b| !is_value_byte(b)) {
        Some(b) => Err(InvalidMetadata::new(key, InvalidMetadataKind::InvalidValueByte(b))),
        None => Ok(()),
    }
}

/// Checks that a key may hold a binary value.
pub(crate) fn check_binary(key: &str, stored_key: &str) -> Result<(), InvalidMetadata> {
    if is_binary(stored_key.as_bytes()) {
        Ok(())
    } else {
        Err(InvalidMetadata::new(key, InvalidMetadataKind::NotBinaryKey))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(key: &str) -> InvalidMetadataKind {
        normalize_key(key).unwrap_err().kind()
    }

    #[test]
    fn keys_are_lower_cased() {
        assert_eq!(normalize_key("X-Request-ID").unwrap(), "x-request-id");
        assert_eq!(normalize_key("a.b_c-0").unwrap(), "a.b_c-0");
        assert_eq!(normalize_key("user-agent").unwrap(), "user-agent");
    }

    #[test]
    fn bad_keys() {
        assert_eq!(kind(""), InvalidMetadataKind::EmptyKey);
        assert_eq!(kind("a b"), InvalidMetadataKind::InvalidKeyByte(b' '));
        assert_eq!(kind("é"), InvalidMetadataKind::InvalidKeyByte(0xc3));
        assert_eq!(kind(":path"), InvalidMetadataKind::InvalidKeyByte(b':'));
        assert_eq!(kind("grpc-timeout"), InvalidMetadataKind::ReservedKey);
        assert_eq!(kind("GRPC-Custom"), InvalidMetadataKind::ReservedKey);
        assert_eq!(kind("Content-Type"), InvalidMetadataKind::ReservedKey);
        assert_eq!(kind("te"), InvalidMetadataKind::ReservedKey);
        assert_eq!(kind("connection"), InvalidMetadataKind::ReservedKey);
    }

    #[test]
    fn wire_keys() {
        assert_eq!(wire_key(b"x-a").as_deref(), Some("x-a"));
        assert_eq!(wire_key(b":status"), None);
        assert_eq!(wire_key(b"grpc-status"), None);
        assert_eq!(wire_key(b"\xff"), None);
    }

    #[test]
    fn values() {
        assert!(check_ascii("k", "k", " printable ~").is_ok());
        let err = check_ascii("k", "k", "tab\t").unwrap_err();
        assert_eq!(err.kind(), InvalidMetadataKind::InvalidValueByte(b'\t'));
        assert_eq!(
            check_ascii("K-Bin", "k-bin", "x").unwrap_err().kind(),
            InvalidMetadataKind::BinaryKey
        );
        assert!(check_binary("k-bin", "k-bin").is_ok());
        assert_eq!(check_binary("k", "k").unwrap_err().kind(), InvalidMetadataKind::NotBinaryKey);
    }

    #[test]
    fn display_names_the_key() {
        let err = normalize_key("grpc-x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid metadata for key \"grpc-x\": key is reserved for the transport"
        );
    }
}
