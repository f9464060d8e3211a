#!/usr/bin/env bash
# Server throughput and CPU cost per request, measured with h2load.
#
#   scripts/h2load-bench.sh [--no-build]
#
# Starts h2_server pinned to CPU 0 (taskset -c 0) and h2load pinned to CPU 1,
# warms up, then runs h2load -n $N -c $C -m $M against GET / and reports
# req/s and the server's CPU time per request (utime+stime from
# /proc/PID/stat before/after, in microseconds per request).
#
# Environment: N (default 200000), C (16), M (32), WARMUP (20000), PATH_ (/),
# SERVER_ARGS (extra server flags, e.g. "--threads 1"), H2_SERVER,
# CARGO_TARGET_DIR, SKIP_BUILD=1.
# h2load is the client-side bottleneck at these rates (one core); the
# CPU-per-request figure is the meaningful one.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib-peers.sh"

N="${N:-200000}" C="${C:-16}" M="${M:-32}" WARMUP="${WARMUP:-20000}" REQ_PATH="${PATH_:-/}"
[ "${1:-}" = "--no-build" ] && SKIP_BUILD=1

bash "$ROOT/scripts/install-peers.sh"
build_examples
[ -x "$H2_SERVER" ] || { echo "server binary not found: $H2_SERVER" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/h2load-bench.XXXXXX")"
trap 'cleanup_pids; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

CPUS="$(nproc)"
if [ "$CPUS" -ge 2 ]; then PIN_S=(taskset -c 0); PIN_C=(taskset -c 1); else PIN_S=(); PIN_C=(); echo "warning: 1 CPU, not pinning" >&2; fi

PORT="$(free_port)"
# shellcheck disable=SC2086
"${PIN_S[@]}" "$H2_SERVER" --addr "127.0.0.1:$PORT" ${SERVER_ARGS:-} >"$WORK/server.log" 2>&1 &
PID=$!
PEER_PIDS+=("$PID")
wait_port "$PORT" "$PID" 30
URL="http://127.0.0.1:$PORT$REQ_PATH"

TICK="$(getconf CLK_TCK)"
# utime + stime (fields 14 and 15) of the whole process, in clock ticks.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$PID/stat"; }

if [ "$WARMUP" -gt 0 ]; then
    "${PIN_C[@]}" h2load -n "$WARMUP" -c "$C" -m "$M" "$URL" >/dev/null 2>&1 || true
fi

before="$(cpu_ticks)"
"${PIN_C[@]}" h2load -n "$N" -c "$C" -m "$M" "$URL" >"$WORK/h2load.txt" 2>&1 || { cat "$WORK/h2load.txt"; echo "h2load failed" >&2; exit 1; }
after="$(cpu_ticks)"
kill -0 "$PID" 2>/dev/null || { echo "server died during the run:" >&2; tail "$WORK/server.log" >&2; exit 1; }

grep -E '^(finished in|requests:|status codes:)' "$WORK/h2load.txt"
rps="$(sed -nE 's/^finished in [^,]+, ([0-9.]+) req\/s.*/\1/p' "$WORK/h2load.txt")"
succeeded="$(sed -nE 's/^requests:.* ([0-9]+) succeeded.*/\1/p' "$WORK/h2load.txt")"
python3 - "$before" "$after" "$TICK" "$N" "$rps" "$succeeded" <<'PY'
import sys
before, after, tick, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rps, ok = sys.argv[5], sys.argv[6]
cpu_s = (after - before) / tick
print(f"bench: {n} requests, {ok} succeeded, {float(rps):.0f} req/s")
print(f"bench: server CPU {cpu_s:.2f} s (utime+stime, {1e6 / tick:.0f} us resolution) = {cpu_s * 1e6 / n:.2f} us/request")
PY
[ "$succeeded" = "$N" ] || { echo "not all requests succeeded" >&2; exit 1; }
