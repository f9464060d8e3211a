//! Tests for the HPACK encoder and decoder as a whole.

mod errors;
mod rfc_examples;
mod round_trip;

use bytes::{Bytes, BytesMut};

use super::table::DynamicTable;
use super::{Decoder, DecoderError, Encoder};
use crate::Header;

/// Parses hex with arbitrary whitespace, as the RFC prints its examples.
fn hex(s: &str) -> Bytes {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert_eq!(digits.len() % 2, 0, "odd number of hex digits");
    let nibble = |d: u8| (d as char).to_digit(16).expect("hex digit") as u8;
    digits.chunks(2).map(|pair| nibble(pair[0]) << 4 | nibble(pair[1])).collect::<Vec<u8>>().into()
}

/// A header from string literals.
fn h(name: &'static str, value: &'static str) -> Header {
    Header::new(name, value)
}

/// Decodes a block with a generous header list limit, returning the fields.
fn decode_all(decoder: &mut Decoder, block: &Bytes) -> Result<Vec<Header>, DecoderError> {
    let mut out = Vec::new();
    decoder.decode(block, usize::MAX, |field| out.push(field))?;
    Ok(out)
}

/// Encodes a block into fresh bytes.
fn encode_all(encoder: &mut Encoder, headers: &[Header]) -> Bytes {
    let mut dst = BytesMut::new();
    encoder.encode(headers, &mut dst);
    dst.freeze()
}

/// The table's entries as `(name, value)` strings, newest first, plus its size.
fn table_contents(table: &DynamicTable) -> (Vec<(String, String)>, usize) {
    let entries = table
        .entries()
        .map(|e| {
            (
                String::from_utf8_lossy(&e.name).into_owned(),
                String::from_utf8_lossy(&e.value).into_owned(),
            )
        })
        .collect();
    (entries, table.size())
}

/// Expected table contents from string pairs.
fn expected_table(entries: &[(&str, &str)], size: usize) -> (Vec<(String, String)>, usize) {
    (entries.iter().map(|&(n, v)| (n.to_owned(), v.to_owned())).collect(), size)
}
