//! oxgrpc: a complete gRPC framework for Rust.
