#!/usr/bin/env bash
# The demo: builds and starts the bookstore server, then runs the bookstore
# client, which makes one call of each kind (unary, server streaming,
# client streaming, bidirectional) and prints them, asks the health service and
# lists the services by reflection; then a helloworld call; then the
# article's grpcurl session with the `oxgrpc` tool in place of grpcurl.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --release -p oxgrpc-examples -p oxgrpc-cli
bin=${CARGO_TARGET_DIR:-target}/release
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

books=$(free_port)
hello=$(free_port)
"$bin/bookstore-server" --addr "127.0.0.1:$books" &
pids=$!
"$bin/helloworld-server" --addr "127.0.0.1:$hello" &
pids="$pids $!"
trap 'kill $pids 2>/dev/null || true' EXIT
wait_port "$books"
wait_port "$hello"

"$bin/bookstore-client" --addr "127.0.0.1:$books"
echo "== SayHello"
"$bin/helloworld-client" --addr "127.0.0.1:$hello"

oxgrpc="$bin/oxgrpc"
show() { echo "\$ oxgrpc $*"; "$oxgrpc" "$@" || true; }
echo "== the article's session, with oxgrpc in place of grpcurl"
show -plaintext -d '{"id":"123"}' "localhost:$books" bookstore.Bookstore/GetBook
show -plaintext -d '{"id":"404"}' "localhost:$books" bookstore.Bookstore/GetBook
show -plaintext "localhost:$books" list
show -plaintext "localhost:$books" describe bookstore.Bookstore
show health "localhost:$books"
show bench "localhost:$hello" helloworld.Greeter/SayHello -d '{"name":"demo"}' --connections 4 --concurrency 32 --total 20000
