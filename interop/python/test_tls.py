"""Mutual TLS between oxgrpc and Python grpcio (C-core), both ways, and the
oxgrpc TLS server's answers to bad peers.

Certificates come from the `tls-certs` helper (a CA, a server certificate
for *.test.google.fr, a client certificate, and one from an untrusted CA);
clients override the server name, as grpc's interop tests do.

Environment:
  TLS_CERTS_BIN   the tls-certs binary
  HELLO_SERVER    the oxgrpc helloworld-server binary
  HELLO_CLIENT    the oxgrpc helloworld-client binary
"""

import os
import socket
import ssl
import subprocess
import tempfile
import time
from concurrent import futures

import grpc
import pytest

import protos

OVERRIDE = "foo.test.google.fr"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def certs():
    out = tempfile.mkdtemp(prefix="oxgrpc-tls-certs-")
    subprocess.run([os.environ["TLS_CERTS_BIN"], out], check=True, capture_output=True)
    read = lambda name: open(os.path.join(out, name), "rb").read()  # noqa: E731
    return {"dir": out, "read": read}


def path(certs, name):
    return os.path.join(certs["dir"], name)


@pytest.fixture(scope="module")
def oxgrpc_server(certs):
    """The oxgrpc helloworld-server, requiring client certificates."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        OXGRPC_TLS_CERT=path(certs, "server.pem"),
        OXGRPC_TLS_KEY=path(certs, "server.key"),
        OXGRPC_TLS_CLIENT_CA=path(certs, "ca.pem"),
    )
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [os.environ["HELLO_SERVER"], "--addr", f"127.0.0.1:{port}"], env=env, stderr=log
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)
    assert proc.returncode is not None


def grpcio_channel(certs, target, key="client", ca="ca.pem"):
    creds = grpc.ssl_channel_credentials(
        root_certificates=certs["read"](ca),
        private_key=certs["read"](f"{key}.key") if key else None,
        certificate_chain=certs["read"](f"{key}.pem") if key else None,
    )
    options = [("grpc.ssl_target_name_override", OVERRIDE)]
    return grpc.secure_channel(target, creds, options=options)


def say_hello(channel, name="python"):
    pb = protos.load()
    stub = pb.helloworld_pb2_grpc.GreeterStub(channel)
    return stub.SayHello(pb.helloworld_pb2.HelloRequest(name=name), timeout=10).message


def test_grpcio_client_with_certificate_to_oxgrpc_server(certs, oxgrpc_server):
    with grpcio_channel(certs, oxgrpc_server) as ch:
        assert say_hello(ch) == "Hello python"


@pytest.mark.parametrize("key", [None, "other-client"])
def test_oxgrpc_server_refuses_missing_or_untrusted_client_certificates(certs, oxgrpc_server, key):
    with grpcio_channel(certs, oxgrpc_server, key=key) as ch:
        with pytest.raises(grpc.RpcError) as err:
            say_hello(ch)
        assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    with grpcio_channel(certs, oxgrpc_server) as ch:
        assert say_hello(ch) == "Hello python"


def raw_tls(certs, target, alpn):
    host, port = target.rsplit(":", 1)
    ctx = ssl.create_default_context(cafile=path(certs, "ca.pem"))
    ctx.load_cert_chain(path(certs, "client.pem"), path(certs, "client.key"))
    if alpn:
        ctx.set_alpn_protocols(alpn)
    sock = socket.create_connection((host, int(port)), timeout=5)
    return ctx.wrap_socket(sock, server_hostname=OVERRIDE)


def closed_by_peer(tls):
    try:
        while tls.recv(4096):
            pass
    except (ssl.SSLError, ConnectionError):
        pass
    return True


def test_oxgrpc_server_closes_on_garbage_after_the_handshake(certs, oxgrpc_server):
    tls = raw_tls(certs, oxgrpc_server, ["h2"])
    assert tls.selected_alpn_protocol() == "h2"
    try:
        for _ in range(64):
            tls.sendall(b"\x00" * 16384)
    except (ssl.SSLError, ConnectionError):
        pass
    assert closed_by_peer(tls)
    with grpcio_channel(certs, oxgrpc_server) as ch:
        assert say_hello(ch) == "Hello python"


def test_oxgrpc_server_refuses_clients_without_h2_alpn(certs, oxgrpc_server):
    with pytest.raises((ssl.SSLError, ConnectionError)):
        raw_tls(certs, oxgrpc_server, ["http/1.1"]).recv(1)
    tls = raw_tls(certs, oxgrpc_server, None)
    assert closed_by_peer(tls)


def test_garbage_client_hello_is_closed(certs, oxgrpc_server):
    host, port = oxgrpc_server.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"\x16\x03\x01\xff\xff" + os.urandom(4096))
        try:
            while sock.recv(4096):
                pass
        except ConnectionError:
            pass
    with grpcio_channel(certs, oxgrpc_server) as ch:
        assert say_hello(ch) == "Hello python"


class Greeter:
    def SayHello(self, request, context):
        pb = protos.load()
        cert = context.auth_context().get("x509_common_name", [b""])[0].decode()
        return pb.helloworld_pb2.HelloReply(message=f"Hello {request.name} from {cert}")


@pytest.fixture(scope="module")
def grpcio_server(certs):
    """A grpcio greeter that requires client certificates."""
    pb = protos.load()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    pb.helloworld_pb2_grpc.add_GreeterServicer_to_server(Greeter(), server)
    creds = grpc.ssl_server_credentials(
        [(certs["read"]("server.key"), certs["read"]("server.pem"))],
        root_certificates=certs["read"]("ca.pem"),
        require_client_auth=True,
    )
    port = server.add_secure_port("127.0.0.1:0", creds)
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(None)


def oxgrpc_client(certs, target, key="client"):
    env = dict(os.environ)
    env.update(OXGRPC_TLS_CA=path(certs, "ca.pem"), OXGRPC_TLS_SERVER_NAME=OVERRIDE)
    if key:
        env.update(OXGRPC_TLS_CERT=path(certs, f"{key}.pem"), OXGRPC_TLS_KEY=path(certs, f"{key}.key"))
    return subprocess.run(
        [os.environ["HELLO_CLIENT"], "--addr", target], env=env, capture_output=True, text=True, timeout=30
    )


def test_oxgrpc_client_with_certificate_to_grpcio_server(certs, grpcio_server):
    out = oxgrpc_client(certs, grpcio_server)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Hello oxgrpc from client"


def test_oxgrpc_client_without_certificate_gets_a_clear_error(certs, grpcio_server):
    out = oxgrpc_client(certs, grpcio_server, key=None)
    assert out.returncode != 0
    assert "Unavailable" in out.stderr or "UNAVAILABLE" in out.stderr.upper(), out.stderr
    assert "tls" in out.stderr, out.stderr
