//! Header block decoding (RFC 7541 §3, §6).

use bytes::Bytes;

use super::table::{self, DynamicTable, Entry, STATIC_LEN};
use super::{DecoderError, huffman, integer};
use crate::Header;

/// Decodes header blocks received from the peer, maintaining the dynamic table
/// its encoder populates (RFC 7541 §2.2).
///
/// Decoded names and values share memory with the block where possible: plain
/// string literals are slices of it, static-table entries are `'static`, and
/// dynamic-table hits are refcount clones. Only Huffman-coded strings allocate.
///
/// Memory is bounded by the advertised table size (for the dynamic table) and by
/// the block length (a Huffman string decodes to at most 8/5 of its coded length).
#[derive(Debug)]
pub struct Decoder {
    table: DynamicTable,
    /// The `SETTINGS_HEADER_TABLE_SIZE` we advertised: the upper bound for size updates.
    max_allowed: usize,
    /// Our setting dropped below the table's current maximum, so the next block
    /// must start with a dynamic table size update (RFC 7541 §4.2).
    update_required: bool,
}

/// Running state of one `decode` call: applies `max_header_list_size` and
/// stops emitting once the list is too large.
struct Sink<F> {
    emit: F,
    list_size: usize,
    max_list_size: usize,
    too_large: bool,
}

impl<F: FnMut(Header)> Sink<F> {
    fn push(&mut self, name: Bytes, value: Bytes, sensitive: bool) {
        let header = Header { name, value, sensitive };
        self.list_size = self.list_size.saturating_add(header.hpack_size());
        if self.list_size > self.max_list_size {
            self.too_large = true;
        }
        if !self.too_large {
            (self.emit)(header);
        }
    }
}

impl Decoder {
    /// A decoder for a connection on which we advertised
    /// `SETTINGS_HEADER_TABLE_SIZE = max_table_size` (4096 by default).
    pub fn new(max_table_size: usize) -> Self {
        Decoder {
            table: DynamicTable::new(max_table_size),
            max_allowed: max_table_size,
            update_required: false,
        }
    }

    /// Our advertised `SETTINGS_HEADER_TABLE_SIZE` changed (call once the peer
    /// acknowledged it). Size updates above `max` are rejected from now on, and if
    /// the table's current maximum exceeds `max`, the next block must start with a
    /// size update that brings it down.
    ///
    /// The engine never changes its advertised size after start-up; only
    /// fuzzing and tests call this.
    #[cfg_attr(not(feature = "internals"), allow(dead_code))]
    pub fn set_max_table_size(&mut self, max: usize) {
        self.max_allowed = max;
        self.update_required = self.table.max_size() > max;
    }

    /// Decodes one complete header block, calling `emit` for each field in order.
    ///
    /// The whole block is always processed so the dynamic table stays in sync with
    /// the peer. If the header list (sum of [`Header::hpack_size`]) exceeds
    /// `max_header_list_size`, fields stop being emitted from the one that crosses
    /// the limit and [`DecoderError::HeaderListTooLarge`] is returned at the end;
    /// the decoder stays usable. Any other error is a compression error, after which
    /// the connection must be torn down.
    pub fn decode(
        &mut self,
        block: &Bytes,
        max_header_list_size: usize,
        emit: impl FnMut(Header),
    ) -> Result<(), DecoderError> {
        let mut sink =
            Sink { emit, list_size: 0, max_list_size: max_header_list_size, too_large: false };
        let buf = &block[..];
        let mut pos = 0;
        let mut at_start = true;
        while let Some(&first) = buf.get(pos) {
            if first & 0x80 != 0 {
                // Indexed header field (RFC 7541 §6.1).
                let index = integer::decode(buf, &mut pos, 7)?;
                self.check_update_done()?;
                let (name, value) = self.lookup(index)?;
                sink.push(name, value, false);
            } else if first & 0xc0 == 0x40 {
                // Literal with incremental indexing (RFC 7541 §6.2.1).
                self.check_update_done()?;
                let (name, value) = self.read_literal(block, &mut pos, 6)?;
                let entry = Entry { name: name.clone(), value: value.clone() };
                self.table.insert(entry, |_, _| {});
                sink.push(name, value, false);
            } else if first & 0xe0 == 0x20 {
                // Dynamic table size update (RFC 7541 §6.3).
                if !at_start {
                    return Err(DecoderError::TableSizeUpdateNotAtStart);
                }
                let size = integer::decode(buf, &mut pos, 5)?;
                if size > self.max_allowed {
                    return Err(DecoderError::TableSizeUpdateTooLarge);
                }
                self.table.set_max_size(size, |_, _| {});
                self.update_required = false;
                continue;
            } else {
                // Literal without indexing (0000) or never indexed (0001) (RFC 7541 §6.2.2, §6.2.3).
                self.check_update_done()?;
                let sensitive = first & 0x10 != 0;
                let (name, value) = self.read_literal(block, &mut pos, 4)?;
                sink.push(name, value, sensitive);
            }
            at_start = false;
        }
        if sink.too_large { Err(DecoderError::HeaderListTooLarge) } else { Ok(()) }
    }

    /// Fails if a required size update did not come first in the block.
    fn check_update_done(&self) -> Result<(), DecoderError> {
        if self.update_required { Err(DecoderError::TableSizeUpdateMissing) } else { Ok(()) }
    }

    /// The name and value at HPACK index `index` (RFC 7541 §2.3.3).
    fn lookup(&self, index: usize) -> Result<(Bytes, Bytes), DecoderError> {
        if index <= STATIC_LEN {
            return table::static_entry(index).ok_or(DecoderError::InvalidIndex);
        }
        let entry = self.table.get(index - STATIC_LEN - 1).ok_or(DecoderError::InvalidIndex)?;
        Ok((entry.name.clone(), entry.value.clone()))
    }

    /// Reads a literal representation whose name index has a `prefix_bits`-bit
    /// prefix: the name (indexed, or a literal if the index is 0), then the value.
    fn read_literal(
        &self,
        block: &Bytes,
        pos: &mut usize,
        prefix_bits: u8,
    ) -> Result<(Bytes, Bytes), DecoderError> {
        let name_index = integer::decode(block, pos, prefix_bits)?;
        let name =
            if name_index == 0 { read_string(block, pos)? } else { self.lookup(name_index)?.0 };
        let value = read_string(block, pos)?;
        Ok((name, value))
    }

    /// The dynamic table, for tests.
    #[cfg(test)]
    pub(super) fn table(&self) -> &DynamicTable {
        &self.table
    }
}

/// Reads a string literal (RFC 7541 §5.2): plain strings are zero-copy slices
/// of `block`, Huffman-coded ones are decoded into a new buffer.
fn read_string(block: &Bytes, pos: &mut usize) -> Result<Bytes, DecoderError> {
    let huffman = block.get(*pos).ok_or(DecoderError::Truncated)? & 0x80 != 0;
    let len = integer::decode(block, pos, 7)?;
    let start = *pos;
    let end =
        start.checked_add(len).filter(|&end| end <= block.len()).ok_or(DecoderError::Truncated)?;
    *pos = end;
    if huffman {
        Ok(Bytes::from(huffman::decode(&block[start..end])?))
    } else {
        Ok(block.slice(start..end))
    }
}
