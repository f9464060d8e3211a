"""Resource-exhaustion defences (contract items f, g, h).

Each flood is sent in one burst from a background thread without reading
(like an attacker), then the test reads until the expected GOAWAY.  The
amount of traffic is bounded; a server that neither answers nor closes
within the timeout fails the test.
"""

from __future__ import annotations

import struct

from h2peer import (
    CONTINUATION,
    FLAG_END_HEADERS,
    FLAG_END_STREAM,
    HEADERS,
    PING,
    RST_STREAM,
    SETTINGS,
    WINDOW_UPDATE,
    ErrorCode,
    GoAwayFrame,
    PeerError,
    PingFrame,
    RawPeer,
    raw_frame,
)

E = ErrorCode
FLOOD_TIMEOUT = 30.0
CALM_OR_PROTOCOL = {E.ENHANCE_YOUR_CALM, E.PROTOCOL_ERROR, E.COMPRESSION_ERROR}


def _literal(name: bytes, value: bytes) -> bytes:
    """HPACK literal header field without indexing, new name, no Huffman."""

    def integer(n: int, prefix: int) -> bytes:
        limit = (1 << prefix) - 1
        if n < limit:
            return bytes([n])
        out = bytearray([limit])
        n -= limit
        while n >= 128:
            out.append((n & 0x7F) | 0x80)
            n >>= 7
        out.append(n)
        return bytes(out)

    return b"\x00" + integer(len(name), 7) + name + integer(len(value), 7) + value


# ---------------------------------------------------------- f. CONTINUATION
def test_f_continuation_flood_empty_frames(peer):
    """HEADERS without END_HEADERS then 100,000 empty CONTINUATIONs."""
    block = peer.headers_block(peer.request_headers("GET", "/"))
    out = raw_frame(HEADERS, FLAG_END_STREAM, 1, block)
    out += raw_frame(CONTINUATION, 0, 1, b"") * 100_000
    peer.blast(out)
    peer.expect_goaway(CALM_OR_PROTOCOL, timeout=FLOOD_TIMEOUT)


def test_f_continuation_flood_large_block(peer):
    """A 1 MiB header block (valid HPACK) in HEADERS + 16 KiB CONTINUATIONs,
    never ending."""
    block = peer.headers_block(peer.request_headers("GET", "/"))
    field = _literal(b"x-f", b"v" * 1000)
    payload = block + field * 1100  # ~1.1 MB of header block
    frames = [raw_frame(HEADERS, FLAG_END_STREAM, 1, payload[:16384])]
    for off in range(16384, len(payload), 16384):
        frames.append(raw_frame(CONTINUATION, 0, 1, payload[off : off + 16384]))
    peer.blast(b"".join(frames))
    peer.expect_goaway(CALM_OR_PROTOCOL, timeout=FLOOD_TIMEOUT)


# ------------------------------------------------------------ g. rapid reset
def _rapid_reset_burst(peer: RawPeer, pairs: int, first_sid: int = 1) -> bytes:
    out = bytearray()
    rst = struct.pack(">I", E.CANCEL)
    for i in range(pairs):
        sid = first_sid + 2 * i
        out += peer.headers_frame(sid, peer.request_headers("GET", "/"), end_stream=True)
        out += raw_frame(RST_STREAM, 0, sid, rst)
    peer.next_stream_id = first_sid + 2 * pairs
    return bytes(out)


def test_g_rapid_reset(peer):
    """CVE-2023-44487: 10,000 HEADERS+RST_STREAM(CANCEL) pairs."""
    peer.blast(_rapid_reset_burst(peer, 10_000))
    peer.expect_goaway(E.ENHANCE_YOUR_CALM, timeout=FLOOD_TIMEOUT)


def test_g_few_resets_are_fine(peer):
    """Below the budget, cancelling streams is legitimate."""
    peer.send_raw(_rapid_reset_burst(peer, 50))
    peer.ping_roundtrip()
    r = peer.get("/")
    assert r.status == 200


def test_g_made_you_reset_extra(peer):
    """extra (CVE-2025-8671 "MadeYouReset"): the client makes the *server*
    reset streams (here by WINDOW_UPDATE increment 0 on each new stream).
    Server-sent resets should be bounded too."""
    out = bytearray()
    zero = struct.pack(">I", 0)
    for i in range(10_000):
        sid = 1 + 2 * i
        out += peer.headers_frame(sid, peer.request_headers("POST", "/echo"), end_stream=False)
        out += raw_frame(WINDOW_UPDATE, 0, sid, zero)
    peer.blast(bytes(out))
    peer.expect_goaway({E.ENHANCE_YOUR_CALM}, timeout=FLOOD_TIMEOUT)


# --------------------------------------------------------- h. control floods
def test_h_ping_flood(peer):
    peer.auto_ack_ping = False
    peer.blast(raw_frame(PING, 0, 0, b"flooding") * 20_000)
    peer.expect_goaway(E.ENHANCE_YOUR_CALM, timeout=FLOOD_TIMEOUT)


def test_h_settings_flood(peer):
    peer.auto_ack_settings = False
    peer.blast(raw_frame(SETTINGS, 0, 0, b"") * 10_000)
    peer.expect_goaway(E.ENHANCE_YOUR_CALM, timeout=FLOOD_TIMEOUT)


def test_h_moderate_pings_fine(peer):
    """100 PINGs in one write are answered, no GOAWAY."""
    peer.send_raw(b"".join(raw_frame(PING, 0, 0, i.to_bytes(8, "big")) for i in range(100)))
    acks = set()

    def match(f):
        if isinstance(f, GoAwayFrame):
            raise PeerError(f"GOAWAY after only 100 pings: {peer.recent_log()}")
        if isinstance(f, PingFrame) and "ACK" in f.flags:
            acks.add(bytes(f.opaque_data))
        return len(acks) == 100

    peer.expect(match, what="100 PING ACKs")
    assert acks == {i.to_bytes(8, "big") for i in range(100)}


# ---------------------------------------- extra: cheap-frame floods (liveness)
def _calm_or_alive(peer: RawPeer) -> str:
    """After a flood: either GOAWAY(ENHANCE_YOUR_CALM) and close, or the
    connection still answers a PING.  Anything else (other error, silent
    close, hang) fails."""
    payload = b"alive?!!"
    peer.send_ping(payload)

    def match(f):
        return isinstance(f, GoAwayFrame) or (isinstance(f, PingFrame) and "ACK" in f.flags and bytes(f.opaque_data) == payload)

    f = peer.expect(match, what="GOAWAY(ENHANCE_YOUR_CALM) or the PING ACK", timeout=FLOOD_TIMEOUT)
    if isinstance(f, GoAwayFrame):
        assert f.error_code == E.ENHANCE_YOUR_CALM, peer.recent_log()
        return "goaway"
    return "alive"


def test_extra_empty_data_flood(peer):
    """CVE-2019-9518 style: 100,000 empty DATA frames on one open stream."""
    sid = peer.send_request("POST", "/echo", end_stream=False)
    peer.blast(raw_frame(0x0, 0, sid, b"") * 100_000)
    print("empty DATA flood:", _calm_or_alive(peer))


def test_extra_priority_flood(peer):
    """100,000 PRIORITY frames for idle streams."""
    out = b"".join(raw_frame(0x2, 0, 1 + 2 * (i % 50_000), struct.pack(">IB", 0, 15)) for i in range(100_000))
    peer.blast(out)
    print("PRIORITY flood:", _calm_or_alive(peer))


def test_extra_window_update_flood(peer):
    """100,000 WINDOW_UPDATE(1) on stream 0 (stays far below 2^31-1)."""
    peer.blast(raw_frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 1)) * 100_000)
    print("WINDOW_UPDATE flood:", _calm_or_alive(peer))
