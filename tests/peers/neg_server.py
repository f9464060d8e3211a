"""A misbehaving gRPC server for the negative HTTP/2 client tests.

``NegServer(case)`` listens on 127.0.0.1 and answers ``Greeter.SayHello``
calls with a ``HelloReply`` whose message is ``REPLY_LEN`` bytes long (big
enough to span several DATA frames and the default flow-control window).
The connection is driven by the ``h2`` library's server state machine, so
the client's framing is checked by an independent implementation.

Cases (grpc doc/negative-http2-interop-test-descriptions.md):

- ``goaway``: after answering the first call, GOAWAY(NO_ERROR) naming that
  call's stream; the client has to use a new connection for the next call.
- ``rst_after_header``: the first call gets response headers, then
  RST_STREAM(NO_ERROR).
- ``rst_during_data``: headers, half of the message, RST_STREAM(NO_ERROR).
- ``rst_after_data``: headers, the whole message, RST_STREAM(NO_ERROR) and
  no trailers.
- ``ping``: PINGs before the headers, between headers and data, and
  between data and trailers; every one must be acked.
- ``max_streams``: SETTINGS_MAX_CONCURRENT_STREAMS=1 sent once the first
  request arrives; the server records how many streams were ever open at
  once.

Extras: ``rst_cancel`` (headers, then RST_STREAM(CANCEL)), ``rst_refused``
(RST_STREAM(REFUSED_STREAM) instead of any response), ``goaway_unprocessed``
(GOAWAY(NO_ERROR, last_stream_id=0) instead of a response, then the
connection closes) and ``close_during_data`` (headers, half of the message,
then the TCP connection closes).

Only the first call misbehaves (``goaway`` aside); later calls are answered
normally, so a test can check that the client recovers.  What the server
saw is kept in counters for the test to assert on.
"""

from __future__ import annotations

import os
import socket
import struct
import threading

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings

REPLY_LEN = 314159
CASES = (
    "goaway", "rst_after_header", "rst_during_data", "rst_after_data", "ping", "max_streams",
    # Extras, beyond the grpc document:
    "rst_cancel", "rst_refused", "goaway_unprocessed", "close_during_data",
)


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def grpc_reply(length: int) -> bytes:
    """One length-prefixed gRPC message: HelloReply{message: 'x' * length}."""
    msg = b"\x0a" + varint(length) + b"x" * length
    return b"\x00" + struct.pack(">I", len(msg)) + msg


class NegServer:
    def __init__(self, case: str):
        if case not in CASES:
            raise ValueError(f"unknown case {case!r}")
        self.case = case
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        # What the server saw.
        self.connections = 0
        self.calls = 0  # requests received, over all connections
        self.calls_per_connection: list[int] = []
        self.pings_sent = 0
        self.pings_acked = 0
        self.max_open_streams = 0
        self.errors: list[str] = []  # client protocol violations and server faults
        self.reply = grpc_reply(REPLY_LEN)

    # ----------------------------------------------------------- lifecycle
    def __enter__(self) -> "NegServer":
        t = threading.Thread(target=self._accept_loop, daemon=True)
        t.start()
        self.threads.append(t)
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Waits (up to 5 s) for the client to close its connections, so
        every frame it sent is counted, then stops listening."""
        for t in list(self.threads[1:]):
            t.join(5)
        self.stopping.set()
        for t in self.threads:
            t.join(5)
        self.listener.close()

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                index = self.connections
                self.connections += 1
                self.calls_per_connection.append(0)
            t = threading.Thread(target=self._serve_guarded, args=(sock, index), daemon=True)
            t.start()
            self.threads.append(t)

    def _serve_guarded(self, sock: socket.socket, index: int) -> None:
        try:
            _Connection(self, sock, index).run()
        except _HangUp:
            pass
        except h2.exceptions.ProtocolError as e:
            self.errors.append(f"connection {index}: client broke HTTP/2: {e!r}")
        except Exception as e:  # noqa: BLE001 - reported to the test
            self.errors.append(f"connection {index}: server fault: {e!r}")
        finally:
            sock.close()


class _HangUp(Exception):
    """The case wants the TCP connection closed now."""


class _Connection:
    """One accepted connection."""

    def __init__(self, server: NegServer, sock: socket.socket, index: int):
        self.server = server
        self.case = server.case
        self.sock = sock
        self.index = index
        cfg = h2.config.H2Configuration(client_side=False, header_encoding=None)
        self.conn = h2.connection.H2Connection(config=cfg)
        self.open: set[int] = set()
        # Stream -> [bytes left to send, what to do once they are sent].
        self.sending: dict[int, list] = {}
        self.settings_sent = False
        self.goaway_sent = False
        self.last_stream = 0
        self.raw = bytearray()  # unparsed bytes after our GOAWAY

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def ping(self) -> None:
        self.conn.ping(os.urandom(8))
        with self.server.lock:
            self.server.pings_sent += 1

    def run(self) -> None:
        self.conn.initiate_connection()
        self.flush()
        self.sock.settimeout(0.2)
        while not self.server.stopping.is_set():
            try:
                data = self.sock.recv(1 << 16)
            except socket.timeout:
                continue
            except ConnectionResetError:
                return
            if not data:
                return
            if self.goaway_sent:
                # h2 rejects every frame once it sent GOAWAY, even the
                # client's SETTINGS ACK: check the frames by hand.
                self.after_goaway(data)
                continue
            for event in self.conn.receive_data(data):
                self.on_event(event)
            self.pump()
            self.flush()

    def after_goaway(self, data: bytes) -> None:
        """The client may still finish what it had, but must not open
        streams above the GOAWAY's last stream id."""
        self.raw += data
        while len(self.raw) >= 9:
            length = int.from_bytes(self.raw[:3], "big")
            if len(self.raw) < 9 + length:
                return
            ftype, sid = self.raw[3], int.from_bytes(self.raw[5:9], "big") & 0x7FFFFFFF
            del self.raw[: 9 + length]
            if ftype == 0x1 and sid > self.last_stream:
                self.server.errors.append(f"connection {self.index}: stream {sid} opened after GOAWAY(last_stream={self.last_stream})")

    def on_event(self, event) -> None:
        ev = h2.events
        if isinstance(event, ev.RequestReceived):
            self.on_request(event.stream_id)
        elif isinstance(event, ev.DataReceived):
            self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, ev.StreamEnded):
            self.respond(event.stream_id)
        elif isinstance(event, ev.StreamReset):
            self.open.discard(event.stream_id)
            self.sending.pop(event.stream_id, None)
        elif isinstance(event, ev.PingAckReceived):
            with self.server.lock:
                self.server.pings_acked += 1

    def on_request(self, sid: int) -> None:
        self.open.add(sid)
        with self.server.lock:
            self.server.max_open_streams = max(self.server.max_open_streams, len(self.open))
        if self.case == "max_streams" and not self.settings_sent:
            self.conn.update_settings({h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1})
            self.settings_sent = True

    def respond(self, sid: int) -> None:
        with self.server.lock:
            call = self.server.calls
            self.server.calls += 1
            self.server.calls_per_connection[self.index] += 1
        misbehave = call == 0
        reply = self.server.reply
        if misbehave and self.case == "rst_refused":
            self.reset(sid, 0x7)
            return
        if misbehave and self.case == "goaway_unprocessed":
            self.conn.close_connection(error_code=0, last_stream_id=0)
            self.flush()
            raise _HangUp
        if misbehave and self.case == "ping":
            self.ping()
        self.conn.send_headers(sid, [(b":status", b"200"), (b"content-type", b"application/grpc")])
        if misbehave and self.case == "rst_after_header":
            self.reset(sid)
            return
        if misbehave and self.case == "rst_cancel":
            self.reset(sid, 0x8)
            return
        if misbehave and self.case == "ping":
            self.ping()
        if misbehave and self.case == "rst_during_data":
            self.sending[sid] = [reply[: len(reply) // 2], self.reset]
        elif misbehave and self.case == "close_during_data":
            self.sending[sid] = [reply[: len(reply) // 2], self.hang_up]
        elif misbehave and self.case == "rst_after_data":
            self.sending[sid] = [reply, self.reset]
        elif misbehave and self.case == "goaway":
            self.sending[sid] = [reply, self.finish_then_goaway]
        elif misbehave and self.case == "ping":
            self.sending[sid] = [reply, self.ping_then_finish]
        else:
            self.sending[sid] = [reply, self.finish]

    def reset(self, sid: int, code: int = 0) -> None:
        self.conn.reset_stream(sid, error_code=code)
        self.open.discard(sid)

    def hang_up(self, sid: int) -> None:
        self.flush()
        raise _HangUp

    def finish(self, sid: int) -> None:
        self.conn.send_headers(sid, [(b"grpc-status", b"0")], end_stream=True)
        self.open.discard(sid)

    def ping_then_finish(self, sid: int) -> None:
        self.ping()
        self.finish(sid)

    def finish_then_goaway(self, sid: int) -> None:
        self.finish(sid)
        self.conn.close_connection(error_code=0, last_stream_id=sid)
        self.goaway_sent = True
        self.last_stream = sid

    def pump(self) -> None:
        """Sends what the flow-control windows allow."""
        for sid in list(self.sending):
            left, then = self.sending[sid]
            while left:
                n = min(len(left), self.conn.local_flow_control_window(sid), self.conn.max_outbound_frame_size)
                if n <= 0:
                    break
                self.conn.send_data(sid, left[:n])
                left = left[n:]
            if left:
                self.sending[sid][0] = left
            else:
                del self.sending[sid]
                then(sid)
