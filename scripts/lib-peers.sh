# Shared helpers for scripts/peer-tests.sh and scripts/h2load-bench.sh.
# Source it; it sets ROOT, TARGET, VENV_PY, H2_SERVER, H2_FETCH, GRPC_SERVER,
# NEG_CLIENT.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV_PY="${PEERS_VENV:-$ROOT/.venv}/bin/python"
H2_SERVER="${H2_SERVER:-$TARGET/release/examples/h2_server}"
H2_FETCH="${H2_FETCH:-$TARGET/release/examples/h2_fetch}"
GRPC_SERVER="${GRPC_SERVER:-$TARGET/release/helloworld-server}"
NEG_CLIENT="${NEG_CLIENT:-$TARGET/release/neg-client}"
export H2_SERVER H2_FETCH GRPC_SERVER NEG_CLIENT

# Background processes started by the calling script; killed by cleanup_pids.
PEER_PIDS=()

cleanup_pids() {
    local pid
    for pid in "${PEER_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null
            for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null
        fi
    done
    PEER_PIDS=()
}

# A free TCP port on 127.0.0.1 (ask the kernel).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT PID [SECONDS]: wait until 127.0.0.1:PORT accepts TCP, or
# fail if PID exits first.
wait_port() {
    local port=$1 pid=$2 secs=${3:-30} i
    for ((i = 0; i < secs * 20; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "process $pid exited before listening on port $port" >&2
            return 1
        fi
        if python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),timeout=0.5).close()' "$port" 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    echo "nothing listening on port $port after ${secs}s" >&2
    return 1
}

# Build the example binaries once (skip with SKIP_BUILD=1).
build_examples() {
    if [ "${SKIP_BUILD:-0}" = 1 ]; then
        echo "== build skipped (SKIP_BUILD=1)"
        return 0
    fi
    echo "== cargo build --release --examples -p oxgrpc, helloworld-server and neg-client"
    (cd "$ROOT" && cargo build --release --examples -p oxgrpc \
        && cargo build --release -p oxgrpc-examples --bin helloworld-server --bin neg-client)
}
