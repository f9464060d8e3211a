//! Custom metadata: the application's headers and trailers.
//!
//! [`Metadata`] is an ordered multimap. Keys are case-insensitive (stored
//! lower-case) and limited to `[0-9a-z-_.]`. Keys ending in `-bin` hold
//! arbitrary bytes, which travel base64-encoded; all other keys hold
//! printable ASCII. Keys the transport owns (`grpc-*`, `content-type`, `te`,
//! pseudo-headers, ...) are refused.

mod key;
mod wire;

use bytes::Bytes;

pub use key::{InvalidMetadata, InvalidMetadataKind};
pub(crate) use wire::{decode_bin, encode_bin};

/// One metadata value: text for ASCII keys, bytes for `-bin` keys.
///
/// ```
/// use oxgrpc::metadata::MetadataValue;
/// let v = MetadataValue::Ascii("abc".into());
/// assert_eq!(v.as_str(), Some("abc"));
/// assert_eq!(v.as_bytes(), b"abc");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MetadataValue {
    /// The value of an ASCII key: printable ASCII only.
    Ascii(String),
    /// The (decoded) value of a `-bin` key.
    Binary(Bytes),
}

impl MetadataValue {
    /// The text, for an ASCII value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            MetadataValue::Ascii(s) => Some(s),
            MetadataValue::Binary(_) => None,
        }
    }

    /// The raw bytes of the value (decoded, for a binary value).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            MetadataValue::Ascii(s) => s.as_bytes(),
            MetadataValue::Binary(b) => b,
        }
    }
}

/// An ordered multimap of custom metadata.
///
/// ```
/// use bytes::Bytes;
/// use oxgrpc::Metadata;
///
/// let mut md = Metadata::new();
/// md.insert("X-Request-Id", "42")?;
/// md.append("x-tag", "a")?;
/// md.append("x-tag", "b")?;
/// md.insert_bin("trace-bin", Bytes::from_static(&[0, 1, 2]))?;
///
/// assert_eq!(md.get("x-request-id"), Some("42"));
/// assert_eq!(md.get_all("x-tag").filter_map(|v| v.as_str()).collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(md.get_bin("trace-bin").as_deref(), Some(&[0, 1, 2][..]));
/// assert_eq!(md.len(), 4);
/// assert!(md.insert("grpc-timeout", "1S").is_err());
/// # Ok::<(), oxgrpc::metadata::InvalidMetadata>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    entries: Vec<(String, MetadataValue)>,
}

impl Metadata {
    /// An empty map.
    pub fn new() -> Metadata {
        Metadata::default()
    }

    /// Sets an ASCII key to one value, replacing all previous values; returns
    /// the first value it replaced.
    ///
    /// Fails for an invalid or reserved key, a `-bin` key (use
    /// [`Metadata::insert_bin`]) or a value outside printable ASCII.
    pub fn insert(&mut self, key: &str, value: &str) -> Result<Option<String>, InvalidMetadata> {
        let stored = key::normalize_key(key)?;
        key::check_ascii(key, &stored, value)?;
        Ok(self.replace(stored, MetadataValue::Ascii(value.to_owned())).map(|old| match old {
            MetadataValue::Ascii(s) => s,
            MetadataValue::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
        }))
    }

    /// Adds a value to an ASCII key, keeping the previous ones.
    pub fn append(&mut self, key: &str, value: &str) -> Result<(), InvalidMetadata> {
        let stored = key::normalize_key(key)?;
        key::check_ascii(key, &stored, value)?;
        self.entries.push((stored, MetadataValue::Ascii(value.to_owned())));
        Ok(())
    }

    /// Sets a `-bin` key to one binary value, replacing all previous values;
    /// returns the first value it replaced.
    pub fn insert_bin(
        &mut self,
        key: &str,
        value: impl Into<Bytes>,
    ) -> Result<Option<Bytes>, InvalidMetadata> {
        let stored = key::normalize_key(key)?;
        key::check_binary(key, &stored)?;
        Ok(self.replace(stored, MetadataValue::Binary(value.into())).map(|old| match old {
            MetadataValue::Binary(b) => b,
            MetadataValue::Ascii(s) => Bytes::from(s),
        }))
    }

    /// Adds a binary value to a `-bin` key, keeping the previous ones.
    pub fn append_bin(
        &mut self,
        key: &str,
        value: impl Into<Bytes>,
    ) -> Result<(), InvalidMetadata> {
        let stored = key::normalize_key(key)?;
        key::check_binary(key, &stored)?;
        self.entries.push((stored, MetadataValue::Binary(value.into())));
        Ok(())
    }

    fn replace(&mut self, key: String, value: MetadataValue) -> Option<MetadataValue> {
        let Some(first) = self.entries.iter().position(|(k, _)| *k == key) else {
            self.entries.push((key, value));
            return None;
        };
        let old = std::mem::replace(&mut self.entries[first].1, value);
        let mut index = 0;
        self.entries.retain(|(k, _)| {
            let keep = index <= first || *k != key;
            index += 1;
            keep
        });
        Some(old)
    }

    /// The first text value of an ASCII key; the key is case-insensitive.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.get_all(key).find_map(MetadataValue::as_str)
    }

    /// The first value of a `-bin` key, decoded.
    pub fn get_bin(&self, key: &str) -> Option<Bytes> {
        self.get_all(key).find_map(|v| match v {
            MetadataValue::Binary(b) => Some(b.clone()),
            MetadataValue::Ascii(_) => None,
        })
    }

    /// All values of a key, in insertion order.
    pub fn get_all<'a>(&'a self, key: &str) -> impl Iterator<Item = &'a MetadataValue> {
        self.entries.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
    }

    /// Whether the key has at least one value.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get_all(key).next().is_some()
    }

    /// Removes every value of a key; returns the first one.
    pub fn remove(&mut self, key: &str) -> Option<MetadataValue> {
        let first = self.entries.iter().position(|(k, _)| k.eq_ignore_ascii_case(key))?;
        let (_, value) = self.entries.remove(first);
        self.entries.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        Some(value)
    }

    /// All entries as (lower-case key, value), in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &MetadataValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Appends every entry of `other`, keeping existing ones.
    ///
    /// ```
    /// use oxgrpc::Metadata;
    /// let mut a = Metadata::new();
    /// a.insert("x-a", "1").unwrap();
    /// let mut b = Metadata::new();
    /// b.insert("x-a", "2").unwrap();
    /// a.extend(b);
    /// assert_eq!(a.get_all("x-a").count(), 2);
    /// ```
    pub fn extend(&mut self, other: Metadata) {
        self.entries.extend(other.entries);
    }

    /// The number of entries (a key with several values counts each).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_replaces_all_values() {
        let mut md = Metadata::new();
        md.append("a", "1").unwrap();
        md.append("b", "x").unwrap();
        md.append("A", "2").unwrap();
        assert_eq!(md.insert("a", "3").unwrap().as_deref(), Some("1"));
        let all: Vec<_> = md.iter().map(|(k, v)| (k, v.as_str().unwrap())).collect();
        assert_eq!(all, [("a", "3"), ("b", "x")]);
        assert_eq!(md.insert("c", "new").unwrap(), None);
        assert_eq!(md.len(), 3);
    }

    #[test]
    fn keys_are_case_insensitive() {
        let mut md = Metadata::new();
        md.insert("X-Mixed", "v").unwrap();
        assert_eq!(md.get("x-mixed"), Some("v"));
        assert_eq!(md.get("X-MIXED"), Some("v"));
        assert!(md.contains_key("x-MIXED"));
        assert_eq!(md.iter().next().unwrap().0, "x-mixed");
    }

    #[test]
    fn binary_values() {
        let mut md = Metadata::new();
        md.insert_bin("k-bin", vec![0xff, 0]).unwrap();
        md.append_bin("k-bin", vec![1]).unwrap();
        assert_eq!(md.get("k-bin"), None);
        assert_eq!(md.get_bin("k-bin").unwrap(), [0xff, 0][..]);
        assert_eq!(md.get_all("k-bin").count(), 2);
        let old = md.insert_bin("K-Bin", Bytes::from_static(b"z")).unwrap();
        assert_eq!(old.unwrap(), [0xff, 0][..]);
        assert_eq!(md.len(), 1);
        assert_eq!(md.get_bin("missing-bin"), None);
    }

    #[test]
    fn refused_entries() {
        let mut md = Metadata::new();
        assert_eq!(md.insert("k-bin", "x").unwrap_err().kind(), InvalidMetadataKind::BinaryKey);
        assert_eq!(md.append("k-bin", "x").unwrap_err().kind(), InvalidMetadataKind::BinaryKey);
        assert_eq!(
            md.insert_bin("k", vec![]).unwrap_err().kind(),
            InvalidMetadataKind::NotBinaryKey
        );
        assert_eq!(
            md.append_bin("k", vec![]).unwrap_err().kind(),
            InvalidMetadataKind::NotBinaryKey
        );
        assert_eq!(
            md.insert("k", "new\nline").unwrap_err().kind(),
            InvalidMetadataKind::InvalidValueByte(b'\n')
        );
        assert_eq!(md.insert("grpc-x", "1").unwrap_err().kind(), InvalidMetadataKind::ReservedKey);
        assert_eq!(
            md.insert_bin("grpc-x-bin", vec![]).unwrap_err().kind(),
            InvalidMetadataKind::ReservedKey
        );
        assert_eq!(md.insert("", "1").unwrap_err().kind(), InvalidMetadataKind::EmptyKey);
        assert!(md.is_empty());
    }

    #[test]
    fn remove_takes_every_value() {
        let mut md = Metadata::new();
        md.append("a", "1").unwrap();
        md.append("b", "2").unwrap();
        md.append("a", "3").unwrap();
        assert_eq!(md.remove("A"), Some(MetadataValue::Ascii("1".into())));
        assert_eq!(md.len(), 1);
        assert_eq!(md.remove("a"), None);
        assert_eq!(md.get("b"), Some("2"));
    }
}
