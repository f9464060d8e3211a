"""Helpers for frame-level tests against the gRPC ``helloworld-server``
(``$GRPC_SERVER``, default ``target/release/helloworld-server``)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from hyperframe.frame import HeadersFrame

from h2peer import RawPeer, free_port

REPO = Path(__file__).resolve().parents[2]
# HelloRequest{name: "world"} as one gRPC message.
HELLO = b"\x00\x00\x00\x00\x07\x0a\x05world"
GREETER_HEADERS = [
    (":method", "POST"),
    (":scheme", "http"),
    (":path", "/helloworld.Greeter/SayHello"),
    (":authority", "localhost"),
    ("content-type", "application/grpc"),
    ("te", "trailers"),
]


def start_grpc_server(log_path: Path, **settings) -> tuple[subprocess.Popen, int]:
    """Starts helloworld-server with the given OXGRPC_* variables; returns
    the process and its port once it accepts connections."""
    binary = os.environ.get("GRPC_SERVER", str(REPO / "target/release/helloworld-server"))
    if not os.access(binary, os.X_OK):
        pytest.fail(f"server binary not found: {binary} (build it or set GRPC_SERVER)")
    port = free_port()
    env = dict(os.environ, OXGRPC_THREADS="1")
    env.update({f"OXGRPC_{k.upper()}": str(v) for k, v in settings.items()})
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([binary, "--addr", f"127.0.0.1:{port}"], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            RawPeer.connect("127.0.0.1", port, handshake=False).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    proc.wait()
    pytest.fail("helloworld-server did not start")


def connect(port: int, **options) -> RawPeer:
    peer = RawPeer.connect("127.0.0.1", port, handshake=False)
    for name, value in options.items():
        setattr(peer, name, value)
    peer.handshake()
    return peer


def say_hello(peer: RawPeer, stream_id: int | None = None) -> int:
    """Sends one SayHello call; returns its stream id."""
    sid = stream_id or peer.new_stream_id()
    peer.send_headers(sid, GREETER_HEADERS)
    peer.send_data(sid, HELLO, end_stream=True)
    return sid


def expect_ok(peer: RawPeer, sid: int, *, timeout: float = 5.0) -> None:
    """Reads until stream ``sid`` ends with grpc-status 0."""
    def done(frame) -> bool:
        if isinstance(frame, HeadersFrame) and frame.stream_id == sid and getattr(frame, "block_end_stream", False):
            status = dict(frame.decoded).get("grpc-status")
            assert status == "0", f"stream {sid} ended with grpc-status {status}: {frame.decoded}"
            return True
        return False

    peer.expect(done, what=f"grpc-status 0 on stream {sid}", timeout=timeout)
