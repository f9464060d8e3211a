"""The `oxgrpc` CLI as a user runs it: the article's grpcurl session with
`oxgrpc` in place of `grpcurl`, the native commands, and the same commands
against a Python grpcio server (grpcio-reflection v1alpha, grpcio-health-checking)."""
import json
import signal
import subprocess
import time

import pytest
from conftest import free_port

ARTICLE_BOOK = '{\n  "id": "123",\n  "title": "A Sample Book",\n  "author": "An Author"\n}\n'


# --- the article's session --------------------------------------------------

def test_the_articles_getbook_prints_the_articles_json(oxgrpc, bookstore):
    out = oxgrpc("-plaintext", "-d", '{"id":"123"}', bookstore.addr, "bookstore.Bookstore/GetBook")
    assert out.returncode == 0, out.stderr
    assert out.stdout == ARTICLE_BOOK


def test_an_unknown_book_is_not_found_with_grpcurls_error_text(oxgrpc, bookstore):
    out = oxgrpc("-plaintext", "-d", '{"id":"404"}', bookstore.addr, "bookstore.Bookstore/GetBook")
    assert out.returncode != 0
    assert out.stdout == ""
    assert out.stderr == "ERROR:\n  Code: NotFound\n  Message: book not found\n"


def test_nothing_listening_is_the_articles_dial_error(oxgrpc):
    port = free_port()
    out = oxgrpc("-plaintext", "-d", '{"id":"123"}', f"localhost:{port}", "bookstore.Bookstore/GetBook")
    assert out.returncode != 0
    assert out.stderr.strip() == f'Failed to dial target host "localhost:{port}": connection refused'


def test_health_check_is_serving(oxgrpc, bookstore):
    out = oxgrpc("health", bookstore.addr)
    assert (out.returncode, out.stdout) == (0, "SERVING\n"), out.stderr
    out = oxgrpc("-plaintext", bookstore.addr, "grpc.health.v1.Health/Check")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"status": "SERVING"}


def test_list_and_describe_in_grpcurls_spelling(oxgrpc, bookstore):
    out = oxgrpc("-plaintext", bookstore.addr, "list")
    assert out.returncode == 0, out.stderr
    services = out.stdout.split()
    assert "bookstore.Bookstore" in services and "grpc.health.v1.Health" in services
    assert services == sorted(services)
    out = oxgrpc("-plaintext", bookstore.addr, "describe", "bookstore.Bookstore")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("bookstore.Bookstore is a service:\nservice Bookstore {\n")
    assert "  rpc GetBook ( .bookstore.GetBookRequest ) returns ( .bookstore.Book );\n" in out.stdout
    assert "  rpc Chat ( stream .bookstore.Book ) returns ( stream .bookstore.Book );\n" in out.stdout


# --- native commands ----------------------------------------------------------

def test_list_a_service_shows_its_methods(oxgrpc, bookstore):
    out = oxgrpc("list", bookstore.addr, "bookstore.Bookstore")
    assert out.stdout.split() == [
        "bookstore.Bookstore.AddBooks", "bookstore.Bookstore.Chat",
        "bookstore.Bookstore.GetBook", "bookstore.Bookstore.ListBooks",
    ]


def test_describe_a_message(oxgrpc, bookstore):
    out = oxgrpc("describe", bookstore.addr, "bookstore.Book")
    assert out.returncode == 0, out.stderr
    assert out.stdout == (
        "bookstore.Book is a message:\nmessage Book {\n  string id = 1;\n"
        "  string title = 2;\n  string author = 3;\n}\n\n"
    )
    missing = oxgrpc("describe", bookstore.addr, "bookstore.Nope")
    assert missing.returncode != 0 and "Symbol not found: bookstore.Nope" in missing.stderr


def test_server_streaming_prints_each_book(oxgrpc, bookstore):
    out = oxgrpc("call", bookstore.addr, "bookstore.Bookstore/ListBooks")
    assert out.returncode == 0, out.stderr
    books = [json.loads(part) for part in out.stdout.replace("}\n{", "}\x00{").split("\x00")]
    assert [b["id"] for b in books][:3] == ["1", "2", "3"]
    assert books[0] == {"id": "1", "title": "gRPC Fundamentals", "author": "Jane Smith"}


def test_client_streaming_reads_messages_from_stdin(oxgrpc, bookstore):
    books = '{"id":"s1","title":"One"}\n{"id":"s2","title":"Two"}\n'
    out = oxgrpc("call", bookstore.addr, "bookstore.Bookstore/AddBooks", "-d", "@", stdin=books)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"books": [{"id": "s1", "title": "One"}, {"id": "s2", "title": "Two"}]}


def test_bidi_prints_answers_as_they_arrive(oxgrpc_bin, bookstore):
    """Each answer is printed before the next request is written."""
    proc = subprocess.Popen(
        [oxgrpc_bin, "call", bookstore.addr, "bookstore.Bookstore/Chat", "-d", "@"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        for title in ("first", "second"):
            proc.stdin.write(json.dumps({"id": "c", "title": title}) + "\n")
            proc.stdin.flush()
            lines = []
            while not lines or lines[-1] != "}\n":
                lines.append(proc.stdout.readline())
                assert lines[-1], proc.stderr.read()
            assert json.loads("".join(lines))["title"] == f"{title} - Received"
        proc.stdin.close()
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()


def test_metadata_timeout_and_verbose(oxgrpc, bookstore):
    out = oxgrpc("call", bookstore.addr, "bookstore.Bookstore/GetBook", "-d", '{"id":"1"}',
                 "-H", "x-request-id: 42", "--timeout", "2s", "--compression", "gzip", "-v")
    assert out.returncode == 0, out.stderr
    assert "Request metadata to send:\nx-request-id: 42\n" in out.stdout
    assert "Sent 1 request and received 1 response" in out.stdout


def test_protos_work_without_reflection(oxgrpc, bookstore, tmp_path):
    proto = tmp_path / "bookstore.proto"
    import os
    src = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "proto", "bookstore.proto")
    proto.write_text(open(src).read())
    out = oxgrpc("call", "--proto", str(proto), "--import-path", str(tmp_path), bookstore.addr,
                 "bookstore.Bookstore/GetBook", "-d", '{"id":"123"}')
    assert out.returncode == 0, out.stderr
    assert out.stdout == ARTICLE_BOOK


def test_bad_request_json_and_unknown_methods_are_clear(oxgrpc, bookstore):
    out = oxgrpc("call", bookstore.addr, "bookstore.Bookstore/GetBook", "-d", '{"isbn":"1"}')
    assert out.returncode != 0 and "isbn" in out.stderr
    out = oxgrpc("call", bookstore.addr, "bookstore.Bookstore/Sell")
    assert out.returncode != 0
    assert out.stderr.strip() == 'service "bookstore.Bookstore" does not include a method named "Sell"'
    out = oxgrpc("call", bookstore.addr, "shop.Shop/Sell")
    assert out.stderr.strip() == 'target server does not expose service "shop.Shop"'


def test_health_of_an_unknown_service_fails_the_probe(oxgrpc, bookstore):
    out = oxgrpc("health", bookstore.addr, "--service", "no.Such")
    assert out.returncode != 0
    assert "Code: NotFound" in out.stderr


def test_bench_reports_counts_and_percentiles(oxgrpc, bookstore):
    out = oxgrpc("bench", bookstore.addr, "bookstore.Bookstore/GetBook", "-d", '{"id":"123"}',
                 "--connections", "4", "--concurrency", "16", "--total", "2000", "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["count"] == 2000
    assert summary["status_codes"] == {"OK": 2000}
    latency = summary["latency_us"]
    assert 0 < latency["min"] <= latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["p99.9"] <= latency["max"]
    assert summary["rps"] > 0


def test_bench_counts_errors_by_code(oxgrpc, bookstore):
    out = oxgrpc("bench", bookstore.addr, "bookstore.Bookstore/GetBook", "-d", '{"id":"none"}',
                 "--total", "300", "--json")
    summary = json.loads(out.stdout)
    assert summary["status_codes"] == {"NotFound": 300}
    assert summary["errors"] == [{"code": "NotFound", "message": "book not found", "count": 300}]


def test_bench_is_bounded_by_duration_and_rate(oxgrpc, bookstore):
    started = time.monotonic()
    out = oxgrpc("bench", bookstore.addr, "bookstore.Bookstore/GetBook", "-d", '{"id":"1"}',
                 "--duration", "1s", "--rps", "200", "--json")
    took = time.monotonic() - started
    summary = json.loads(out.stdout)
    assert 150 <= summary["count"] <= 200, summary
    assert took < 5


def test_bench_text_summary_without_a_terminal_has_no_progress_bar(oxgrpc, bookstore):
    out = oxgrpc("bench", bookstore.addr, "bookstore.Bookstore/GetBook", "-d", '{"id":"1"}', "--total", "100")
    assert out.returncode == 0
    assert "Count:\t100" in out.stdout and "[OK]\t100 responses" in out.stdout
    assert out.stderr == ""


def test_health_watch_streams_every_change(oxgrpc_bin, tmp_path):
    """SERVING, NOT_SERVING, SERVING: the article's sequence, as the server
    flips bookstore.Bookstore's status (SIGUSR1), then NOT_SERVING when
    graceful shutdown starts."""
    import os
    from conftest import Server
    binary = os.environ.get("BOOKSTORE_SERVER")
    port = free_port()
    server = Server([binary, "--addr", f"127.0.0.1:{port}"], port)
    try:
        watch = subprocess.Popen([oxgrpc_bin, "health", server.addr, "--service", "bookstore.Bookstore", "--watch"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert watch.stdout.readline() == "SERVING\n"
        server.proc.send_signal(signal.SIGUSR1)
        assert watch.stdout.readline() == "NOT_SERVING\n"
        server.proc.send_signal(signal.SIGUSR1)
        assert watch.stdout.readline() == "SERVING\n"
        server.proc.send_signal(signal.SIGTERM)
        assert watch.stdout.readline() == "NOT_SERVING\n"
        assert watch.wait(timeout=15) != 0, "a watch that ends not serving fails the probe"
    finally:
        server.stop()


# --- against grpcio -------------------------------------------------------------

def test_grpcio_server_list_describe_call_health_bench(oxgrpc, grpcio_bookstore):
    addr = grpcio_bookstore.addr
    out = oxgrpc("-plaintext", addr, "list")
    assert out.returncode == 0, out.stderr
    assert {"bookstore.Bookstore", "grpc.health.v1.Health"} <= set(out.stdout.split())
    out = oxgrpc("describe", addr, "bookstore.GetBookRequest")
    assert out.returncode == 0, out.stderr
    assert "string id = 1;" in out.stdout
    out = oxgrpc("-plaintext", "-d", '{"id":"123"}', addr, "bookstore.Bookstore/GetBook")
    assert (out.returncode, out.stdout) == (0, ARTICLE_BOOK), out.stderr
    out = oxgrpc("-plaintext", "-d", '{"id":"404"}', addr, "bookstore.Bookstore/GetBook")
    assert "Code: NotFound\n  Message: book not found" in out.stderr
    out = oxgrpc("health", addr, "--service", "bookstore.Bookstore")
    assert (out.returncode, out.stdout) == (0, "SERVING\n"), out.stderr
    out = oxgrpc("bench", addr, "bookstore.Bookstore/GetBook", "-d", '{"id":"1"}', "--total", "500",
                 "--concurrency", "8", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status_codes"] == {"OK": 500}


# --- TLS ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tls_greeter(tmp_path_factory):
    """helloworld-server with mutual TLS, and the certificates (tls-certs)."""
    import os
    from conftest import Server
    certs = tmp_path_factory.mktemp("certs")
    subprocess.run([os.environ["TLS_CERTS_BIN"], str(certs)], check=True)
    port = free_port()
    env = dict(os.environ, OXGRPC_TLS_CERT=str(certs / "server.pem"), OXGRPC_TLS_KEY=str(certs / "server.key"),
               OXGRPC_TLS_CLIENT_CA=str(certs / "ca.pem"))
    server = Server([os.environ["HELLO_SERVER"], "--addr", f"127.0.0.1:{port}"], port, env=env)
    yield server, certs
    server.stop()


def test_mutual_tls_in_grpcurls_spelling(oxgrpc, tls_greeter):
    server, certs = tls_greeter
    out = oxgrpc("-cacert", str(certs / "ca.pem"), "-cert", str(certs / "client.pem"), "-key", str(certs / "client.key"),
                 "-servername", "foo.test.google.fr", "-d", '{"name":"tls"}', server.addr, "helloworld.Greeter/SayHello")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"message": "Hello tls"}


def test_tls_failures_name_their_cause(oxgrpc, tls_greeter):
    server, certs = tls_greeter
    # No client certificate: the server refuses the handshake.
    out = oxgrpc("list", "--cacert", str(certs / "ca.pem"), server.addr)
    assert out.returncode != 0 and "client certificate" in out.stderr, out.stderr
    # A CA that did not sign the server's certificate.
    out = oxgrpc("list", "--cacert", str(certs / "other-ca.pem"), "--cert", str(certs / "client.pem"),
                 "--key", str(certs / "client.key"), server.addr)
    assert out.returncode != 0 and out.stderr.startswith(f'Failed to dial target host "{server.addr}"'), out.stderr
    # -insecure skips verifying the server, and mutual TLS still works.
    out = oxgrpc("-insecure", "-cert", str(certs / "client.pem"), "-key", str(certs / "client.key"),
                 server.addr, "list")
    assert out.returncode == 0, out.stderr
    assert "helloworld.Greeter" in out.stdout.split()
    # Cleartext to a TLS port fails clearly and at once. (The channel counts
    # as connected once TCP is up, so the first call reports it; waiting for
    # the server's SETTINGS belongs to the client channel's connectivity.)
    started = time.monotonic()
    out = oxgrpc("-plaintext", "-connect-timeout", "3", server.addr, "list", timeout=20)
    assert out.returncode != 0 and "Unavailable" in out.stderr and "connection closed" in out.stderr, out.stderr
    assert time.monotonic() - started < 5
