"""Negative HTTP/2 tests of the oxgrpc *client* (grpc
doc/negative-http2-interop-test-descriptions.md).

``neg_server.NegServer`` misbehaves on the first call in the way each case
describes; ``neg-client`` (``$NEG_CLIENT``, default
``target/release/neg-client``) makes that call, then more calls on the same
channel, and prints each call's outcome.  The tests assert the status of
the spoiled call (RST_STREAM(NO_ERROR) maps to INTERNAL, PROTOCOL-HTTP2.md
"Errors"), that the following calls succeed, and what the server saw.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from neg_server import REPLY_LEN, NegServer

REPO = Path(__file__).resolve().parents[2]
OK = f"OK {REPLY_LEN}"


@pytest.fixture(autouse=True)
def _server_survives():
    """These tests bring their own server: no h2_server needed."""
    yield


def run_client(server: NegServer, *, then: int = 1, pause_ms: int = 0) -> list[str]:
    """Runs neg-client against ``server``; returns one outcome per call,
    e.g. ``OK 314159`` or ``INTERNAL stream terminated ...``."""
    binary = os.environ.get("NEG_CLIENT", str(REPO / "target/release/neg-client"))
    if not os.access(binary, os.X_OK):
        pytest.fail(f"client binary not found: {binary} (build it or set NEG_CLIENT)")
    args = [binary, "--addr", f"127.0.0.1:{server.port}", "--then", str(then), "--pause-ms", str(pause_ms)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
    server.stop()
    assert proc.returncode == 0, f"neg-client exited {proc.returncode}: {proc.stderr}"
    outcomes = {}
    for line in proc.stdout.splitlines():
        head, _, outcome = line.partition(": ")
        outcomes[int(head.removeprefix("call "))] = outcome
    assert sorted(outcomes) == list(range(then + 1)), proc.stdout
    assert not server.errors, server.errors
    return [outcomes[i] for i in range(then + 1)]


def test_goaway_moves_the_next_call_to_a_new_connection():
    with NegServer("goaway") as server:
        first, second = run_client(server, pause_ms=300)
    assert (first, second) == (OK, OK)
    assert server.connections == 2 and server.calls_per_connection == [1, 1], server.calls_per_connection


@pytest.mark.parametrize("case", ["rst_after_header", "rst_during_data", "rst_after_data"])
def test_rst_stream_no_error_fails_the_call_and_the_next_call_works(case):
    with NegServer(case) as server:
        spoiled, after = run_client(server)
    assert spoiled.startswith("INTERNAL "), spoiled
    assert after == OK
    # The reset was a stream error: the next call used the same connection.
    assert server.connections == 1 and server.calls == 2


def test_every_ping_is_acked():
    with NegServer("ping") as server:
        first, second = run_client(server)
    assert (first, second) == (OK, OK)
    assert server.pings_sent == 3 and server.pings_acked == 3, (server.pings_sent, server.pings_acked)


def test_max_concurrent_streams_is_honoured():
    with NegServer("max_streams") as server:
        outcomes = run_client(server, then=10)
    assert outcomes == [OK] * 11, outcomes
    assert server.max_open_streams == 1, server.max_open_streams
    assert server.connections == 1 and server.calls == 11


# ------------------------------------------------------------------ extras
@pytest.mark.parametrize(
    "case,code",
    [("rst_cancel", "CANCELLED"), ("rst_refused", "UNAVAILABLE")],
)
def test_extra_rst_codes_map_to_their_status(case, code):
    """extra: RST_STREAM(CANCEL) -> CANCELLED, RST_STREAM(REFUSED_STREAM)
    -> UNAVAILABLE (PROTOCOL-HTTP2.md "Errors"); the connection is kept."""
    with NegServer(case) as server:
        spoiled, after = run_client(server)
    assert spoiled.startswith(code + " "), spoiled
    assert after == OK
    assert server.connections == 1 and server.calls == 2


def test_extra_goaway_before_processing_fails_unavailable_and_reconnects():
    """extra: GOAWAY(last_stream_id=0) instead of a response: the call was
    never processed (UNAVAILABLE, or OK if the client retried it on a new
    connection), and the next call goes to a new connection."""
    with NegServer("goaway_unprocessed") as server:
        first, second = run_client(server, pause_ms=100)
    assert first == OK or first.startswith("UNAVAILABLE "), first
    assert second == OK
    assert server.connections >= 2 and server.calls_per_connection[-1] >= 1, server.calls_per_connection


def test_extra_connection_lost_mid_response_fails_unavailable_and_reconnects():
    """extra: the TCP connection closes halfway through the message."""
    with NegServer("close_during_data") as server:
        first, second = run_client(server, pause_ms=100)
    assert first.startswith("UNAVAILABLE "), first
    assert second == OK
    assert server.connections == 2 and server.calls_per_connection == [1, 1], server.calls_per_connection
