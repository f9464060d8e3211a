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
export HELLO_SERVER="$TARGET/release/helloworld-server"
export TLS_CERTS_BIN="$TARGET/release/tls-certs"
export PEERS_PYTHON="$VENV_PY"

echo "== tests/cli: oxgrpc against bookstore-server and a grpcio server"
"$VENV_PY" -m pytest -q tests/cli

N=${N:-100000}
RATE=${RATE:-20000}
port=$(free_port)
work=$(mktemp -d)
trap 'cleanup_pids || true; rm -rf "$work"' EXIT
OXGRPC_THREADS=1 taskset -c 0 "$TARGET/release/helloworld-server" --addr "127.0.0.1:$port" 2>"$work/server.log" &
PEER_PIDS+=("$!")
wait_port "$port" "$!"
printf '\x00\x00\x00\x00\x07\x0a\x05world' > "$work/hello.bin"

# h2load_run OUT [h2load options]: N calls on 16 connections, one in flight
# each; prints "MEAN_US CPU_US_PER_CALL".
h2load_run() {
    local out=$1; shift
    /usr/bin/time -f '%U %S' -o "$out.cpu" taskset -c 1 h2load -n "$N" -c 16 -m 1 "$@" -d "$work/hello.bin" \
        -H 'content-type: application/grpc' -H 'te: trailers' \
        "http://127.0.0.1:$port/helloworld.Greeter/SayHello" > "$out" 2>&1 || true
    grep -q "$N succeeded, 0 failed, 0 errored" "$out" || { cat "$out" >&2; return 1; }
    awk '/^time for request:/ {
        v = $6; if (v ~ /ms$/) { sub(/ms$/, "", v); v *= 1000 } else if (v ~ /us$/) { sub(/us$/, "", v) } else { sub(/s$/, "", v); v *= 1e6 }
        printf "%s ", v }' "$out"
    awk -v n="$N" '{ printf "%.2f\n", ($1 + $2) * 1e6 / n }' "$out.cpu"
}

# bench_run OUT [bench options]: the same load from oxgrpc bench.
bench_run() {
    local out=$1; shift
    /usr/bin/time -f '%U %S' -o "$out.cpu" taskset -c 1 "$OXGRPC_BIN" bench "127.0.0.1:$port" \
        helloworld.Greeter/SayHello -d '{"name":"world"}' --connections 16 --concurrency 16 \
        --total "$N" "$@" --json > "$out"
    "$VENV_PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["status_codes"] == {"OK": int(sys.argv[2])}, s["status_codes"]
print(s["average_us"], end=" ")' "$out" "$N"
    awk -v n="$N" '{ printf "%.2f\n", ($1 + $2) * 1e6 / n }' "$out.cpu"
}

echo "== load: $N calls on 16 connections, as fast as they go (client CPU per call)"
read -r h_mean h_cpu < <(h2load_run "$work/h2load-max")
read -r b_mean b_cpu < <(bench_run "$work/bench-max.json")
echo "cli-tests: unthrottled: h2load mean ${h_mean} us, ${h_cpu} us CPU/call; oxgrpc bench mean ${b_mean} us, ${b_cpu} us CPU/call"

# Both clients saturate their core when unthrottled, and h2load leaves its
# own queueing out of its times, so the means are compared at a rate
# neither client saturates.
echo "== load: $N calls on 16 connections at $RATE calls/s (best of 3: the machine is shared)"
for attempt in 1 2 3; do
    read -r h_mean h_cpu < <(h2load_run "$work/h2load-rate" --rps $((RATE / 16)))
    read -r b_mean b_cpu < <(bench_run "$work/bench-rate.json" --rps "$RATE")
    echo "cli-tests: at $RATE/s: h2load mean ${h_mean} us; oxgrpc bench mean ${b_mean} us"
    if awk -v a="$b_mean" -v b="$h_mean" 'BEGIN { r = a / b; printf "cli-tests: bench/h2load mean ratio %.2f\n", r; exit !(r >= 0.8 && r <= 1.2) }'; then
        echo "cli-tests: passed"
        exit 0
    fi
done
echo "cli-tests: FAILED: the means differ by more than 20% in 3 runs"
exit 1
