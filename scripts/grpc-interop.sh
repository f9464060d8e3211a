#!/usr/bin/env bash
# gRPC interop: oxgrpc against the official implementations.
#
#   1. oxgrpc bookstore-server + helloworld-server  <-  Python grpcio suite
#                                                   <-  Node @grpc/grpc-js suite
#      oxgrpc bookstore-server's health and reflection  <-  grpcio's own clients
#      (grpc_health.v1, grpc_reflection's descriptor database), and the same
#      reflection questions against grpcio-reflection
#   2. Python grpcio reference bookstore server      <-  oxgrpc bookstore-client
#                                                   <-  both suites (sanity: the
#                                                       tests agree with grpcio)
#   3. mutual TLS, both ways: grpcio client -> oxgrpc helloworld-server and
#      oxgrpc helloworld-client -> grpcio server (interop/python/test_tls.py);
#      the same with grpc-js (interop/node/test_tls.js)
#
# Ends with "grpc-interop: N passed, M failed" (N, M count test cases) and
# exits non-zero on any failure.
#
# Environment:
#   SKIP_BUILD=1        do not run `cargo build --release -p oxgrpc-examples`
#   CARGO_TARGET_DIR    where the binaries are (default: ./target)
#   BOOKSTORE_SERVER, HELLO_SERVER, BOOKSTORE_CLIENT   binary paths (override)
#   SKIP_OXGRPC=1       only the reference-server sanity runs (no Rust at all)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BOOKSTORE_SERVER="${BOOKSTORE_SERVER:-$TARGET_DIR/release/bookstore-server}"
export BOOKSTORE_SERVER  # test_standard_services.py starts its own servers
HELLO_SERVER="${HELLO_SERVER:-$TARGET_DIR/release/helloworld-server}"
BOOKSTORE_CLIENT="${BOOKSTORE_CLIENT:-$TARGET_DIR/release/bookstore-client}"
HELLO_CLIENT="${HELLO_CLIENT:-$TARGET_DIR/release/helloworld-client}"
TLS_CERTS_BIN="${TLS_CERTS_BIN:-$TARGET_DIR/release/tls-certs}"
PY="$ROOT/.venv/bin/python"
SUITE_TIMEOUT="${SUITE_TIMEOUT:-300}"

step() { printf '\n==> %s\n' "$*"; }

PASSED=0
FAILED=0
FAILURES=()
fail_step() { FAILED=$((FAILED + 1)); FAILURES+=("$1"); echo "grpc-interop: FAILED: $1" >&2; }
pass_step() { PASSED=$((PASSED + 1)); }

WORK="$(mktemp -d -t grpc-interop.XXXXXX)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "${KEEP_LOGS:-0}" = 1 ]; then
        echo "grpc-interop: logs kept in $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_server NAME LOG CMD...  -> sets STARTED_PID; waits for "listening on"
start_server() {
    local name="$1" log="$2"
    shift 2
    "$@" 2>"$log" >"$log.stdout" &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
    local i
    for i in $(seq 1 300); do
        if grep -q "listening on" "$log" 2>/dev/null; then
            echo "grpc-interop: $name: $(grep -m1 'listening on' "$log")"
            return 0
        fi
        if ! kill -0 "$STARTED_PID" 2>/dev/null; then
            echo "grpc-interop: $name exited before listening; its stderr:" >&2
            sed 's/^/    /' "$log" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "grpc-interop: $name did not print 'listening on' within 30 s; its stderr:" >&2
    sed 's/^/    /' "$log" >&2
    return 1
}

stop_server() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# run_python_suite LABEL BOOKSTORE_ADDR HELLO_ADDR SERVER_LOG PEER [TEST_FILE]
run_python_suite() {
    local label="$1" out="$WORK/pytest-$RANDOM.out" file="${6:-interop/python/test_interop.py}"
    step "Python grpcio suite ($(basename "$file")) -> $label"
    GRPC_TARGET="$2" HELLO_TARGET="$3" SERVER_LOG="$4" GRPC_PEER="$5" \
        timeout "$SUITE_TIMEOUT" "$PY" -m pytest -v -p no:cacheprovider "$file" 2>&1 | tee "$out"
    local rc=${PIPESTATUS[0]}
    local summary p f e
    summary="$(grep -E '^=+ .*(passed|failed|error).* in [0-9.]+s' "$out" | tail -1)"
    p="$(grep -oE '[0-9]+ passed' <<<"$summary" | grep -oE '[0-9]+' || true)"
    f="$(grep -oE '[0-9]+ failed' <<<"$summary" | grep -oE '[0-9]+' || true)"
    e="$(grep -oE '[0-9]+ errors?' <<<"$summary" | grep -oE '[0-9]+' || true)"
    p=${p:-0}; f=${f:-0}; e=${e:-0}
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f + e))
    if [ "$rc" -ne 0 ]; then
        while read -r line; do FAILURES+=("python suite -> $label: $line"); done \
            < <(grep -E '^(FAILED|ERROR) ' "$out" || true)
        if [ $((f + e)) -eq 0 ]; then fail_step "python suite -> $label: exit code $rc"; fi
    fi
}

# run_node_suite LABEL BOOKSTORE_ADDR HELLO_ADDR SERVER_LOG PEER [TEST_PATH]
run_node_suite() {
    local label="$1" out="$WORK/node-$RANDOM.out" file="${6:-interop/node/}"
    step "Node @grpc/grpc-js suite${6:+ ($(basename "$6"))} -> $label"
    GRPC_TARGET="$2" HELLO_TARGET="$3" SERVER_LOG="$4" GRPC_PEER="$5" \
        timeout "$SUITE_TIMEOUT" node --test --test-reporter=spec "$file" 2>&1 | tee "$out"
    local rc=${PIPESTATUS[0]}
    local p f
    p="$(grep -aE '^\S+ pass [0-9]+$' "$out" | tail -1 | grep -oE '[0-9]+' || true)"
    f="$(grep -aE '^\S+ fail [0-9]+$' "$out" | tail -1 | grep -oE '[0-9]+' || true)"
    p=${p:-0}; f=${f:-0}
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f))
    if [ "$rc" -ne 0 ]; then
        if [ "$f" -gt 0 ]; then
            while read -r line; do FAILURES+=("node suite -> $label: $line"); done \
                < <(awk '/failing tests:/ {on=1; next} on && /^\xe2\x9c\x96 / {sub(/^\xe2\x9c\x96 /, ""); sub(/ \([0-9.]+ms\)$/, ""); print}' "$out")
        else
            fail_step "node suite -> $label: exit code $rc"
        fi
    fi
}

step "install gRPC peers (grpcio, @grpc/grpc-js)"
if ! scripts/install-grpc-peers.sh; then
    echo "grpc-interop: installing the peers failed" >&2
    echo "grpc-interop: 0 passed, 1 failed"
    exit 1
fi

# --- oxgrpc binaries --------------------------------------------------------
have_oxgrpc=1
if [ "${SKIP_OXGRPC:-0}" = 1 ]; then
    have_oxgrpc=0
elif [ "${SKIP_BUILD:-0}" != 1 ]; then
    step "cargo build --release -p oxgrpc-examples"
    if ! cargo build --release -p oxgrpc-examples; then
        fail_step "cargo build --release -p oxgrpc-examples"
        have_oxgrpc=0
    fi
fi
if [ "$have_oxgrpc" = 1 ]; then
    for bin in "$BOOKSTORE_SERVER" "$HELLO_SERVER" "$BOOKSTORE_CLIENT" "$HELLO_CLIENT" "$TLS_CERTS_BIN"; do
        if [ ! -x "$bin" ]; then
            fail_step "missing binary $bin"
            have_oxgrpc=0
        fi
    done
fi

# --- 1. official clients -> oxgrpc servers ----------------------------------
if [ "$have_oxgrpc" = 1 ]; then
    step "start oxgrpc servers"
    BS_PORT="$(free_port)"
    HS_PORT="$(free_port)"
    BS_LOG="$WORK/bookstore-server.log"
    HS_LOG="$WORK/helloworld-server.log"
    ok=1
    start_server bookstore-server "$BS_LOG" "$BOOKSTORE_SERVER" --addr "127.0.0.1:$BS_PORT" || ok=0
    BS_PID="${STARTED_PID:-}"
    start_server helloworld-server "$HS_LOG" "$HELLO_SERVER" --addr "127.0.0.1:$HS_PORT" || ok=0
    HS_PID="${STARTED_PID:-}"
    if [ "$ok" = 1 ]; then
        run_python_suite "oxgrpc servers" "127.0.0.1:$BS_PORT" "127.0.0.1:$HS_PORT" "$BS_LOG" oxgrpc
        run_node_suite "oxgrpc servers" "127.0.0.1:$BS_PORT" "127.0.0.1:$HS_PORT" "$BS_LOG" oxgrpc
        if ! kill -0 "$BS_PID" 2>/dev/null; then fail_step "oxgrpc bookstore-server died during the suites"; fi
        if ! kill -0 "$HS_PID" 2>/dev/null; then fail_step "oxgrpc helloworld-server died during the suites"; fi
        if [ "$FAILED" -gt 0 ]; then
            echo "--- oxgrpc bookstore-server stderr (last 40 lines) ---"
            tail -n 40 "$BS_LOG"
        fi
    else
        fail_step "starting the oxgrpc servers"
    fi
    stop_server "$BS_PID"
    stop_server "$HS_PID"

    # Starts its own bookstore-server per test (it signals them: SIGUSR1, SIGTERM).
    run_python_suite "oxgrpc health and reflection" - - - oxgrpc \
        interop/python/test_standard_services.py
fi

# --- 2. Python grpcio reference server --------------------------------------
step "start the Python grpcio reference server"
REF_PORT="$(free_port)"
REF_LOG="$WORK/reference-server.log"
if start_server reference-server "$REF_LOG" "$PY" interop/python/bookstore_server.py --port "$REF_PORT"; then
    REF_PID="$STARTED_PID"
    if [ "$have_oxgrpc" = 1 ]; then
        step "oxgrpc bookstore-client -> Python grpcio server"
        client_out="$WORK/client.out"
        timeout 60 "$BOOKSTORE_CLIENT" --addr "127.0.0.1:$REF_PORT" >"$client_out" 2>&1
        rc=$?
        sed 's/^/    /' "$client_out"
        if [ "$rc" -ne 0 ]; then
            fail_step "oxgrpc bookstore-client -> Python grpcio server: exit code $rc"
        elif missing="$(for m in GetBook ListBooks AddBooks Chat; do grep -q "$m" "$client_out" || printf '%s ' "$m"; done)"; [ -n "$missing" ]; then
            fail_step "oxgrpc bookstore-client -> Python grpcio server: output lacks the call(s) $missing"
        else
            echo "grpc-interop: bookstore-client exit 0"
            pass_step
        fi
    fi
    run_python_suite "Python grpcio reference server" "127.0.0.1:$REF_PORT" "127.0.0.1:$REF_PORT" "$REF_LOG" python-reference
    run_node_suite "Python grpcio reference server" "127.0.0.1:$REF_PORT" "127.0.0.1:$REF_PORT" "$REF_LOG" python-reference
    stop_server "$REF_PID"
else
    fail_step "starting the Python grpcio reference server"
fi

# --- 3. mutual TLS with grpcio and grpc-js, both ways -------------------------
if [ "$have_oxgrpc" = 1 ]; then
    export HELLO_SERVER HELLO_CLIENT TLS_CERTS_BIN
    run_python_suite "mutual TLS" "" "" "" oxgrpc interop/python/test_tls.py
    run_node_suite "mutual TLS" "" "" "" oxgrpc interop/node/test_tls.js
fi

echo
if [ "${#FAILURES[@]}" -gt 0 ]; then
    echo "grpc-interop: failures:"
    for f in "${FAILURES[@]}"; do echo "  - $f"; done
fi
echo "grpc-interop: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
