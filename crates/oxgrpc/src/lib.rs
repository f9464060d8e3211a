//! oxgrpc: a complete gRPC framework for Rust.

pub mod transport;
