//! libFuzzer entry: see `oxgrpc_fuzz::frame_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxgrpc_fuzz::frame_decode::run(data));
