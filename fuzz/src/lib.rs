//! The fuzz targets' bodies, as plain functions: `cargo fuzz` runs them under
//! libFuzzer (`fuzz_targets/`), and `tests/smoke.rs` runs them on stable Rust
//! over the stored seeds and their mutations.

pub mod frame_decode;
pub mod grpc_message_decode;
pub mod grpc_wire_headers;
pub mod hpack_decode;
