//! libFuzzer entry: see `oxgrpc_fuzz::hpack_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxgrpc_fuzz::hpack_decode::run(data));
