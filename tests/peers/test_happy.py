"""Happy-path behaviour of the demo server (contract item n and basics)."""

from __future__ import annotations

import os
import struct

import pytest

from h2peer import (
    FLAG_END_HEADERS,
    FLAG_END_STREAM,
    FLAG_PADDED,
    FLAG_PRIORITY,
    DATA,
    HEADERS,
    PRIORITY,
    SETTINGS_INITIAL_WINDOW_SIZE,
    SETTINGS_MAX_CONCURRENT_STREAMS,
    SETTINGS_MAX_FRAME_SIZE,
    SETTINGS_MAX_HEADER_LIST_SIZE,
    DataFrame,
    ErrorCode,
    PeerError,
    RawPeer,
    WindowUpdateFrame,
    expected_bytes,
    raw_frame,
)

HELLO = b"hello, world\n"


def test_server_settings(server):
    """The server's SETTINGS and its connection-window raise to 4 MiB."""
    p = RawPeer.connect(server.host, server.port)
    with p:
        s = p.server_settings
        assert s.get(SETTINGS_MAX_CONCURRENT_STREAMS) == 100, s
        assert s.get(SETTINGS_INITIAL_WINDOW_SIZE) == 1048576, s
        assert s.get(SETTINGS_MAX_FRAME_SIZE, 16384) == 16384, s
        assert s.get(SETTINGS_MAX_HEADER_LIST_SIZE) == 16384, s
        # The connection WINDOW_UPDATE may come before or after SETTINGS;
        # a ping round trip makes sure everything sent at start arrived.
        p.ping_roundtrip()
        stream0_updates = [f for f in p.log if f.startswith("WINDOWUPDATE(stream=0")]
        assert p.conn_send_window == 4 * 1024 * 1024, (
            f"connection window granted to the client is {p.conn_send_window}, expected 4 MiB; frames: {p.recent_log()}"
        )
        assert stream0_updates, p.recent_log()


def test_get_root(client):
    r = client.request("GET", "/")
    assert r.status == 200, r.headers
    assert bytes(r.body) == HELLO


def test_get_root_raw(peer):
    r = peer.get("/")
    assert r.status == 200 and bytes(r.body) == HELLO, (r.headers, bytes(r.body))


def test_not_found(client):
    r = client.request("GET", "/no/such/route")
    assert r.status == 404, r.headers


def test_head_or_unknown_method_does_not_crash(client):
    r = client.request("DELETE", "/")
    assert r.status is not None and r.reset is None


@pytest.mark.parametrize("n", [0, 1, 250, 251, 16384, 16385, 1_000_000, 5_000_000])
def test_bytes(client, n):
    r = client.request("GET", f"/bytes/{n}", timeout=30)
    assert r.status == 200, r.headers
    body = bytes(r.body)
    assert len(body) == n
    assert body == expected_bytes(n)


def test_echo_small(client):
    r = client.request("POST", "/echo", b"ping")
    assert r.status == 200 and bytes(r.body) == b"ping"


def test_echo_empty(client):
    r = client.request("POST", "/echo", b"")
    assert r.status == 200 and bytes(r.body) == b""


def test_echo_3mib(client):
    body = os.urandom(3 * 1024 * 1024)
    r = client.request("POST", "/echo", body, timeout=60)
    assert r.status == 200, r.headers
    assert len(r.body) == len(body)
    assert bytes(r.body) == body


def test_concurrent_streams(client):
    sids = [client.start("GET", f"/bytes/{1000 + i}") for i in range(50)]
    sids += [client.start("POST", "/echo", os.urandom(20000)) for _ in range(20)]
    bodies = {sid: bytes(client.to_send[sid][0]) for sid in sids[50:]}
    rs = client.run(sids, timeout=30)
    for i, sid in enumerate(sids[:50]):
        assert rs[sid].status == 200 and bytes(rs[sid].body) == expected_bytes(1000 + i)
    for sid in sids[50:]:
        assert rs[sid].status == 200 and bytes(rs[sid].body) == bodies[sid]


def test_echo_streams_as_it_arrives(peer):
    """The echo route streams: the first chunk comes back before the request
    body ends."""
    sid = peer.send_request("POST", "/echo", end_stream=False)
    peer.send_data(sid, b"first-chunk")
    got = bytearray()

    def match(f):
        if isinstance(f, DataFrame) and f.stream_id == sid:
            got.extend(f.data)
        return len(got) >= len(b"first-chunk")

    peer.expect(match, what="echo of the first chunk before END_STREAM")
    assert bytes(got) == b"first-chunk"
    peer.send_data(sid, b"second", end_stream=True)
    r = peer.read_responses([sid])[sid]
    assert bytes(r.body) == b"second"


def test_small_client_window_respected(server):
    """With a 100-byte stream window the server must never overrun it."""
    p = RawPeer.connect(server.host, server.port, settings={SETTINGS_INITIAL_WINDOW_SIZE: 100})
    with p:
        sid = p.send_request("GET", "/bytes/3000")
        received = 0
        window = 100
        body = bytearray()
        while True:
            f = p.expect(lambda f: f.stream_id == sid, what=f"frames on stream {sid}")
            if isinstance(f, DataFrame):
                n = f.flow_controlled_length
                assert n <= window, f"server sent {n} bytes with only {window} bytes of stream window"
                window -= n
                received += len(f.data)
                body += f.data
                if "END_STREAM" in f.flags:
                    break
                if window == 0:
                    p.send_window_update(sid, 100)
                    p.send_window_update(0, 100)
                    window += 100
            elif "END_STREAM" in f.flags:
                break
        assert bytes(body) == expected_bytes(3000)


def test_ping_ack(peer):
    payload = b"\x01\x02\x03\x04\x05\x06\x07\x08"
    peer.ping_roundtrip(payload)


def test_priority_frames_ignored(peer):
    # PRIORITY for an idle stream, for an open one, and HEADERS with the
    # PRIORITY flag: all must be accepted.
    peer.send_raw(raw_frame(PRIORITY, 0, 11, struct.pack(">IB", 0, 15)))
    sid = peer.new_stream_id()
    block = peer.headers_block(peer.request_headers("GET", "/"))
    prio = struct.pack(">IB", 0x80000000 | 0, 200)  # exclusive dependency on 0
    peer.send_raw(raw_frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM | FLAG_PRIORITY, sid, prio + block))
    peer.send_raw(raw_frame(PRIORITY, 0, sid, struct.pack(">IB", 0, 7)))
    r = peer.read_responses([sid])[sid]
    assert r.status == 200 and bytes(r.body) == HELLO
    peer.ping_roundtrip()


def test_padded_headers_and_data(peer):
    sid = peer.new_stream_id()
    block = peer.headers_block(peer.request_headers("POST", "/echo"))
    pad = 17
    peer.send_raw(raw_frame(HEADERS, FLAG_END_HEADERS | FLAG_PADDED, sid, bytes([pad]) + block + b"\0" * pad))
    peer.send_raw(raw_frame(DATA, FLAG_PADDED, sid, bytes([200]) + b"abc" + b"\0" * 200))
    peer.send_raw(raw_frame(DATA, FLAG_PADDED | FLAG_END_STREAM, sid, bytes([0]) + b"def"))
    r = peer.read_responses([sid])[sid]
    assert r.status == 200 and bytes(r.body) == b"abcdef", (r.headers, bytes(r.body))


def test_request_trailers_accepted(client):
    r = client.request("POST", "/echo", b"body-with-trailers", trailers=[("x-checksum", "abc")])
    assert r.status == 200 and bytes(r.body) == b"body-with-trailers"


def test_unknown_frame_type_ignored(peer):
    peer.send_raw(raw_frame(0xFA, 0xFF, 0, b"whatever"))
    peer.send_raw(raw_frame(0xFA, 0, 1, b"on an idle stream"))
    peer.ping_roundtrip()
    r = peer.get("/")
    assert r.status == 200


def test_client_goaway_lets_inflight_streams_finish(peer):
    sid = peer.send_request("POST", "/echo", end_stream=False)
    peer.send_data(sid, b"before-goaway;")
    peer.send_goaway(0, ErrorCode.NO_ERROR)
    peer.send_data(sid, b"after-goaway", end_stream=True)
    r = peer.read_responses([sid])[sid]
    assert r.status == 200 and bytes(r.body) == b"before-goaway;after-goaway"


def test_many_sequential_requests_one_connection(peer):
    for _ in range(300):
        r = peer.get("/")
        assert r.status == 200 and bytes(r.body) == HELLO


def test_continuation_split_headers_accepted(peer):
    """A legitimate header block split over HEADERS + CONTINUATIONs."""
    from h2peer import CONTINUATION

    sid = peer.new_stream_id()
    block = peer.headers_block(peer.request_headers("GET", "/", [("x-pad", "p" * 3000)]))
    parts = [block[i : i + 500] for i in range(0, len(block), 500)]
    out = raw_frame(HEADERS, FLAG_END_STREAM, sid, parts[0])
    for i, part in enumerate(parts[1:], 1):
        out += raw_frame(CONTINUATION, FLAG_END_HEADERS if i == len(parts) - 1 else 0, sid, part)
    peer.send_raw(out)
    r = peer.read_responses([sid])[sid]
    assert r.status == 200 and bytes(r.body) == HELLO
