//! Errors reported while decoding a header block.

use std::fmt;

/// Why a header block could not be decoded.
///
/// Every variant except [`DecoderError::HeaderListTooLarge`] means the
/// decoder's state can no longer be trusted to match the peer's encoder: the
/// connection must be closed with `COMPRESSION_ERROR` (RFC 9113 §4.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecoderError {
    /// An integer (RFC 7541 §5.1) does not fit in 32 bits or uses too many continuation bytes.
    IntegerOverflow,
    /// The block ended in the middle of a representation.
    Truncated,
    /// An index (RFC 7541 §2.3.3) is zero or refers past the end of the dynamic table.
    InvalidIndex,
    /// A Huffman-coded string (RFC 7541 §5.2) is malformed: it contains the EOS
    /// symbol, its padding is longer than 7 bits, or the padding is not all ones.
    InvalidHuffman,
    /// A dynamic table size update (RFC 7541 §6.3) exceeds the size we advertised.
    TableSizeUpdateTooLarge,
    /// A dynamic table size update appeared after a header field (RFC 7541 §4.2).
    TableSizeUpdateNotAtStart,
    /// We lowered our advertised table size below the current one, but the block
    /// does not start with the dynamic table size update that must follow (RFC 7541 §4.2).
    TableSizeUpdateMissing,
    /// The decoded header list is larger than the allowed maximum (RFC 9113
    /// §6.5.2, `SETTINGS_MAX_HEADER_LIST_SIZE`). The block was still fully
    /// processed, so the dynamic table is intact: only the stream is affected.
    HeaderListTooLarge,
}

impl DecoderError {
    /// Whether this error breaks the shared compression state, i.e. it is a
    /// connection error of type `COMPRESSION_ERROR`. Only
    /// [`DecoderError::HeaderListTooLarge`] is not.
    pub fn is_compression_error(&self) -> bool {
        !matches!(self, DecoderError::HeaderListTooLarge)
    }
}

impl fmt::Display for DecoderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msg = match self {
            DecoderError::IntegerOverflow => "HPACK integer overflow",
            DecoderError::Truncated => "truncated HPACK header block",
            DecoderError::InvalidIndex => "invalid HPACK table index",
            DecoderError::InvalidHuffman => "invalid Huffman-coded string",
            DecoderError::TableSizeUpdateTooLarge => {
                "dynamic table size update larger than the advertised maximum"
            }
            DecoderError::TableSizeUpdateNotAtStart => {
                "dynamic table size update after the start of a header block"
            }
            DecoderError::TableSizeUpdateMissing => {
                "missing dynamic table size update after the maximum size was lowered"
            }
            DecoderError::HeaderListTooLarge => "header list too large",
        };
        f.write_str(msg)
    }
}

impl std::error::Error for DecoderError {}
