//! Header block encoding (RFC 7541 §3, §6).

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};

use bytes::{BufMut, BytesMut};

use super::table::{DynamicTable, Entry, STATIC_LEN, StaticMatch, static_lookup};
use super::{huffman, integer};
use crate::Header;

/// The table size the encoder starts with: the protocol default (RFC 9113 §6.5.2).
const DEFAULT_TABLE_SIZE: usize = 4096;

/// The encoder never uses a larger dynamic table than this, whatever the peer
/// allows: the table holds references to our own header data, and gRPC's
/// repeated fields fit easily. Using less than the peer permits is always
/// legal (RFC 7541 §4.2).
const MAX_ENCODER_TABLE_SIZE: usize = DEFAULT_TABLE_SIZE;

/// Fields whose values change on (nearly) every message, so indexing them would
/// only evict useful entries. They are sent as literals without indexing.
const NEVER_INDEXED_NAMES: [&[u8]; 8] = [
    b":path",
    b"content-length",
    b"grpc-timeout",
    b"grpc-message",
    b"grpc-status-details-bin",
    b"date",
    b"etag",
    b"if-modified-since",
];

/// Maps precomputed 64-bit hashes to sequence numbers; the key already is a hash.
type SeqMap = HashMap<u64, u64, BuildHasherDefault<PassThroughHasher>>;

/// A [`Hasher`] for keys that are already well-mixed 64-bit hashes.
#[derive(Default)]
struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// How one field will be represented.
enum Plan {
    /// Indexed header field (RFC 7541 §6.1).
    Indexed(usize),
    /// Literal (RFC 7541 §6.2) with this kind and name index (0 = literal name).
    Literal(Kind, usize),
}

/// The three literal representations.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// With incremental indexing (RFC 7541 §6.2.1).
    Incremental,
    /// Without indexing (RFC 7541 §6.2.2).
    WithoutIndexing,
    /// Never indexed (RFC 7541 §6.2.3), for sensitive fields.
    NeverIndexed,
}

impl Kind {
    /// The representation's pattern bits and the size of its name-index prefix.
    fn flags_and_prefix(self) -> (u8, u8) {
        match self {
            Kind::Incremental => (0x40, 6),
            Kind::WithoutIndexing => (0x00, 4),
            Kind::NeverIndexed => (0x10, 4),
        }
    }
}

/// Encodes header blocks for the peer, maintaining our dynamic table (RFC 7541 §2.2).
///
/// Fields found in the static or dynamic table become a single index; other
/// fields are literals, added to the dynamic table unless they are not worth
/// it (per-request values like `:path` or `grpc-timeout`, very long values) or
/// are marked [`Header::sensitive`] (sent never-indexed, RFC 7541 §7.1.3).
/// Strings are Huffman-coded when that is shorter.
///
/// Lookups are O(1): static matches are found by matching on the name, and
/// dynamic entries through a hash map from (name, value) and from name to the
/// entry's sequence number. Encoding fields that are already in a table
/// allocates nothing besides the output.
#[derive(Debug)]
pub struct Encoder {
    table: DynamicTable,
    /// Hash of (name, value) → sequence number of the newest entry with them.
    by_field: SeqMap,
    /// Hash of name → sequence number of the newest entry with that name.
    by_name: SeqMap,
    hasher: RandomState,
    /// Smallest table size set since the last block, if the size changed (RFC 7541 §4.2).
    pending_min_size: Option<usize>,
    /// Tests only: `Some(h)` forces every string to be Huffman-coded (`true`) or
    /// not (`false`) instead of picking the shorter form.
    #[cfg(test)]
    force_huffman: Option<bool>,
    /// Tests only: index fields regardless of [`NEVER_INDEXED_NAMES`] and value length.
    #[cfg(test)]
    index_everything: bool,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder::new()
    }
}

impl Encoder {
    /// An encoder with the default 4096-byte dynamic table.
    pub fn new() -> Self {
        Encoder {
            table: DynamicTable::new(DEFAULT_TABLE_SIZE),
            by_field: SeqMap::default(),
            by_name: SeqMap::default(),
            hasher: RandomState::new(),
            pending_min_size: None,
            #[cfg(test)]
            force_huffman: None,
            #[cfg(test)]
            index_everything: false,
        }
    }

    /// An encoder with knobs that reproduce the choices made in RFC 7541 Appendix C.
    #[cfg(test)]
    pub(super) fn with_options(huffman: bool, index_everything: bool) -> Self {
        Encoder { force_huffman: Some(huffman), index_everything, ..Encoder::new() }
    }

    /// The dynamic table, for tests.
    #[cfg(test)]
    pub(super) fn table(&self) -> &DynamicTable {
        &self.table
    }

    /// The peer's `SETTINGS_HEADER_TABLE_SIZE` changed. The encoder uses up to
    /// `max` bytes (capped at 4096) and, if its table size changes, signals the new
    /// size at the start of the next header block; if the size went down and back
    /// up in between, the smallest size is signalled first (RFC 7541 §4.2, §6.3).
    pub fn set_max_table_size(&mut self, max: usize) {
        let size = max.min(MAX_ENCODER_TABLE_SIZE);
        if size == self.table.max_size() && self.pending_min_size.is_none() {
            return;
        }
        self.pending_min_size = Some(self.pending_min_size.map_or(size, |min| min.min(size)));
        let (by_field, by_name, hasher) = (&mut self.by_field, &mut self.by_name, &self.hasher);
        self.table.set_max_size(size, |seq, entry| forget(by_field, by_name, hasher, seq, entry));
    }

    /// Encodes a whole header block (all fields of one HEADERS + CONTINUATION
    /// sequence) into `dst`.
    pub fn encode<'a, I: IntoIterator<Item = &'a Header>>(
        &mut self,
        headers: I,
        dst: &mut BytesMut,
    ) {
        if let Some(min) = self.pending_min_size.take() {
            let size = self.table.max_size();
            if min < size {
                integer::encode(min, 5, 0x20, dst);
            }
            integer::encode(size, 5, 0x20, dst);
        }
        for header in headers {
            self.encode_field(header, dst);
        }
    }

    fn encode_field(&mut self, header: &Header, dst: &mut BytesMut) {
        match self.plan(header) {
            Plan::Indexed(index) => integer::encode(index, 7, 0x80, dst),
            Plan::Literal(kind, name_index) => {
                let (flags, prefix) = kind.flags_and_prefix();
                integer::encode(name_index, prefix, flags, dst);
                if name_index == 0 {
                    self.write_string(&header.name, dst);
                }
                self.write_string(&header.value, dst);
                if kind == Kind::Incremental {
                    self.insert(header);
                }
            }
        }
    }

    /// Chooses the representation of `header`.
    fn plan(&self, header: &Header) -> Plan {
        let static_match = static_lookup(&header.name, &header.value);
        if header.sensitive {
            return Plan::Literal(Kind::NeverIndexed, self.name_index(header, static_match));
        }
        if let StaticMatch::Full(index) = static_match {
            return Plan::Indexed(index);
        }
        let field_hash = self.field_hash(&header.name, &header.value);
        if let Some(pos) =
            self.by_field.get(&field_hash).and_then(|&seq| self.table.position_of(seq))
        {
            if self.table.get(pos).is_some_and(|e| e.name == header.name && e.value == header.value)
            {
                return Plan::Indexed(STATIC_LEN + 1 + pos);
            }
        }
        let kind =
            if self.worth_indexing(header) { Kind::Incremental } else { Kind::WithoutIndexing };
        Plan::Literal(kind, self.name_index(header, static_match))
    }

    /// The index of an entry with the header's name (static preferred), or 0.
    fn name_index(&self, header: &Header, static_match: StaticMatch) -> usize {
        match static_match {
            StaticMatch::Full(index) | StaticMatch::Name(index) => index,
            StaticMatch::None => self
                .by_name
                .get(&self.name_hash(&header.name))
                .and_then(|&seq| self.table.position_of(seq))
                .filter(|&pos| self.table.get(pos).is_some_and(|e| e.name == header.name))
                .map_or(0, |pos| STATIC_LEN + 1 + pos),
        }
    }

    /// Whether a literal field should be added to the dynamic table.
    fn worth_indexing(&self, header: &Header) -> bool {
        let max = self.table.max_size();
        if header.hpack_size() > max {
            return false;
        }
        #[cfg(test)]
        if self.index_everything {
            return true;
        }
        header.value.len() <= max / 2 && !NEVER_INDEXED_NAMES.contains(&&header.name[..])
    }

    /// Adds a field to the dynamic table and the lookup maps.
    fn insert(&mut self, header: &Header) {
        let entry = Entry { name: header.name.clone(), value: header.value.clone() };
        let (by_field, by_name, hasher) = (&mut self.by_field, &mut self.by_name, &self.hasher);
        let evict = |seq, entry: &Entry| forget(by_field, by_name, hasher, seq, entry);
        if let Some(seq) = self.table.insert(entry, evict) {
            self.by_field.insert(self.field_hash(&header.name, &header.value), seq);
            self.by_name.insert(self.name_hash(&header.name), seq);
        }
    }

    /// Writes a string literal (RFC 7541 §5.2), Huffman-coded if that is shorter.
    fn write_string(&self, s: &[u8], dst: &mut BytesMut) {
        let coded_len = huffman::encoded_len(s);
        let use_huffman = coded_len < s.len();
        #[cfg(test)]
        let use_huffman = self.force_huffman.unwrap_or(use_huffman);
        if use_huffman {
            integer::encode(coded_len, 7, 0x80, dst);
            huffman::encode(s, dst);
        } else {
            integer::encode(s.len(), 7, 0x00, dst);
            dst.put_slice(s);
        }
    }

    fn field_hash(&self, name: &[u8], value: &[u8]) -> u64 {
        field_hash(&self.hasher, name, value)
    }

    fn name_hash(&self, name: &[u8]) -> u64 {
        self.hasher.hash_one(name)
    }
}

/// Hash of a (name, value) pair; `Hash` for slices includes the length, so
/// the boundary between name and value is unambiguous.
fn field_hash(hasher: &RandomState, name: &[u8], value: &[u8]) -> u64 {
    hasher.hash_one((name, value))
}

/// Drops the map entries pointing at an evicted table entry (unless a newer
/// entry with the same key has replaced them).
fn forget(
    by_field: &mut SeqMap,
    by_name: &mut SeqMap,
    hasher: &RandomState,
    seq: u64,
    entry: &Entry,
) {
    let field_key = field_hash(hasher, &entry.name, &entry.value);
    if by_field.get(&field_key) == Some(&seq) {
        by_field.remove(&field_key);
    }
    let name_key = hasher.hash_one(&entry.name[..]);
    if by_name.get(&name_key) == Some(&seq) {
        by_name.remove(&name_key);
    }
}
