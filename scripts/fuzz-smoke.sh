#!/usr/bin/env bash
# A short fuzz run of every target, in the test command.
#
# With a nightly toolchain and cargo-fuzz: libFuzzer, coverage-guided, for
# FUZZ_SECS (default 10) per target, starting from fuzz/seeds/. Without
# (the usual case here: only the stable toolchain exists): the libFuzzer
# binaries are type-checked, and fuzz/tests/smoke.rs replays every seed and
# then mutates them for FUZZ_SECS per target through the same entry points.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
secs=${FUZZ_SECS:-10}
targets=(frame_decode hpack_decode grpc_message_decode grpc_wire_headers)

if cargo +nightly fuzz --version >/dev/null 2>&1; then
    for target in "${targets[@]}"; do
        echo "fuzz-smoke: cargo +nightly fuzz run $target for $secs s"
        mkdir -p "fuzz/corpus/$target"
        (cd fuzz && cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
            -max_total_time="$secs")
    done
    exit 0
fi

echo "fuzz-smoke: no nightly cargo-fuzz; stable replay and mutation of fuzz/seeds for $secs s per target"
cargo check --quiet --manifest-path fuzz/Cargo.toml --bins --target-dir target
OXGRPC_FUZZ_SECS="$secs" cargo test --quiet --manifest-path fuzz/Cargo.toml --target-dir target -- --nocapture
