#!/usr/bin/env bash
# Install the official gRPC peers used by the interop tests:
#   - Python grpcio (C-core), grpcio-tools, grpcio-health-checking,
#     grpcio-reflection and pytest into the repo's .venv/
#   - Node @grpc/grpc-js and @grpc/proto-loader into interop/node/node_modules
# Idempotent and fast when everything is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PEERS_VENV:-$ROOT/.venv}"
PY_PKGS=(grpcio grpcio-tools grpcio-health-checking grpcio-reflection pytest)
PY_IMPORTS='import grpc, grpc_tools.protoc, grpc_health.v1.health, grpc_reflection.v1alpha.reflection, pytest'
NODE_DIR="$ROOT/interop/node"

INSTALL_TAG=install-grpc-peers
source "$ROOT/scripts/lib-install.sh"

# --- Debian packages --------------------------------------------------------
missing=()
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
fi

# --- Python venv ------------------------------------------------------------
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "$PY_IMPORTS" >/dev/null 2>&1; then
    echo "install-grpc-peers: python grpcio present (venv: $VENV)" >&2
else
    ensure_venv "$VENV"
    echo "install-grpc-peers: pip install ${PY_PKGS[*]} into $VENV" >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PY_PKGS[@]}"
    "$VENV/bin/python" -c "$PY_IMPORTS"
fi

# --- Node packages ----------------------------------------------------------
if [ -f "$NODE_DIR/node_modules/@grpc/grpc-js/package.json" ] \
    && [ -f "$NODE_DIR/node_modules/@grpc/proto-loader/package.json" ]; then
    echo "install-grpc-peers: node @grpc/grpc-js present" >&2
else
    echo "install-grpc-peers: npm install in interop/node" >&2
    if [ -f "$NODE_DIR/package-lock.json" ]; then
        (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    else
        (cd "$NODE_DIR" && npm install --no-audit --no-fund --loglevel=error)
    fi
fi
echo "install-grpc-peers: done" >&2
