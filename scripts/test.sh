#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs, then
# runs formatting and lint checks, the Rust tests, and the real-peer tests
# (HTTP/2 peers, gRPC interop with grpcio and grpc-js, h2load).
#
#   scripts/test.sh            everything
#   SKIP_PEERS=1 scripts/test.sh   Rust checks and tests only
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "peers: install (nghttp2, Python h2, grpcio, grpc-js)"
scripts/install-peers.sh
scripts/install-grpc-peers.sh

if ! cargo nextest --version >/dev/null 2>&1; then
    step "installing cargo-nextest"
    cargo install --locked cargo-nextest
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, -D warnings)"
cargo clippy --workspace --all-targets -- -D warnings

step "module layering: no import cycles"
python3 scripts/check-module-cycles.py crates/oxgrpc/src crates/oxgrpc-h2/src \
    crates/oxgrpc-health/src crates/oxgrpc-reflection/src

step "cargo nextest (unit and engine tests)"
cargo nextest run --workspace --no-fail-fast

step "cargo test --doc (documentation examples)"
cargo test --workspace --doc

step "fuzz smoke: each target for ${FUZZ_SECS:-10} s"
scripts/fuzz-smoke.sh

if [ "${SKIP_PEERS:-0}" != 1 ]; then
    step "HTTP/2 peers: nghttp, h2load, nghttpd, Python h2"
    scripts/peer-tests.sh

    step "release build of the servers, clients and the oxgrpc CLI (once, for every step below)"
    cargo build --release -p oxgrpc-examples -p oxgrpc-cli --bins

    step "gRPC peers: Python grpcio and Node grpc-js, both directions"
    SKIP_BUILD=1 scripts/grpc-interop.sh

    step "oxgrpc CLI: the article's grpcurl session, grpcio peers, bench against h2load"
    SKIP_BUILD=1 scripts/cli-tests.sh

    step "h2load: 200,000 unary gRPC calls against helloworld-server"
    SKIP_BUILD=1 scripts/grpc-h2load.sh

    step "faults: 10,000 calls over a link that drops 5% of packets (root only)"
    SKIP_BUILD=1 scripts/fault-tests.sh
fi

step "all checks passed"
