//! A single header field, as carried in a HEADERS block.

use bytes::Bytes;

/// One header field: a name and a value, both raw bytes.
///
/// Names are lower-case on the wire in HTTP/2 (RFC 9113 §8.2.1); pseudo-header
/// names start with `:`. `sensitive` asks the HPACK encoder never to index the
/// field (RFC 7541 §7.1.3), e.g. for credentials.
///
/// ```
/// use oxgrpc_h2::Header;
/// let h = Header::new("content-type", "application/grpc");
/// assert_eq!(&h.name[..], b"content-type");
/// assert!(!h.sensitive);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The field name.
    pub name: Bytes,
    /// The field value.
    pub value: Bytes,
    /// Never index this field in a compression table.
    pub sensitive: bool,
}

impl Header {
    /// A field from anything that converts into [`Bytes`] (static strings do so without copying).
    pub fn new(name: impl Into<Bytes>, value: impl Into<Bytes>) -> Self {
        Header { name: name.into(), value: value.into(), sensitive: false }
    }

    /// The size of the field as RFC 7541 §4.1 counts it: name + value + 32.
    pub fn hpack_size(&self) -> usize {
        self.name.len() + self.value.len() + 32
    }

    /// Whether this is a pseudo-header field (`:method`, `:status`, ...).
    pub fn is_pseudo(&self) -> bool {
        self.name.first() == Some(&b':')
    }
}
