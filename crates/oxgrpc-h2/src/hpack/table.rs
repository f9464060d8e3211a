//! The static table (RFC 7541 Appendix A) and the dynamic table (RFC 7541 §2.3.2, §4).

use std::collections::VecDeque;

use bytes::Bytes;

/// Extra bytes counted per entry on top of name and value (RFC 7541 §4.1).
pub(super) const ENTRY_OVERHEAD: usize = 32;

/// Number of entries in the static table; dynamic indexes start right after.
pub(super) const STATIC_LEN: usize = STATIC_TABLE.len();

/// The static table (RFC 7541 Appendix A); HPACK index `i` is `STATIC_TABLE[i - 1]`.
pub(super) const STATIC_TABLE: [(&[u8], &[u8]); 61] = [
    (b":authority", b""),
    (b":method", b"GET"),
    (b":method", b"POST"),
    (b":path", b"/"),
    (b":path", b"/index.html"),
    (b":scheme", b"http"),
    (b":scheme", b"https"),
    (b":status", b"200"),
    (b":status", b"204"),
    (b":status", b"206"),
    (b":status", b"304"),
    (b":status", b"400"),
    (b":status", b"404"),
    (b":status", b"500"),
    (b"accept-charset", b""),
    (b"accept-encoding", b"gzip, deflate"),
    (b"accept-language", b""),
    (b"accept-ranges", b""),
    (b"accept", b""),
    (b"access-control-allow-origin", b""),
    (b"age", b""),
    (b"allow", b""),
    (b"authorization", b""),
    (b"cache-control", b""),
    (b"content-disposition", b""),
    (b"content-encoding", b""),
    (b"content-language", b""),
    (b"content-length", b""),
    (b"content-location", b""),
    (b"content-range", b""),
    (b"content-type", b""),
    (b"cookie", b""),
    (b"date", b""),
    (b"etag", b""),
    (b"expect", b""),
    (b"expires", b""),
    (b"from", b""),
    (b"host", b""),
    (b"if-match", b""),
    (b"if-modified-since", b""),
    (b"if-none-match", b""),
    (b"if-range", b""),
    (b"if-unmodified-since", b""),
    (b"last-modified", b""),
    (b"link", b""),
    (b"location", b""),
    (b"max-forwards", b""),
    (b"proxy-authenticate", b""),
    (b"proxy-authorization", b""),
    (b"range", b""),
    (b"referer", b""),
    (b"refresh", b""),
    (b"retry-after", b""),
    (b"server", b""),
    (b"set-cookie", b""),
    (b"strict-transport-security", b""),
    (b"transfer-encoding", b""),
    (b"user-agent", b""),
    (b"vary", b""),
    (b"via", b""),
    (b"www-authenticate", b""),
];

/// The static entry at HPACK index `index` (1-based), as zero-copy [`Bytes`].
pub(super) fn static_entry(index: usize) -> Option<(Bytes, Bytes)> {
    let (name, value) = *STATIC_TABLE.get(index.checked_sub(1)?)?;
    Some((Bytes::from_static(name), Bytes::from_static(value)))
}

/// Result of looking a field up in the static table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StaticMatch {
    /// Neither name nor value is in the table.
    None,
    /// The name is at this index, with a different value.
    Name(usize),
    /// Name and value are at this index.
    Full(usize),
}

/// Finds `name`/`value` in the static table without scanning it: the name
/// selects the (short) run of entries sharing it, then only those values are compared.
pub(super) fn static_lookup(name: &[u8], value: &[u8]) -> StaticMatch {
    let Some((first, count)) = static_name_run(name) else {
        return StaticMatch::None;
    };
    for index in first..first + count {
        if STATIC_TABLE[index - 1].1 == value {
            return StaticMatch::Full(index);
        }
    }
    StaticMatch::Name(first)
}

/// `(first index, number of entries)` of the static entries named `name`.
fn static_name_run(name: &[u8]) -> Option<(usize, usize)> {
    let run = match name {
        b":authority" => (1, 1),
        b":method" => (2, 2),
        b":path" => (4, 2),
        b":scheme" => (6, 2),
        b":status" => (8, 7),
        b"accept-charset" => (15, 1),
        b"accept-encoding" => (16, 1),
        b"accept-language" => (17, 1),
        b"accept-ranges" => (18, 1),
        b"accept" => (19, 1),
        b"access-control-allow-origin" => (20, 1),
        b"age" => (21, 1),
        b"allow" => (22, 1),
        b"authorization" => (23, 1),
        b"cache-control" => (24, 1),
        b"content-disposition" => (25, 1),
        b"content-encoding" => (26, 1),
        b"content-language" => (27, 1),
        b"content-length" => (28, 1),
        b"content-location" => (29, 1),
        b"content-range" => (30, 1),
        b"content-type" => (31, 1),
        b"cookie" => (32, 1),
        b"date" => (33, 1),
        b"etag" => (34, 1),
        b"expect" => (35, 1),
        b"expires" => (36, 1),
        b"from" => (37, 1),
        b"host" => (38, 1),
        b"if-match" => (39, 1),
        b"if-modified-since" => (40, 1),
        b"if-none-match" => (41, 1),
        b"if-range" => (42, 1),
        b"if-unmodified-since" => (43, 1),
        b"last-modified" => (44, 1),
        b"link" => (45, 1),
        b"location" => (46, 1),
        b"max-forwards" => (47, 1),
        b"proxy-authenticate" => (48, 1),
        b"proxy-authorization" => (49, 1),
        b"range" => (50, 1),
        b"referer" => (51, 1),
        b"refresh" => (52, 1),
        b"retry-after" => (53, 1),
        b"server" => (54, 1),
        b"set-cookie" => (55, 1),
        b"strict-transport-security" => (56, 1),
        b"transfer-encoding" => (57, 1),
        b"user-agent" => (58, 1),
        b"vary" => (59, 1),
        b"via" => (60, 1),
        b"www-authenticate" => (61, 1),
        _ => return None,
    };
    Some(run)
}

/// One dynamic table entry. Both parts are [`Bytes`], so handing an entry out is a refcount bump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// The field name.
    pub(super) name: Bytes,
    /// The field value.
    pub(super) value: Bytes,
}

impl Entry {
    /// The entry's size as RFC 7541 §4.1 counts it.
    pub(super) fn size(&self) -> usize {
        self.name.len() + self.value.len() + ENTRY_OVERHEAD
    }
}

/// The dynamic table (RFC 7541 §2.3.2): newest entry first, evicting the
/// oldest entries whenever the size would exceed the maximum (RFC 7541 §4.4).
///
/// Every inserted entry gets a sequence number (0, 1, 2, ...) that never
/// changes, so the encoder can remember where a field lives without
/// rewriting its index map when entries shift.
#[derive(Debug)]
pub(super) struct DynamicTable {
    entries: VecDeque<Entry>,
    size: usize,
    max_size: usize,
    /// Number of entries ever inserted: the sequence number of the next one.
    inserted: u64,
}

impl DynamicTable {
    /// An empty table that may grow to `max_size`.
    pub(super) fn new(max_size: usize) -> Self {
        DynamicTable { entries: VecDeque::new(), size: 0, max_size, inserted: 0 }
    }

    /// The current size of all entries (RFC 7541 §4.1).
    #[cfg(test)]
    pub(super) fn size(&self) -> usize {
        self.size
    }

    /// The maximum size the table may grow to.
    pub(super) fn max_size(&self) -> usize {
        self.max_size
    }

    /// Number of entries.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entry at 0-based position `pos` (0 is the newest, HPACK index 62).
    pub(super) fn get(&self, pos: usize) -> Option<&Entry> {
        self.entries.get(pos)
    }

    /// The entries, newest first.
    #[cfg(test)]
    pub(super) fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// The current position of the entry with sequence number `seq`, if it is still in the table.
    pub(super) fn position_of(&self, seq: u64) -> Option<usize> {
        let age = self.inserted.checked_sub(seq)?.checked_sub(1)?;
        let age = usize::try_from(age).ok()?;
        (age < self.entries.len()).then_some(age)
    }

    /// Changes the maximum size, evicting entries that no longer fit (RFC 7541 §4.3).
    /// `on_evict` sees the sequence number and contents of each evicted entry.
    pub(super) fn set_max_size(&mut self, max_size: usize, on_evict: impl FnMut(u64, &Entry)) {
        self.max_size = max_size;
        self.evict_to(max_size, on_evict);
    }

    /// Inserts a new entry at the front, first evicting old entries to make room
    /// (RFC 7541 §4.4). An entry larger than the maximum empties the table and
    /// is not inserted. Returns the new entry's sequence number if it was inserted.
    pub(super) fn insert(
        &mut self,
        entry: Entry,
        on_evict: impl FnMut(u64, &Entry),
    ) -> Option<u64> {
        let entry_size = entry.size();
        if entry_size > self.max_size {
            self.evict_to(0, on_evict);
            return None;
        }
        self.evict_to(self.max_size - entry_size, on_evict);
        self.size += entry_size;
        self.entries.push_front(entry);
        let seq = self.inserted;
        self.inserted += 1;
        Some(seq)
    }

    /// Evicts the oldest entries until the size is at most `target`.
    fn evict_to(&mut self, target: usize, mut on_evict: impl FnMut(u64, &Entry)) {
        while self.size > target {
            let Some(oldest) = self.entries.pop_back() else {
                break;
            };
            self.size -= oldest.size();
            let seq = self.inserted - self.entries.len() as u64 - 1;
            on_evict(seq, &oldest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &'static str, value: &'static str) -> Entry {
        Entry {
            name: Bytes::from_static(name.as_bytes()),
            value: Bytes::from_static(value.as_bytes()),
        }
    }

    #[test]
    fn static_lookup_agrees_with_table() {
        for (i, &(name, value)) in STATIC_TABLE.iter().enumerate() {
            let index = i + 1;
            assert_eq!(static_lookup(name, value), StaticMatch::Full(index));
            let first = STATIC_TABLE.iter().position(|e| e.0 == name).map(|p| p + 1);
            assert_eq!(static_lookup(name, b"\x00nope"), StaticMatch::Name(first.unwrap_or(0)));
            assert_eq!(
                static_entry(index),
                Some((Bytes::from_static(name), Bytes::from_static(value)))
            );
        }
        assert_eq!(static_lookup(b"grpc-status", b"0"), StaticMatch::None);
        assert_eq!(static_entry(0), None);
        assert_eq!(static_entry(62), None);
    }

    #[test]
    fn eviction_and_sequence_numbers() {
        let mut evicted = Vec::new();
        // Each entry below is 1 + 1 + 32 = 34 bytes; room for three.
        let mut t = DynamicTable::new(34 * 3);
        for (i, name) in ["a", "b", "c", "d"].into_iter().enumerate() {
            let seq = t.insert(entry(name, "x"), |s, e| evicted.push((s, e.clone())));
            assert_eq!(seq, Some(i as u64));
        }
        assert_eq!(evicted, [(0, entry("a", "x"))]);
        assert_eq!(t.len(), 3);
        assert_eq!(t.size(), 102);
        assert_eq!(t.get(0), Some(&entry("d", "x")));
        assert_eq!(t.position_of(3), Some(0));
        assert_eq!(t.position_of(1), Some(2));
        assert_eq!(t.position_of(0), None);
        assert_eq!(t.position_of(4), None);

        evicted.clear();
        t.set_max_size(40, |s, e| evicted.push((s, e.clone())));
        assert_eq!(evicted, [(1, entry("b", "x")), (2, entry("c", "x"))]);
        assert_eq!(t.len(), 1);

        // Too large to fit at all: empties the table.
        evicted.clear();
        assert_eq!(
            t.insert(entry("long-name", "long-value"), |s, _| evicted.push((s, entry("", "")))),
            None
        );
        assert_eq!(t.len(), 0);
        assert_eq!(t.size(), 0);
        assert_eq!(evicted.len(), 1);
    }
}
