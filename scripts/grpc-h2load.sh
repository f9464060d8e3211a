#!/usr/bin/env bash
# h2load against helloworld-server: 200,000 unary SayHello calls on
# 16 connections x 32 streams; fails unless every call succeeds with
# grpc-status 0. With BENCH=1 the server is pinned to core 0 (one thread)
# and h2load to core 1, and server CPU per call is reported.
#   OXGRPC_RUNTIME=multi_thread  one worker of tokio's multi-thread runtime
#                                (handlers spawned) instead of current-thread
#   SERVER_BIN=path              another helloworld-server build (before/after)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib-peers.sh

N=${N:-200000}
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    cargo build --release -p oxgrpc-examples --bin helloworld-server
fi
server_bin="${SERVER_BIN:-$TARGET/release/helloworld-server}"
port=$(free_port)
work=$(mktemp -d)
trap 'cleanup_pids || true; rm -rf "$work"' EXIT

# HelloRequest{name: "world"} as one gRPC message: flag 0, length 7.
printf '\x00\x00\x00\x00\x07\x0a\x05world' > "$work/hello.bin"

if [ "${BENCH:-0}" = 1 ]; then
    OXGRPC_THREADS=1 taskset -c 0 "$server_bin" --addr "127.0.0.1:$port" 2>"$work/server.log" &
    pin=(taskset -c 1)
else
    "$server_bin" --addr "127.0.0.1:$port" 2>"$work/server.log" &
    pin=()
fi
pid=$!
PEER_PIDS+=("$pid")
wait_port "$port" "$pid"

ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(ticks)
"${pin[@]}" h2load -n "$N" -c 16 -m 32 -d "$work/hello.bin" \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$port/helloworld.Greeter/SayHello" > "$work/h2load.out" 2>&1 || true
after=$(ticks)
grep -E "finished in|requests:|status codes:" "$work/h2load.out"

summary=$(grep -E "^requests:" "$work/h2load.out" || true)
if ! echo "$summary" | grep -q "$N succeeded, 0 failed, 0 errored"; then
    echo "grpc-h2load: FAILED: $summary"
    exit 1
fi
hz=$(getconf CLK_TCK)
cpu_us=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$N" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')
echo "grpc-h2load: $N calls, 0 failed; server CPU ${cpu_us} us/call"
