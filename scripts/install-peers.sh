#!/usr/bin/env bash
# Install the real-peer test tools: nghttp2 (nghttp, h2load, nghttpd) from
# Debian, and a Python venv at .venv/ with h2, pytest and pytest-timeout.
# Idempotent and fast when everything is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PEERS_VENV:-$ROOT/.venv}"
PY_PKGS=(h2 pytest pytest-timeout)

INSTALL_TAG=install-peers
source "$ROOT/scripts/lib-install.sh"

# --- Debian packages --------------------------------------------------------
missing=()
command -v nghttp  >/dev/null 2>&1 || missing+=(nghttp2-client)
command -v h2load  >/dev/null 2>&1 || missing+=(nghttp2-client)
command -v nghttpd >/dev/null 2>&1 || missing+=(nghttp2-server)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ "${#missing[@]}" -gt 0 ]; then
    # de-duplicate
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    apt_install "${missing[@]}"
fi

# --- Python venv ------------------------------------------------------------
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import h2, hpack, hyperframe, pytest, pytest_timeout' >/dev/null 2>&1; then
    echo "install-peers: tools present (venv: $VENV)" >&2
    exit 0
fi

ensure_venv "$VENV"
echo "install-peers: pip install ${PY_PKGS[*]} into $VENV" >&2
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PY_PKGS[@]}"
"$VENV/bin/python" -c 'import h2, hpack, hyperframe, pytest, pytest_timeout'
echo "install-peers: done" >&2
