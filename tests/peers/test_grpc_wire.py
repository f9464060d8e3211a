"""Wire conformance of the gRPC server (``helloworld-server``) for
malformed requests, frame by frame from a Python peer.

RFC 9113 section 8.1.1: a malformed request (section 8.2: field names and
values; 8.2.2: connection-specific fields and ``te``; 8.3: pseudo-header
fields) is a stream error of type PROTOCOL_ERROR, so the server answers
RST_STREAM(PROTOCOL_ERROR) and the connection goes on serving calls.
Section 5.1 / 6.1: DATA on a closed stream is STREAM_CLOSED.

test_errors.py checks the same rules against the plain HTTP/2 demo
server; here they run through the gRPC server's stack.
"""

from __future__ import annotations

import pytest
from hyperframe.frame import GoAwayFrame, PingFrame, RstStreamFrame

from grpcpeer import GREETER_HEADERS, HELLO, connect, expect_ok, say_hello, start_grpc_server
from h2peer import ErrorCode, RawPeer

E = ErrorCode


@pytest.fixture(scope="module")
def grpc_port(tmp_path_factory):
    proc, port = start_grpc_server(tmp_path_factory.mktemp("grpc-wire") / "server.log")
    yield port
    proc.kill()
    proc.wait()


@pytest.fixture
def peer(grpc_port):
    p = connect(grpc_port)
    yield p
    p.close()


def with_field(name, value):
    return GREETER_HEADERS + [(name, value)]


def without(name):
    return [(k, v) for k, v in GREETER_HEADERS if k != name]


def swap(name, value):
    return [(k, value if k == name else v) for k, v in GREETER_HEADERS]


PSEUDO = [h for h in GREETER_HEADERS if h[0].startswith(":")]
REGULAR = [h for h in GREETER_HEADERS if not h[0].startswith(":")]

MALFORMED = {
    # 8.2: field names are lowercase tokens; values carry no CR, LF or NUL
    # and no leading or trailing whitespace.
    "uppercase-name": with_field("X-Upper", "1"),
    "uppercase-pseudo": [(":Method" if k == ":method" else k, v) for k, v in GREETER_HEADERS],
    "name-with-space": with_field("x a", "1"),
    "name-with-del": with_field(b"x\x7fa", b"1"),
    "name-with-high-byte": with_field(b"x\xe9", b"1"),
    "empty-name": with_field(b"", b"1"),
    "value-with-cr": with_field("x-a", "a\rb"),
    "value-with-lf": with_field("x-a", "a\nb"),
    "value-with-crlf": with_field("x-a", "a\r\nx-b: c"),
    "value-with-nul": with_field(b"x-a", b"a\x00b"),
    "value-leading-space": with_field("x-a", " a"),
    "value-trailing-tab": with_field("x-a", "a\t"),
    "path-with-nul": swap(":path", "/helloworld.Greeter/Say\x00Hello"),
    # 8.2.2: connection-specific fields, and te other than "trailers".
    "connection": with_field("connection", "keep-alive"),
    "keep-alive": with_field("keep-alive", "timeout=5"),
    "proxy-connection": with_field("proxy-connection", "keep-alive"),
    "transfer-encoding": with_field("transfer-encoding", "chunked"),
    "upgrade": with_field("upgrade", "h2c"),
    "te-gzip": swap("te", "gzip"),
    "te-trailers-and-more": swap("te", "trailers, deflate"),
    # 8.3: pseudo-header fields.
    "missing-method": without(":method"),
    "missing-scheme": without(":scheme"),
    "missing-path": without(":path"),
    "empty-path": swap(":path", ""),
    "duplicate-path": PSEUDO + [(":path", "/helloworld.Greeter/SayHello")] + REGULAR,
    "duplicate-method": PSEUDO + [(":method", "POST")] + REGULAR,
    "duplicate-scheme": PSEUDO + [(":scheme", "http")] + REGULAR,
    "duplicate-authority": PSEUDO + [(":authority", "localhost")] + REGULAR,
    "pseudo-after-regular": REGULAR + PSEUDO,
    "pseudo-between-regular": PSEUDO[:3] + REGULAR[:1] + PSEUDO[3:] + REGULAR[1:],
    "unknown-pseudo": PSEUDO + [(":foo", "bar")] + REGULAR,
    "response-pseudo": PSEUDO + [(":status", "200")] + REGULAR,
    "protocol-without-connect": PSEUDO + [(":protocol", "websocket")] + REGULAR,
}


def assert_usable(peer: RawPeer) -> None:
    """A following good call on the same connection succeeds."""
    expect_ok(peer, say_hello(peer))


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_request_is_a_stream_protocol_error(peer, case):
    sid = peer.new_stream_id()
    peer.send_headers(sid, MALFORMED[case])
    peer.send_data(sid, HELLO, end_stream=True)
    peer.expect_rst(sid, E.PROTOCOL_ERROR)
    assert_usable(peer)


@pytest.mark.parametrize("case", ["uppercase-name", "missing-path", "te-gzip"])
def test_malformed_request_without_body(peer, case):
    """The same errors on a HEADERS frame that also ends the stream."""
    sid = peer.new_stream_id()
    peer.send_headers(sid, MALFORMED[case], end_stream=True)
    peer.expect_rst(sid, E.PROTOCOL_ERROR)
    assert_usable(peer)


def test_malformed_trailers_are_a_stream_protocol_error(peer):
    """8.1: trailers must not carry pseudo-header fields."""
    sid = peer.new_stream_id()
    peer.send_headers(sid, GREETER_HEADERS)
    peer.send_data(sid, HELLO)
    peer.send_headers(sid, [(":path", "/x")], end_stream=True)
    peer.expect_rst(sid, E.PROTOCOL_ERROR)
    assert_usable(peer)


def test_data_on_a_closed_stream_is_stream_closed(peer):
    """5.1 / 6.1: after the call ended both ways, DATA on its stream is
    STREAM_CLOSED (a stream error, or a connection error: 5.1 allows
    either)."""
    sid = say_hello(peer)
    expect_ok(peer, sid)
    peer.send_data(sid, HELLO, end_stream=True)
    f = peer.expect_rst_or_goaway(sid, E.STREAM_CLOSED)
    if isinstance(f, RstStreamFrame):
        assert_usable(peer)


def test_headers_on_a_closed_stream_is_stream_closed(peer):
    sid = say_hello(peer)
    expect_ok(peer, sid)
    peer.send_headers(sid, GREETER_HEADERS, end_stream=True)
    f = peer.expect_rst_or_goaway(sid, E.STREAM_CLOSED)
    if isinstance(f, RstStreamFrame):
        assert_usable(peer)


def test_data_after_the_servers_reset_is_ignored(peer):
    """5.1: an endpoint MUST ignore frames it receives on a stream it reset
    (the peer may have sent them before it saw the RST_STREAM)."""
    sid = peer.new_stream_id()
    peer.send_headers(sid, MALFORMED["uppercase-name"])
    peer.expect_rst(sid, E.PROTOCOL_ERROR)
    peer.send_data(sid, HELLO)
    peer.send_data(sid, HELLO, end_stream=True)
    payload = b"ignored!"
    peer.send_ping(payload)
    f = peer.expect(
        lambda f: isinstance(f, (GoAwayFrame, RstStreamFrame))
        or (isinstance(f, PingFrame) and "ACK" in f.flags and bytes(f.opaque_data) == payload),
        what="the PING ACK, and nothing about the reset stream",
    )
    assert isinstance(f, PingFrame), f"the server reacted to frames on a stream it reset: {peer.recent_log()}"
    assert_usable(peer)
