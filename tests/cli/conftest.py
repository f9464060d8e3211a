"""Fixtures for the `oxgrpc` CLI tests: the binary, and servers to point it at.

Environment (set by scripts/cli-tests.sh):
  OXGRPC_BIN        the oxgrpc binary
  BOOKSTORE_SERVER  oxgrpc's bookstore-server binary
  HELLO_SERVER      oxgrpc's helloworld-server binary (TLS tests)
  TLS_CERTS_BIN     the tls-certs binary (test certificates)
  PEERS_PYTHON      the venv's python, with grpcio, grpcio-health-checking
                    and grpcio-reflection (for the reference server)
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process on a free port, stopped (SIGTERM, then SIGKILL) at the end."""

    def __init__(self, argv, port, env=None):
        self.port = port
        self.addr = f"localhost:{port}"
        # The log goes to a file: a pipe nobody drains would stall a
        # server that logs every call.
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self.log, text=True, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"{argv[0]} exited: {self.log.read()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{argv[0]} did not listen on {port}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="session")
def oxgrpc_bin():
    path = os.environ.get("OXGRPC_BIN") or os.path.join(ROOT, "target", "release", "oxgrpc")
    assert os.access(path, os.X_OK), f"no oxgrpc binary at {path} (run scripts/cli-tests.sh)"
    return path


@pytest.fixture(scope="session")
def bookstore():
    binary = os.environ.get("BOOKSTORE_SERVER") or os.path.join(ROOT, "target", "release", "bookstore-server")
    port = free_port()
    server = Server([binary, "--addr", f"127.0.0.1:{port}"], port)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def grpcio_bookstore():
    python = os.environ.get("PEERS_PYTHON") or sys.executable
    port = free_port()
    script = os.path.join(ROOT, "interop", "python", "bookstore_server.py")
    server = Server([python, script, "--port", str(port)], port)
    yield server
    server.stop()


@pytest.fixture
def oxgrpc(oxgrpc_bin):
    """Runs oxgrpc with the given arguments; returns the CompletedProcess."""

    def run(*args, stdin=None, timeout=60):
        return subprocess.run([oxgrpc_bin, *args], input=stdin, capture_output=True, text=True, timeout=timeout)

    return run
