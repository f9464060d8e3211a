//! libFuzzer entry: see `oxgrpc_fuzz::grpc_wire_headers`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxgrpc_fuzz::grpc_wire_headers::run(data));
