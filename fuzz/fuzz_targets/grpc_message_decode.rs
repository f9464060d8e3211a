//! libFuzzer entry: see `oxgrpc_fuzz::grpc_message_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxgrpc_fuzz::grpc_message_decode::run(data));
