"""Server connection management, seen frame by frame from a Python peer.

The server is the gRPC ``helloworld-server`` (``$GRPC_SERVER``, default
``target/release/helloworld-server``), started per test with the
``OXGRPC_*`` connection-management variables the test needs:

- the graceful drain of RFC 9113 section 6.8: GOAWAY(2^31-1) and a PING,
  then, once the PING is acked, GOAWAY with the real last stream; streams
  opened in between are served, later ones get REFUSED_STREAM;
- ``max_connection_idle`` and ``max_connection_age`` (gRFC A9);
- keepalive pings, and the ping-strike policy of gRFC A8 (GOAWAY
  ENHANCE_YOUR_CALM ``too_many_pings``).
"""

from __future__ import annotations

import time

import pytest
from hyperframe.frame import GoAwayFrame, PingFrame

from grpcpeer import GREETER_HEADERS, HELLO, connect, expect_ok, say_hello, start_grpc_server
from h2peer import ErrorCode, PeerTimeout, RawPeer

MAX_STREAM_ID = 2**31 - 1


@pytest.fixture
def grpc_server(tmp_path):
    """Starts helloworld-server with the given OXGRPC_* variables."""
    procs = []

    def start(**settings):
        proc, port = start_grpc_server(tmp_path / f"server{len(procs)}.log", **settings)
        procs.append(proc)
        return port

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


def expect_goaway(peer: RawPeer, *, timeout: float = 5.0) -> GoAwayFrame:
    return peer.expect(lambda f: isinstance(f, GoAwayFrame), what="GOAWAY", timeout=timeout)


def test_max_age_drains_with_two_goaways(grpc_server):
    port = grpc_server(max_connection_age_ms=400)
    peer = connect(port, auto_ack_ping=False)
    first_call = say_hello(peer)
    expect_ok(peer, first_call)

    first = expect_goaway(peer)
    assert (first.last_stream_id, first.error_code, bytes(first.additional_data)) == (MAX_STREAM_ID, ErrorCode.NO_ERROR, b"max_age")
    ping = peer.expect(lambda f: isinstance(f, PingFrame) and "ACK" not in f.flags, what="the drain PING")

    # A call that raced the first GOAWAY is still served, and one more is
    # left open (its request message not sent yet).
    raced = say_hello(peer)
    expect_ok(peer, raced)
    held = peer.new_stream_id()
    peer.send_headers(held, GREETER_HEADERS)

    peer.send_ping(bytes(ping.opaque_data), ack=True)
    final = expect_goaway(peer)
    assert (final.last_stream_id, final.error_code, bytes(final.additional_data)) == (held, ErrorCode.NO_ERROR, b"max_age")

    # A call opened after the final GOAWAY is refused: safe to retry elsewhere.
    late = say_hello(peer)
    peer.expect_rst(late, ErrorCode.REFUSED_STREAM)
    # The held call still completes; then the connection closes.
    peer.send_data(held, HELLO, end_stream=True)
    expect_ok(peer, held)
    peer.expect_close()


def test_idle_connection_gets_goaway_max_idle_and_closes(grpc_server):
    port = grpc_server(max_connection_idle_ms=200)
    peer = connect(port)
    sid = say_hello(peer)
    expect_ok(peer, sid)
    start = time.monotonic()
    first = expect_goaway(peer)
    assert time.monotonic() - start >= 0.15
    assert (first.last_stream_id, bytes(first.additional_data)) == (MAX_STREAM_ID, b"max_idle")
    final = expect_goaway(peer)
    assert (final.last_stream_id, bytes(final.additional_data)) == (sid, b"max_idle")
    peer.expect_close()


def test_keepalive_pings_a_silent_client_and_drops_one_that_does_not_answer(grpc_server):
    port = grpc_server(keepalive_time_ms=200, keepalive_timeout_ms=300)
    alive = connect(port)
    pings, end = 0, time.monotonic() + 1.0
    while (left := end - time.monotonic()) > 0:
        try:
            frame = alive.recv_frame(left)
        except PeerTimeout:
            break
        assert frame is not None, f"the server dropped a client that answers its pings: {alive.recent_log()}"
        if isinstance(frame, PingFrame) and "ACK" not in frame.flags:
            pings += 1
    assert pings >= 2, alive.recent_log()
    expect_ok(alive, say_hello(alive))

    mute = connect(port, auto_ack_ping=False)
    start = time.monotonic()
    mute.expect(lambda f: isinstance(f, PingFrame) and "ACK" not in f.flags, what="a keepalive PING", timeout=2)
    goaway = expect_goaway(mute, timeout=3)
    assert goaway.error_code == ErrorCode.NO_ERROR
    mute.expect_close()
    assert 0.4 <= time.monotonic() - start < 2.5


def test_too_many_pings_get_goaway_enhance_your_calm(grpc_server):
    port = grpc_server()
    peer = connect(port)
    for i in range(8):
        peer.send_ping(i.to_bytes(8, "big"))
    goaway = peer.expect_goaway(ErrorCode.ENHANCE_YOUR_CALM)
    assert bytes(goaway.additional_data) == b"too_many_pings"


def test_pings_no_faster_than_the_policy_are_fine(grpc_server):
    port = grpc_server(min_ping_interval_ms=100, permit_pings_without_calls=1)
    peer = connect(port)
    for i in range(6):
        peer.send_ping(i.to_bytes(8, "big"))
        peer.expect(lambda f: isinstance(f, PingFrame) and "ACK" in f.flags, what="a PING ack", timeout=2)
        time.sleep(0.15)
    expect_ok(peer, say_hello(peer))


def test_data_and_headers_we_send_reset_the_strikes(grpc_server):
    port = grpc_server()
    peer = connect(port)
    for _ in range(5):
        # Two quick pings are fine; a call in between forgives them.
        for i in range(2):
            peer.send_ping(i.to_bytes(8, "big"))
            peer.expect(lambda f: isinstance(f, PingFrame) and "ACK" in f.flags, what="a PING ack", timeout=2)
        expect_ok(peer, say_hello(peer))
