#!/usr/bin/env bash
# The `oxgrpc` CLI end to end:
#   1. tests/cli (pytest): the article's grpcurl session with oxgrpc, the
#      native commands, and the same commands against a grpcio server;
#   2. `oxgrpc bench` against h2load on the same helloworld-server: 100,000
#      calls on 16 connections each; the two mean latencies must agree
#      within 20%, and bench's own CPU per call is printed.
#
# Environment: SKIP_BUILD=1 (binaries already in $CARGO_TARGET_DIR/release),
# N (calls per load run, default 100000), STREAMS (calls in flight per
# connection, default 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib-peers.sh

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    cargo build --release -p oxgrpc-cli -p oxgrpc-examples --bins
fi
export OXGRPC_BIN="$TARGET/release/oxgrpc"
export BOOKSTORE_SERVER="$TARGET/release/bookstore-server"
export PEERS_PYTHON="$VENV_PY"

echo "== tests/cli: oxgrpc against bookstore-server and a grpcio server"
"$VENV_PY" -m pytest -q tests/cli

N=${N:-100000}
STREAMS=${STREAMS:-1}
port=$(free_port)
work=$(mktemp -d)
trap 'cleanup_pids || true; rm -rf "$work"' EXIT
OXGRPC_THREADS=1 taskset -c 0 "$TARGET/release/helloworld-server" --addr "127.0.0.1:$port" 2>"$work/server.log" &
PEER_PIDS+=("$!")
wait_port "$port" "$!"

# h2load's mean "time for request", in microseconds.
printf '\x00\x00\x00\x00\x07\x0a\x05world' > "$work/hello.bin"
taskset -c 1 h2load -n "$N" -c 16 -m "$STREAMS" -d "$work/hello.bin" \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$port/helloworld.Greeter/SayHello" > "$work/h2load.out" 2>&1 || true
grep -q "$N succeeded, 0 failed, 0 errored" "$work/h2load.out" || { cat "$work/h2load.out"; exit 1; }
h2load_mean=$(awk '/^time for request:/ {
    v = $6; if (v ~ /ms$/) { sub(/ms$/, "", v); v *= 1000 } else if (v ~ /us$/) { sub(/us$/, "", v) } else { sub(/s$/, "", v); v *= 1e6 }
    print v }' "$work/h2load.out")

# oxgrpc bench on the same server, same connections and calls in flight.
/usr/bin/time -f '%U %S' -o "$work/bench.cpu" taskset -c 1 "$OXGRPC_BIN" bench "127.0.0.1:$port" \
    helloworld.Greeter/SayHello -d '{"name":"world"}' --connections 16 \
    --concurrency $((16 * STREAMS)) --total "$N" --json > "$work/bench.json"
read -r bench_mean bench_count bench_ok < <("$VENV_PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["average_us"], s["count"], s["status_codes"].get("OK", 0))' "$work/bench.json")
cpu_us=$(awk -v n="$N" '{ printf "%.2f", ($1 + $2) * 1e6 / n }' "$work/bench.cpu")
echo "cli-tests: h2load mean ${h2load_mean} us; oxgrpc bench mean ${bench_mean} us (${bench_ok}/${bench_count} OK); bench CPU ${cpu_us} us/call (16 connections, $((16 * STREAMS)) in flight)"
[ "$bench_ok" = "$N" ] || { echo "cli-tests: FAILED: bench calls failed"; exit 1; }
awk -v a="$bench_mean" -v b="$h2load_mean" 'BEGIN { r = a / b; printf "cli-tests: bench/h2load mean ratio %.2f\n", r; exit !(r >= 0.8 && r <= 1.2) }' \
    || { echo "cli-tests: FAILED: the means differ by more than 20%"; exit 1; }
echo "cli-tests: passed"
