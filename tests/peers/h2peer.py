"""Frame-level HTTP/2 test peer used by the real-peer tests.

``RawPeer`` speaks HTTP/2 over a plain TCP socket (h2c, prior knowledge)
without any client-side protocol checks, so tests can send malformed or
abusive traffic and observe the server's reaction from the outside.

Frames are parsed with ``hyperframe``; header blocks are encoded with
``hpack``.  Malformed frames are built with :func:`raw_frame`, which writes
the 9-byte frame header by hand (hyperframe refuses to serialize many of
the invalid frames the tests need).

Every blocking operation has a deadline: a test never hangs, and a server
that does not react in time fails the test with a message that says what
was expected and what arrived instead.
"""

from __future__ import annotations

import enum
import os
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

import hpack
from hyperframe.exceptions import HyperframeError
from hyperframe.frame import (
    ContinuationFrame,
    DataFrame,
    ExtensionFrame,
    Frame,
    GoAwayFrame,
    HeadersFrame,
    PingFrame,
    PriorityFrame,
    RstStreamFrame,
    SettingsFrame,
    WindowUpdateFrame,
)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

# Frame types.
DATA = 0x0
HEADERS = 0x1
PRIORITY = 0x2
RST_STREAM = 0x3
SETTINGS = 0x4
PUSH_PROMISE = 0x5
PING = 0x6
GOAWAY = 0x7
WINDOW_UPDATE = 0x8
CONTINUATION = 0x9

# Flags.
FLAG_END_STREAM = 0x1
FLAG_ACK = 0x1
FLAG_END_HEADERS = 0x4
FLAG_PADDED = 0x8
FLAG_PRIORITY = 0x20

# SETTINGS identifiers.
SETTINGS_HEADER_TABLE_SIZE = 0x1
SETTINGS_ENABLE_PUSH = 0x2
SETTINGS_MAX_CONCURRENT_STREAMS = 0x3
SETTINGS_INITIAL_WINDOW_SIZE = 0x4
SETTINGS_MAX_FRAME_SIZE = 0x5
SETTINGS_MAX_HEADER_LIST_SIZE = 0x6

DEFAULT_WINDOW = 65535
MAX_WINDOW = 2**31 - 1


class ErrorCode(enum.IntEnum):
    NO_ERROR = 0x0
    PROTOCOL_ERROR = 0x1
    INTERNAL_ERROR = 0x2
    FLOW_CONTROL_ERROR = 0x3
    SETTINGS_TIMEOUT = 0x4
    STREAM_CLOSED = 0x5
    FRAME_SIZE_ERROR = 0x6
    REFUSED_STREAM = 0x7
    CANCEL = 0x8
    COMPRESSION_ERROR = 0x9
    CONNECT_ERROR = 0xA
    ENHANCE_YOUR_CALM = 0xB
    INADEQUATE_SECURITY = 0xC
    HTTP_1_1_REQUIRED = 0xD


def code_name(code: int) -> str:
    try:
        return ErrorCode(code).name
    except ValueError:
        return f"UNKNOWN(0x{code:x})"


class PeerError(AssertionError):
    """The server did not behave as the test expected."""


class PeerTimeout(PeerError):
    """Nothing (or not enough) arrived before the deadline."""


def raw_frame(ftype: int, flags: int, stream_id: int, payload: bytes = b"", length: int | None = None) -> bytes:
    """Serialize a frame by hand.  ``length`` overrides the length field."""
    if length is None:
        length = len(payload)
    header = struct.pack(">I", length)[1:] + bytes([ftype, flags]) + struct.pack(">I", stream_id & 0xFFFFFFFF)
    return header + payload


def settings_payload(settings: dict[int, int] | list[tuple[int, int]]) -> bytes:
    items = settings.items() if isinstance(settings, dict) else settings
    return b"".join(struct.pack(">HI", k, v) for k, v in items)


def describe(frame: Frame | None) -> str:
    """A short human-readable rendering of a parsed frame."""
    if frame is None:
        return "<connection closed>"
    name = type(frame).__name__.replace("Frame", "").upper()
    flags = ",".join(sorted(frame.flags)) if frame.flags else ""
    extra = ""
    if isinstance(frame, GoAwayFrame):
        extra = f" last_stream={frame.last_stream_id} error={code_name(frame.error_code)}"
        if frame.additional_data:
            extra += f" debug={bytes(frame.additional_data[:80])!r}"
    elif isinstance(frame, RstStreamFrame):
        extra = f" error={code_name(frame.error_code)}"
    elif isinstance(frame, WindowUpdateFrame):
        extra = f" increment={frame.window_increment}"
    elif isinstance(frame, SettingsFrame):
        extra = f" {dict(frame.settings)}"
    elif isinstance(frame, DataFrame):
        extra = f" len={len(frame.data)}"
    elif isinstance(frame, PingFrame):
        extra = f" data={bytes(frame.opaque_data)!r}"
    return f"{name}(stream={frame.stream_id}{', flags=' + flags if flags else ''}{extra})"


@dataclass
class Response:
    stream_id: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    trailers: list[tuple[str, str]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    ended: bool = False
    reset: int | None = None  # RST_STREAM error code, if reset

    @property
    def status(self) -> int | None:
        for k, v in self.headers:
            if k == ":status":
                return int(v)
        return None


class RawPeer:
    """A minimal, permissive HTTP/2 client for black-box server testing."""

    def __init__(self, host: str, port: int, *, timeout: float = 5.0):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        # Our advertised limit; a server frame larger than this is a bug.
        self.local_max_frame_size = 16384
        self.buf = bytearray()
        self.closed = False  # peer closed (EOF or reset)
        self.close_reason: str | None = None
        self.send_error: Exception | None = None
        self.server_settings: dict[int, int] = {}
        self.server_settings_seen = False
        self.settings_acked = 0  # SETTINGS ACKs received for our SETTINGS
        self.conn_send_window = DEFAULT_WINDOW  # window the server granted us
        self.stream_send_windows: dict[int, int] = {}
        self.server_initial_window = DEFAULT_WINDOW
        self.auto_ack_settings = True
        self.auto_ack_ping = True
        self.log: list[str] = []  # every frame received, for failure messages
        self.frames_received = 0
        self.next_stream_id = 1
        # Header block being assembled (HEADERS ... CONTINUATION).
        self._hdr_stream: int | None = None
        self._hdr_block = bytearray()
        self._hdr_end_stream = False

    # ------------------------------------------------------------------ setup
    @classmethod
    def connect(
        cls,
        host: str,
        port: int,
        *,
        settings: dict[int, int] | None = None,
        handshake: bool = True,
        conn_window: int | None = None,
        timeout: float = 5.0,
    ) -> "RawPeer":
        peer = cls(host, port, timeout=timeout)
        if handshake:
            peer.handshake(settings=settings, conn_window=conn_window)
        return peer

    def handshake(self, settings: dict[int, int] | None = None, conn_window: int | None = None, wait: bool = True, preface: bool = True) -> None:
        """Send the preface and our SETTINGS; wait for the server's SETTINGS
        (which is ACKed automatically) and for the ACK of ours."""
        if settings is None:
            settings = {SETTINGS_ENABLE_PUSH: 0}
        out = (PREFACE if preface else b"") + raw_frame(SETTINGS, 0, 0, settings_payload(settings))
        if conn_window:
            out += raw_frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", conn_window))
        self.send_raw(out)
        if wait:
            self.wait_for(lambda: self.server_settings_seen and self.settings_acked >= 1, what="server SETTINGS and SETTINGS ACK")

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> "RawPeer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---------------------------------------------------------------- sending
    def send_raw(self, data: bytes) -> bool:
        """Send bytes; returns False (and records why) if the server already
        closed the connection.  A closed connection is not an error here:
        the test decides by what it reads afterwards."""
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as e:
            self.send_error = e
            return False
        except socket.timeout as e:
            raise PeerError(f"send of {len(data)} bytes blocked for {self.timeout}s (server not reading?)") from e

    def send_frame(self, frame: Frame) -> bool:
        return self.send_raw(frame.serialize())

    def blast(self, data: bytes, *, chunk: int = 1 << 16, wait: float = 10.0) -> threading.Thread:
        """Send a large amount of data from a background thread, the way an
        attacker would: without reading anything.  Waits up to ``wait``
        seconds for the send to finish (kernel buffers usually absorb it),
        then returns so the caller can start reading even if the server
        stopped reading (the thread then ends when the socket closes)."""

        # A separate socket object (same connection) so the reader's
        # settimeout() calls do not cut the sender's timeout short.
        out = self.sock.dup()
        out.settimeout(max(wait, 30.0))

        def run() -> None:
            view = memoryview(data)
            try:
                for off in range(0, len(view), chunk):
                    out.sendall(view[off : off + chunk])
            except OSError as e:  # server closed on us: expected for floods
                self.send_error = e
            finally:
                out.close()

        t = threading.Thread(target=run, daemon=True)
        t.start()
        t.join(wait)
        return t

    def headers_block(self, headers: list[tuple[str, str]] | list[tuple[bytes, bytes]]) -> bytes:
        return self.encoder.encode(headers)

    def request_headers(self, method: str = "GET", path: str = "/", extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
        h = [(":method", method), (":scheme", "http"), (":authority", f"{self.host}:{self.port}"), (":path", path)]
        return h + list(extra or [])

    def new_stream_id(self) -> int:
        sid = self.next_stream_id
        self.next_stream_id += 2
        return sid

    def headers_frame(self, stream_id: int, headers, *, end_stream: bool = False, end_headers: bool = True, max_frame: int = 16384) -> bytes:
        """HEADERS (+ CONTINUATIONs if the block exceeds ``max_frame``)."""
        block = self.headers_block(headers)
        first, rest = block[:max_frame], block[max_frame:]
        es = FLAG_END_STREAM if end_stream else 0
        if not rest:
            return raw_frame(HEADERS, es | (FLAG_END_HEADERS if end_headers else 0), stream_id, first)
        out = raw_frame(HEADERS, es, stream_id, first)
        while rest:
            part, rest = rest[:max_frame], rest[max_frame:]
            out += raw_frame(CONTINUATION, FLAG_END_HEADERS if (not rest and end_headers) else 0, stream_id, part)
        return out

    def send_headers(self, stream_id: int, headers, *, end_stream: bool = False) -> None:
        self.stream_send_windows.setdefault(stream_id, self.server_initial_window)
        self.send_raw(self.headers_frame(stream_id, headers, end_stream=end_stream))

    def send_request(self, method: str = "GET", path: str = "/", *, end_stream: bool = True, extra=None) -> int:
        sid = self.new_stream_id()
        self.send_headers(sid, self.request_headers(method, path, extra), end_stream=end_stream)
        return sid

    def data_frame(self, stream_id: int, data: bytes, *, end_stream: bool = False) -> bytes:
        return raw_frame(DATA, FLAG_END_STREAM if end_stream else 0, stream_id, data)

    def send_data(self, stream_id: int, data: bytes, *, end_stream: bool = False) -> None:
        self.send_raw(self.data_frame(stream_id, data, end_stream=end_stream))

    def send_ping(self, payload: bytes = b"pingpong", ack: bool = False) -> None:
        self.send_raw(raw_frame(PING, FLAG_ACK if ack else 0, 0, payload))

    def send_rst(self, stream_id: int, code: int = ErrorCode.CANCEL) -> None:
        self.send_raw(raw_frame(RST_STREAM, 0, stream_id, struct.pack(">I", code)))

    def send_window_update(self, stream_id: int, increment: int) -> None:
        self.send_raw(raw_frame(WINDOW_UPDATE, 0, stream_id, struct.pack(">I", increment)))

    def send_goaway(self, last_stream_id: int = 0, code: int = ErrorCode.NO_ERROR, debug: bytes = b"") -> None:
        self.send_raw(raw_frame(GOAWAY, 0, 0, struct.pack(">II", last_stream_id, code) + debug))

    def send_settings(self, settings: dict[int, int] | list[tuple[int, int]]) -> None:
        self.send_raw(raw_frame(SETTINGS, 0, 0, settings_payload(settings)))

    # -------------------------------------------------------------- receiving
    def _fill(self, deadline: float) -> bool:
        """Read more bytes; False on EOF/reset. Raises socket.timeout."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(1 << 18)
        except (ConnectionResetError, ConnectionAbortedError) as e:
            self.closed = True
            self.close_reason = f"reset ({e.__class__.__name__})"
            return False
        finally:
            self.sock.settimeout(self.timeout)
        if not chunk:
            self.closed = True
            self.close_reason = "EOF"
            return False
        self.buf += chunk
        return True

    def recv_frame(self, timeout: float | None = None) -> Frame | None:
        """Return the next frame, or None when the server closed the
        connection. Raises PeerError on timeout."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        try:
            while len(self.buf) < 9:
                if self.closed or not self._fill(deadline):
                    if self.buf:
                        self.log.append(f"<{len(self.buf)} trailing bytes at close>")
                    return None
            length = int.from_bytes(self.buf[0:3], "big")
            while len(self.buf) < 9 + length:
                if self.closed or not self._fill(deadline):
                    self.log.append(f"<truncated frame at close: have {len(self.buf)} of {9 + length}>")
                    return None
        except socket.timeout:
            raise PeerTimeout(
                f"timed out after {timeout if timeout is not None else self.timeout}s waiting for a frame; "
                f"last frames: {self.recent_log()}"
            ) from None
        header = bytes(self.buf[:9])
        body = bytes(self.buf[9 : 9 + length])
        del self.buf[: 9 + length]
        try:
            frame, _ = Frame.parse_frame_header(memoryview(header))
            frame.parse_body(memoryview(body))
        except HyperframeError as e:
            raise PeerError(f"server sent a malformed frame (header {header.hex()}, {length} bytes): {e!r}; before it: {self.recent_log()}") from None
        self.frames_received += 1
        self.log.append(describe(frame))
        if length > self.local_max_frame_size:
            raise PeerError(f"server sent a {length}-byte frame, above our MAX_FRAME_SIZE {self.local_max_frame_size}: {describe(frame)}")
        self._track(frame)
        return frame

    def _track(self, frame: Frame) -> None:
        """Connection bookkeeping: ACK SETTINGS/PING, track windows."""
        if isinstance(frame, SettingsFrame):
            if "ACK" in frame.flags:
                self.settings_acked += 1
            else:
                self.server_settings_seen = True
                for k, v in frame.settings.items():
                    if k == SETTINGS_INITIAL_WINDOW_SIZE:
                        delta = v - self.server_initial_window
                        for sid in self.stream_send_windows:
                            self.stream_send_windows[sid] += delta
                        self.server_initial_window = v
                    self.server_settings[k] = v
                if self.auto_ack_settings:
                    self.send_raw(raw_frame(SETTINGS, FLAG_ACK, 0))
        elif isinstance(frame, PingFrame):
            if "ACK" not in frame.flags and self.auto_ack_ping:
                self.send_raw(raw_frame(PING, FLAG_ACK, 0, bytes(frame.opaque_data)))
        elif isinstance(frame, (HeadersFrame, ContinuationFrame)):
            # Always decode header blocks so the HPACK state stays in sync
            # whoever consumes the frames.  The frame that completes a block
            # gets .decoded (list of (name, value)) and .block_end_stream.
            if isinstance(frame, HeadersFrame):
                self._hdr_stream = frame.stream_id
                self._hdr_block = bytearray(frame.data)
                self._hdr_end_stream = "END_STREAM" in frame.flags
            else:
                if self._hdr_stream != frame.stream_id:
                    raise PeerError(f"server sent CONTINUATION on stream {frame.stream_id} without a HEADERS in progress; received: {self.recent_log()}")
                self._hdr_block += frame.data
            if "END_HEADERS" in frame.flags:
                raw = self.decoder.decode(bytes(self._hdr_block), raw=True)
                frame.decoded = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]
                frame.block_end_stream = self._hdr_end_stream
                self._hdr_stream = None
                self.log[-1] += " " + ",".join(f"{k}={v[:20]}" for k, v in frame.decoded if k.startswith(":"))
        elif isinstance(frame, WindowUpdateFrame):
            if frame.stream_id == 0:
                self.conn_send_window += frame.window_increment
            else:
                self.stream_send_windows[frame.stream_id] = self.stream_send_windows.get(frame.stream_id, self.server_initial_window) + frame.window_increment

    def recent_log(self, n: int = 12) -> str:
        tail = self.log[-n:]
        more = f"... ({len(self.log) - n} earlier) " if len(self.log) > n else ""
        return more + ", ".join(tail) if tail else "<none>"

    def wait_for(self, pred, *, what: str, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while not pred():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PeerError(f"timed out waiting for {what}; received: {self.recent_log()}")
            f = self.recv_frame(remaining)
            if f is None:
                raise PeerError(f"connection closed ({self.close_reason}) while waiting for {what}; received: {self.recent_log()}")

    def expect(self, match, *, what: str, timeout: float | None = None, allow_close: bool = False) -> Frame | None:
        """Read frames until ``match(frame)`` is true and return that frame.
        If the connection closes first: return None when allow_close, else
        fail."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PeerTimeout(f"timed out waiting for {what}; received: {self.recent_log()}")
            try:
                f = self.recv_frame(remaining)
            except PeerTimeout:
                waited = (self.timeout if timeout is None else timeout)
                raise PeerTimeout(f"timed out after {waited:.0f}s waiting for {what}; received: {self.recent_log()}") from None
            if f is None:
                if allow_close:
                    return None
                raise PeerError(f"expected {what}, but the connection closed ({self.close_reason}); received: {self.recent_log()}")
            if match(f):
                return f

    def expect_goaway(self, codes, *, timeout: float | None = None, require_close: bool = True) -> GoAwayFrame:
        """Expect a GOAWAY with one of ``codes`` and then (by default) the
        connection to close.  Any other GOAWAY fails immediately."""
        if isinstance(codes, int):
            codes = {codes}
        codes = {int(c) for c in codes}
        want = "GOAWAY(" + "|".join(code_name(c) for c in sorted(codes)) + ")"
        g = self.expect(lambda f: isinstance(f, GoAwayFrame), what=want, timeout=timeout)
        if g.error_code not in codes:
            raise PeerError(f"expected {want}, got {describe(g)}; received: {self.recent_log()}")
        if require_close:
            self.expect_close(timeout=timeout, after=want)
        return g

    def expect_close(self, *, timeout: float | None = None, after: str = "") -> None:
        """Drain frames until EOF; fails if the server keeps the connection
        open.  Only GOAWAY/control frames or late stream frames may arrive."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PeerError(f"server did not close the connection{' after ' + after if after else ''}; received: {self.recent_log()}")
            try:
                f = self.recv_frame(remaining)
            except PeerError as e:
                raise PeerError(f"server did not close the connection{' after ' + after if after else ''}: {e}") from None
            if f is None:
                return

    def expect_rst(self, stream_id: int, codes, *, timeout: float | None = None) -> RstStreamFrame:
        if isinstance(codes, int):
            codes = {codes}
        codes = {int(c) for c in codes}
        want = f"RST_STREAM(stream={stream_id}, " + "|".join(code_name(c) for c in sorted(codes)) + ")"

        def match(f: Frame) -> bool:
            if isinstance(f, GoAwayFrame):
                raise PeerError(f"expected {want}, got connection error {describe(f)}; received: {self.recent_log()}")
            return isinstance(f, RstStreamFrame) and f.stream_id == stream_id

        r = self.expect(match, what=want, timeout=timeout)
        if r.error_code not in codes:
            raise PeerError(f"expected {want}, got {describe(r)}; received: {self.recent_log()}")
        return r

    def expect_rst_or_goaway(self, stream_id: int, codes, *, timeout: float | None = None) -> Frame:
        """Either a stream error on ``stream_id`` or a connection error, with
        one of ``codes``."""
        if isinstance(codes, int):
            codes = {codes}
        codes = {int(c) for c in codes}
        want = f"RST_STREAM(stream={stream_id}) or GOAWAY with " + "|".join(code_name(c) for c in sorted(codes))
        f = self.expect(
            lambda f: isinstance(f, GoAwayFrame) or (isinstance(f, RstStreamFrame) and f.stream_id == stream_id),
            what=want,
            timeout=timeout,
        )
        if f.error_code not in codes:
            raise PeerError(f"expected {want}, got {describe(f)}; received: {self.recent_log()}")
        return f

    def ping_roundtrip(self, payload: bytes | None = None, *, timeout: float | None = None) -> None:
        """Send a PING and wait for its ACK (the connection is usable).
        Fails on GOAWAY or close."""
        payload = payload or os.urandom(8)
        self.send_ping(payload)

        def match(f: Frame) -> bool:
            if isinstance(f, GoAwayFrame):
                raise PeerError(f"expected PING ACK, got {describe(f)}; received: {self.recent_log()}")
            return isinstance(f, PingFrame) and "ACK" in f.flags and bytes(f.opaque_data) == payload

        self.expect(match, what=f"PING ACK {payload!r}", timeout=timeout)

    # ------------------------------------------------------- whole responses
    def read_responses(self, stream_ids, *, timeout: float | None = None, replenish: bool = True) -> dict[int, Response]:
        """Read until every stream in ``stream_ids`` ended (END_STREAM or
        RST_STREAM).  Sends WINDOW_UPDATEs for received DATA so large bodies
        flow.  Fails on GOAWAY or close."""
        pending = set(stream_ids)
        resps = {sid: Response(sid) for sid in pending}
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PeerError(f"timed out waiting for responses on streams {sorted(pending)}; received: {self.recent_log()}")
            f = self.recv_frame(remaining)
            if f is None:
                raise PeerError(f"connection closed ({self.close_reason}) with responses pending on {sorted(pending)}; received: {self.recent_log()}")
            if isinstance(f, GoAwayFrame):
                raise PeerError(f"unexpected {describe(f)} while reading responses; received: {self.recent_log()}")
            sid = f.stream_id
            if isinstance(f, (HeadersFrame, ContinuationFrame)):
                hdrs = getattr(f, "decoded", None)
                if hdrs is not None and sid in resps:
                    r = resps[sid]
                    if r.headers and r.status is not None and r.status >= 200:
                        r.trailers = hdrs
                    elif any(k == ":status" and v.startswith("1") for k, v in hdrs):
                        pass  # informational response
                    else:
                        r.headers = hdrs
                    if f.block_end_stream:
                        r.ended = True
                        pending.discard(sid)
            elif isinstance(f, DataFrame):
                n = f.flow_controlled_length
                if replenish and n:
                    upd = raw_frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", n))
                    if "END_STREAM" not in f.flags:
                        upd += raw_frame(WINDOW_UPDATE, 0, sid, struct.pack(">I", n))
                    self.send_raw(upd)
                if sid in resps:
                    resps[sid].body += f.data
                    if "END_STREAM" in f.flags:
                        resps[sid].ended = True
                        pending.discard(sid)
            elif isinstance(f, RstStreamFrame):
                if sid in resps:
                    resps[sid].reset = f.error_code
                    pending.discard(sid)
        return resps

    def get(self, path: str = "/", *, timeout: float | None = None) -> Response:
        sid = self.send_request("GET", path)
        return self.read_responses([sid], timeout=timeout)[sid]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def expected_bytes(n: int) -> bytes:
    """Body of GET /bytes/N: byte i = i % 251."""
    pattern = bytes(range(251))
    reps, rest = divmod(n, 251)
    return pattern * reps + pattern[:rest]


__all__ = [name for name in dir() if not name.startswith("_")] + [
    "ContinuationFrame",
    "DataFrame",
    "ExtensionFrame",
    "GoAwayFrame",
    "HeadersFrame",
    "PingFrame",
    "PriorityFrame",
    "RstStreamFrame",
    "SettingsFrame",
    "WindowUpdateFrame",
]


class H2Client:
    """A well-behaved client built on the ``h2`` library's state machine,
    used for happy-path tests (an independent implementation checking the
    server's framing, flow control and HPACK)."""

    def __init__(self, host: str, port: int, *, timeout: float = 10.0, window: int = 16 * 1024 * 1024):
        import h2.config
        import h2.connection

        self.host, self.port, self.timeout = host, port, timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        cfg = h2.config.H2Configuration(client_side=True, header_encoding=None)
        self.conn = h2.connection.H2Connection(config=cfg)
        self.conn.initiate_connection()
        self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
        self.conn.increment_flow_control_window(window - DEFAULT_WINDOW)
        self.flush()
        self.responses: dict[int, Response] = {}
        self.to_send: dict[int, tuple[memoryview, bool]] = {}  # body left to send, end_stream
        self.events: list = []
        self.goaway = None

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> "H2Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def start(self, method: str, path: str, body: bytes | None = None, *, headers=None, trailers=None, end_stream: bool = True) -> int:
        sid = self.conn.get_next_available_stream_id()
        h = [(":method", method), (":scheme", "http"), (":authority", f"{self.host}:{self.port}"), (":path", path)] + list(headers or [])
        no_body = not body and not trailers
        self.conn.send_headers(sid, h, end_stream=end_stream and no_body)
        self.responses[sid] = Response(sid)
        if body or trailers:
            self.to_send[sid] = (memoryview(body or b""), end_stream, trailers)
        self.flush()
        return sid

    def _pump_send(self) -> None:
        for sid in list(self.to_send):
            view, end, trailers = self.to_send[sid]
            while view:
                n = min(len(view), self.conn.local_flow_control_window(sid), self.conn.max_outbound_frame_size)
                if n <= 0:
                    break
                self.conn.send_data(sid, bytes(view[:n]))
                view = view[n:]
            if view:
                self.to_send[sid] = (view, end, trailers)
            else:
                del self.to_send[sid]
                if trailers:
                    self.conn.send_headers(sid, trailers, end_stream=True)
                elif end:
                    self.conn.end_stream(sid)
        self.flush()

    def run(self, stream_ids=None, *, timeout: float | None = None) -> dict[int, Response]:
        import h2.events as ev

        pending = set(stream_ids if stream_ids is not None else self.responses)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            self._pump_send()
            pending = {s for s in pending if not (self.responses[s].ended or self.responses[s].reset is not None)}
            if not pending:
                return {s: self.responses[s] for s in (stream_ids if stream_ids is not None else self.responses)}
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PeerError(f"timed out; streams still pending: {sorted(pending)}; "
                                f"bytes received so far: {[(s, len(self.responses[s].body)) for s in sorted(pending)]}")
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(1 << 18)
            except socket.timeout:
                continue
            except ConnectionResetError:
                data = b""
            if not data:
                raise PeerError(f"connection closed with streams pending: {sorted(pending)} (goaway: {self.goaway})")
            for e in self.conn.receive_data(data):
                self.events.append(e)
                sid = getattr(e, "stream_id", None)
                r = self.responses.get(sid)
                if isinstance(e, ev.ResponseReceived) and r:
                    r.headers = [(k.decode(), v.decode()) for k, v in e.headers]
                elif isinstance(e, ev.TrailersReceived) and r:
                    r.trailers = [(k.decode(), v.decode()) for k, v in e.headers]
                elif isinstance(e, ev.DataReceived):
                    if r:
                        r.body += e.data
                    self.conn.acknowledge_received_data(e.flow_controlled_length, sid)
                elif isinstance(e, ev.StreamEnded) and r:
                    r.ended = True
                elif isinstance(e, ev.StreamReset) and r:
                    r.reset = e.error_code
                elif isinstance(e, ev.ConnectionTerminated):
                    self.goaway = e
            self.flush()

    def request(self, method: str, path: str, body: bytes | None = None, *, timeout: float | None = None, **kw) -> Response:
        sid = self.start(method, path, body, **kw)
        return self.run([sid], timeout=timeout)[sid]
