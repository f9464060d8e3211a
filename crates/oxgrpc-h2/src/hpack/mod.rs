//! HPACK header compression (RFC 7541).
//!
//! [`Encoder`] turns a list of [`Header`](crate::Header)s into a header block
//! (the payload of HEADERS + CONTINUATION frames); [`Decoder`] does the
//! reverse. Each side keeps a dynamic table that must stay in sync with the
//! peer's, so every header block received on a connection has to go through
//! [`Decoder::decode`] in order, even blocks whose stream is being refused.
//!
//! ```
//! use bytes::BytesMut;
//! use oxgrpc_h2::Header;
//! use oxgrpc_h2::hpack::{Decoder, Encoder};
//!
//! let headers = [Header::new(":method", "POST"), Header::new("te", "trailers")];
//! let mut encoder = Encoder::new();
//! let mut block = BytesMut::new();
//! encoder.encode(&headers, &mut block);
//!
//! let mut decoder = Decoder::new(4096);
//! let mut decoded = Vec::new();
//! decoder.decode(&block.freeze(), 16 * 1024, |h| decoded.push(h)).unwrap();
//! assert_eq!(decoded, headers);
//! ```

mod decoder;
mod encoder;
mod error;
mod huffman;
mod huffman_table;
mod integer;
mod table;

#[cfg(test)]
mod tests;

pub use decoder::Decoder;
pub use encoder::Encoder;
pub use error::DecoderError;
