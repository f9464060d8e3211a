//! oxgrpc: a complete gRPC framework for Rust.
//!
//! The protocol building blocks live here: [`Status`] and [`Code`] for call
//! outcomes (with typed error details from [`rpc`]), [`Metadata`] for custom
//! headers and trailers, and [`codec`] for message framing and
//! [`CompressionEncoding`].

pub mod codec;
#[doc(hidden)]
pub mod fuzzing;
pub mod metadata;
pub mod rpc;
pub mod status;
pub mod transport;
mod timeout;

pub use codec::CompressionEncoding;
pub use metadata::Metadata;
pub use status::{Code, Status};
