//! gRPC message framing and compression.
//!
//! Every message on a gRPC stream is a *Length-Prefixed-Message*: one flag
//! byte (1 when compressed), a big-endian `u32` length, then the payload.
//! [`encode_message`] and [`encode_prost`] write them; [`MessageDecoder`]
//! reads them back from DATA frame payloads of any size. Compression uses
//! the algorithm named in `grpc-encoding` ([`CompressionEncoding`]), with a
//! new context per message.

mod compression;
mod decode;
mod encode;

pub use compression::{
    AcceptEncoding, CompressionEncoding, UnsupportedEncoding, compress, decompress,
};
pub use decode::MessageDecoder;
pub use encode::{encode_message, encode_prost};

/// The length of the message prefix: flag byte and `u32` length.
pub const HEADER_LEN: usize = 5;

/// The default limit on a received message: 4 MiB, as in other gRPC
/// implementations.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 4 << 20;
