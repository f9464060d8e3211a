#!/usr/bin/env bash
# The demo: builds and starts oxgrpc's HTTP/2 server, then fetches from it
# with oxgrpc's HTTP/2 client: a page, a 5 MB body, an echoed upload.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --release --examples -p oxgrpc
bin=${CARGO_TARGET_DIR:-target}/release/examples
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin/h2_server" --addr "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

tmp=$(mktemp -d)
echo "--- GET /"
"$bin/h2_fetch" "http://127.0.0.1:$port/" -o "$tmp/index" && cat "$tmp/index"
echo "--- GET /bytes/5000000"
"$bin/h2_fetch" "http://127.0.0.1:$port/bytes/5000000"
echo "--- POST /echo (1 MiB)"
head -c 1048576 /dev/urandom > "$tmp/upload"
"$bin/h2_fetch" "http://127.0.0.1:$port/echo" -d "$tmp/upload" -o "$tmp/echoed"
cmp "$tmp/upload" "$tmp/echoed" && echo "echo matches"
rm -rf "$tmp"
