"""Fixtures for the real-peer HTTP/2 tests.

The server under test is ``$H2_SERVER`` (default
``target/release/examples/h2_server`` relative to the repo root), started
once per session as ``h2_server --addr 127.0.0.1:PORT``.  Set
``H2_TEST_ADDR=host:port`` instead to run against a server that is already
running (no process is started then).

If a test makes the server process die, that test fails (in teardown) with
the tail of the server's log, and the server is restarted for the rest of
the session.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from h2peer import H2Client, RawPeer, free_port  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _wait_accepting(host: str, port: int, proc: subprocess.Popen | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before accepting connections")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not accept TCP connections on {host}:{port} within {timeout}s")


class ServerProcess:
    def __init__(self, log_dir: Path):
        self.host = "127.0.0.1"
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log_dir = log_dir
        self.starts = 0
        self.log_path: Path | None = None
        external = os.environ.get("H2_TEST_ADDR")
        if external:
            host, _, port = external.rpartition(":")
            self.host, self.port = host or "127.0.0.1", int(port)
            self.external = True
        else:
            self.external = False
            binary = os.environ.get("H2_SERVER", str(REPO / "target/release/examples/h2_server"))
            self.binary = binary

    def start(self) -> None:
        if self.external:
            _wait_accepting(self.host, self.port, None, 10)
            return
        if not (os.path.isfile(self.binary) and os.access(self.binary, os.X_OK)):
            pytest.exit(f"server binary not found or not executable: {self.binary} (set H2_SERVER)", returncode=2)
        self.starts += 1
        self.port = free_port()
        self.log_path = self.log_dir / f"h2_server.{self.starts}.log"
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [self.binary, "--addr", f"{self.host}:{self.port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        _wait_accepting(self.host, self.port, self.proc, 30)

    def alive(self) -> bool:
        return self.external or (self.proc is not None and self.proc.poll() is None)

    def log_tail(self, n: int = 30) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("server"))
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def _server_survives(server):
    """Fail the test whose traffic killed the server, and restart it."""
    yield
    if not server.alive():
        code = server.proc.returncode if server.proc else None
        tail = server.log_tail()
        server.start()
        pytest.fail(f"server process died during this test (exit status {code}); log tail:\n{tail}", pytrace=False)


@pytest.fixture
def addr(server):
    return server.host, server.port


@pytest.fixture
def peer(server):
    """A RawPeer that completed the handshake (SETTINGS exchanged)."""
    p = RawPeer.connect(server.host, server.port)
    yield p
    p.close()


@pytest.fixture
def client(server):
    c = H2Client(server.host, server.port)
    yield c
    c.close()
