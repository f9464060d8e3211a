#!/usr/bin/env bash
# Real-peer interop tests for oxgrpc's HTTP/2 engine.
#
#   scripts/peer-tests.sh [--no-build] [--skip-h2load] [--skip-pytest] [-- PYTEST_ARGS...]
#
# 1. installs the peers (nghttp2 tools, .venv with h2 + pytest),
# 2. builds the examples once (cargo build --release --examples -p oxgrpc),
# 3. nghttp  -> h2_server: GET /, POST /echo of a 3 MiB file, GET /bytes/5000000,
# 4. h2load  -> h2_server: 200k requests, 16 connections x 32 streams, 0 failures,
# 5. h2_fetch -> nghttpd:  big random file, small file, 404,
# 6. pytest tests/peers (frame-level conformance and abuse tests).
#
# Environment: H2_SERVER, H2_FETCH (binaries; default target/release/examples/),
# CARGO_TARGET_DIR, SKIP_BUILD=1, H2LOAD_N (default 200000).
# Exits non-zero if any check failed; always stops the servers it started.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib-peers.sh"

DO_BUILD=1 DO_H2LOAD=1 DO_PYTEST=1
PYTEST_ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) DO_BUILD=0 ;;
        --skip-h2load) DO_H2LOAD=0 ;;
        --skip-pytest) DO_PYTEST=0 ;;
        --) shift; PYTEST_ARGS=("$@"); break ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
H2LOAD_N="${H2LOAD_N:-200000}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/peer-tests.XXXXXX")"
cleanup() {
    cleanup_pids
    if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RESULTS=()
FAILED=0
pass() { RESULTS+=("PASS  $1"); echo "  PASS: $1"; }
fail() { RESULTS+=("FAIL  $1${2:+ -- $2}"); FAILED=$((FAILED + 1)); echo "  FAIL: $1${2:+ -- $2}"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
fsize() { stat -c %s "$1"; }

summary() {
    echo
    echo "================ peer-tests summary ================"
    printf '%s\n' "${RESULTS[@]}"
    echo "----------------------------------------------------"
    local total=${#RESULTS[@]}
    echo "peer-tests: $((total - FAILED)) passed, $FAILED failed"
}

echo "== installing peers"
bash "$ROOT/scripts/install-peers.sh" || { echo "install-peers.sh failed" >&2; exit 1; }

if [ "$DO_BUILD" = 1 ]; then
    build_examples || { fail "cargo build --release --examples -p oxgrpc"; summary; exit 1; }
fi
for bin in "$H2_SERVER" "$H2_FETCH"; do
    if [ ! -x "$bin" ]; then fail "binary present: $bin" "not found (build first or set H2_SERVER/H2_FETCH)"; fi
done
[ "$FAILED" -eq 0 ] || { summary; exit 1; }

# --------------------------------------------------------------- h2_server
PORT="$(free_port)"
URL="http://127.0.0.1:$PORT"
echo "== starting h2_server on 127.0.0.1:$PORT"
"$H2_SERVER" --addr "127.0.0.1:$PORT" >"$WORK/h2_server.log" 2>&1 &
SERVER_PID=$!
PEER_PIDS+=("$SERVER_PID")
if ! wait_port "$PORT" "$SERVER_PID" 30; then
    fail "h2_server starts and listens" "$(tail -5 "$WORK/h2_server.log")"
    summary; exit 1
fi
pass "h2_server starts and listens"

server_alive() {
    if kill -0 "$SERVER_PID" 2>/dev/null; then return 0; fi
    fail "h2_server still running after $1" "exited; log tail: $(tail -5 "$WORK/h2_server.log" | tr '\n' ' ')"
    return 1
}

echo "== nghttp -> h2_server"
# GET / verbose, body discarded: look for :status 200 in the frame trace.
if timeout 30 nghttp -nv "$URL/" >"$WORK/nghttp-root.txt" 2>&1 \
    && grep -Eq 'recv \(stream_id=[0-9]+\) :status: 200' "$WORK/nghttp-root.txt"; then
    pass "nghttp -nv GET / -> 200"
else
    fail "nghttp -nv GET / -> 200" "$(grep -E ':status|GOAWAY|RST_STREAM|ERROR|rror' "$WORK/nghttp-root.txt" | head -3 | tr '\n' ' ')"
fi
# GET / body.
if timeout 30 nghttp "$URL/" >"$WORK/root.body" 2>"$WORK/root.err" && [ "$(cat "$WORK/root.body")" = "hello, world" ] \
    && [ "$(fsize "$WORK/root.body")" = 13 ]; then
    pass "nghttp GET / body == 'hello, world\\n'"
else
    fail "nghttp GET / body == 'hello, world\\n'" "got $(head -c 60 "$WORK/root.body" | od -c | head -2 | tr '\n' ' ') $(head -c 200 "$WORK/root.err")"
fi
# 404.
if timeout 30 nghttp -nv "$URL/nope" >"$WORK/nghttp-404.txt" 2>&1; grep -Eq ':status: 404' "$WORK/nghttp-404.txt"; then
    pass "nghttp GET /nope -> 404"
else
    fail "nghttp GET /nope -> 404" "$(grep -E ':status' "$WORK/nghttp-404.txt" | head -1)"
fi
# POST /echo with a 3 MiB random file.
head -c $((3 * 1024 * 1024)) /dev/urandom >"$WORK/upload.bin"
if timeout 60 nghttp -d "$WORK/upload.bin" "$URL/echo" >"$WORK/echo.body" 2>"$WORK/echo.err" \
    && [ "$(sha "$WORK/echo.body")" = "$(sha "$WORK/upload.bin")" ]; then
    pass "nghttp POST /echo 3 MiB round-trips (sha256 match)"
else
    fail "nghttp POST /echo 3 MiB round-trips" "sent $(fsize "$WORK/upload.bin") bytes, got $(fsize "$WORK/echo.body"); $(head -c 200 "$WORK/echo.err")"
fi
# GET /bytes/5000000: size and content (byte i = i % 251).
N=5000000
python3 -c 'import sys; n=int(sys.argv[1]); p=bytes(range(251)); sys.stdout.buffer.write((p*(n//251+1))[:n])' "$N" >"$WORK/bytes.expected"
if timeout 60 nghttp "$URL/bytes/$N" >"$WORK/bytes.body" 2>"$WORK/bytes.err" \
    && [ "$(fsize "$WORK/bytes.body")" = "$N" ] && cmp -s "$WORK/bytes.body" "$WORK/bytes.expected"; then
    pass "nghttp GET /bytes/$N (size and content)"
else
    fail "nghttp GET /bytes/$N (size and content)" "got $(fsize "$WORK/bytes.body") bytes; $(cmp "$WORK/bytes.body" "$WORK/bytes.expected" 2>&1 | head -1) $(head -c 200 "$WORK/bytes.err")"
fi
server_alive "nghttp checks"

# -------------------------------------------------------------------- h2load
if [ "$DO_H2LOAD" = 1 ]; then
    echo "== h2load -n $H2LOAD_N -c 16 -m 32 $URL/"
    timeout 600 h2load -n "$H2LOAD_N" -c 16 -m 32 "$URL/" >"$WORK/h2load.txt" 2>&1
    rc=$?
    grep -E '^(finished in|requests:|status codes:)' "$WORK/h2load.txt" | sed 's/^/    /'
    reqline="$(grep -E '^requests:' "$WORK/h2load.txt" || true)"
    want="$H2LOAD_N succeeded, 0 failed, 0 errored"
    if [ $rc -eq 0 ] && [[ "$reqline" == *"$want"* ]]; then
        rps="$(sed -nE 's/^finished in [^,]+, ([0-9.]+) req\/s.*/\1/p' "$WORK/h2load.txt")"
        pass "h2load $H2LOAD_N requests (16 conns x 32 streams): 0 failed, 0 errored; ${rps} req/s"
    else
        fail "h2load $H2LOAD_N requests: '$want'" "exit $rc; ${reqline:-$(tail -3 "$WORK/h2load.txt" | tr '\n' ' ')}"
    fi
    server_alive "h2load"
fi
cleanup_pids

# ------------------------------------------------------- h2_fetch -> nghttpd
echo "== h2_fetch -> nghttpd"
DOCROOT="$WORK/docroot"
mkdir -p "$DOCROOT"
printf 'hello, world\n' >"$DOCROOT/index.html"
printf 'small file\n' >"$DOCROOT/small.txt"
head -c $((8 * 1024 * 1024 + 12345)) /dev/urandom >"$DOCROOT/big.bin"
NPORT="$(free_port)"
nghttpd --no-tls -d "$DOCROOT" "$NPORT" >"$WORK/nghttpd.log" 2>&1 &
NGHTTPD_PID=$!
PEER_PIDS+=("$NGHTTPD_PID")
if wait_port "$NPORT" "$NGHTTPD_PID" 15; then
    fetch_check() { # name path expected_status [expected_file]
        local name=$1 path=$2 status=$3 file=${4:-} out="$WORK/fetch.$RANDOM" rc
        timeout 60 "$H2_FETCH" "http://127.0.0.1:$NPORT$path" -o "$out" >"$out.stdout" 2>"$out.stderr"
        rc=$?
        local got_status got_len
        got_status="$(sed -nE 's/^status: *([0-9]+).*/\1/p' "$out.stdout" | head -1)"
        got_len="$(sed -nE 's/^length: *([0-9]+).*/\1/p' "$out.stdout" | head -1)"
        if [ "$got_status" != "$status" ]; then
            fail "$name" "expected 'status: $status', got '${got_status:-none}' (exit $rc); stdout: $(head -c 200 "$out.stdout" | tr '\n' ' ') stderr: $(head -c 300 "$out.stderr" | tr '\n' ' ')"
            return
        fi
        if [ -n "$file" ]; then
            local size; size="$(fsize "$file")"
            if [ $rc -ne 0 ]; then fail "$name" "exit status $rc; stderr: $(head -c 300 "$out.stderr")"; return; fi
            if [ "$got_len" != "$size" ]; then fail "$name" "'length: $size' expected, got '${got_len:-none}'"; return; fi
            if [ ! -f "$out" ] || [ "$(sha "$out")" != "$(sha "$file")" ]; then
                fail "$name" "body differs from the original (wrote $( [ -f "$out" ] && fsize "$out" || echo no) bytes, expected $size)"; return
            fi
        fi
        pass "$name"
    }
    fetch_check "h2_fetch big.bin (8 MiB random, sha256 match)" /big.bin 200 "$DOCROOT/big.bin"
    fetch_check "h2_fetch small.txt" /small.txt 200 "$DOCROOT/small.txt"
    fetch_check "h2_fetch / (index.html)" / 200 "$DOCROOT/index.html"
    fetch_check "h2_fetch /missing -> status 404" /missing 404
else
    fail "nghttpd starts" "$(tail -3 "$WORK/nghttpd.log")"
fi
cleanup_pids

# -------------------------------------------------------------------- pytest
if [ "$DO_PYTEST" = 1 ]; then
    echo "== pytest tests/peers"
    (cd "$ROOT" && timeout 1800 "$VENV_PY" -m pytest tests/peers -q -rfE -p no:cacheprovider "${PYTEST_ARGS[@]}") 2>&1 | tee "$WORK/pytest.txt"
    rc=${PIPESTATUS[0]}
    line="$(grep -E '^=*.*(passed|failed|error).* in [0-9.]+s' "$WORK/pytest.txt" | tail -1 | sed -E 's/^=+ //; s/ =+$//')"
    if [ "$rc" -eq 0 ]; then pass "pytest tests/peers: $line"; else fail "pytest tests/peers (exit $rc)" "$line"; fi
fi

summary
[ "$FAILED" -eq 0 ]
