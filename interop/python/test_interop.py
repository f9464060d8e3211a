"""Interop tests: Python grpcio (C-core) client against a Bookstore/Greeter server.

Environment:
  GRPC_TARGET   host:port of the bookstore server (default 127.0.0.1:50051)
  HELLO_TARGET  host:port of the greeter server (default: GRPC_TARGET)
  SERVER_LOG    optional path of the bookstore server's stderr log; when set,
                the cancellation tests wait for its "cancelled: ..." line

grpcio does not expose a response's grpc-encoding, so whether the server
mirrors the request's compression is checked on the wire by the Node suite's
raw HTTP/2 tests; here compressed calls are checked for correct results.
"""

import os
import queue
import random
import threading
import time

import grpc
import pytest

import protos

stubs = protos.load()
pb = stubs.bookstore_pb2
pb_grpc = stubs.bookstore_pb2_grpc
hw = stubs.helloworld_pb2
hw_grpc = stubs.helloworld_pb2_grpc
Empty = stubs.empty_pb2.Empty

TARGET = os.environ.get("GRPC_TARGET", "127.0.0.1:50051")
HELLO_TARGET = os.environ.get("HELLO_TARGET", TARGET)
SERVER_LOG = os.environ.get("SERVER_LOG")
TIMEOUT = 10.0  # backstop for every call, so a broken server cannot hang the suite

# The article's books, in the order the store holds them.
INITIAL_BOOKS = [
    pb.Book(id="1", title="gRPC Fundamentals", author="Jane Smith"),
    pb.Book(id="2", title="Protobuf in Practice", author="Alex Johnson"),
    pb.Book(id="3", title="Streaming APIs", author="Mia Chen"),
    pb.Book(id="123", title="A Sample Book", author="An Author"),
]

MAX_MSG = 16 * 1024 * 1024
CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MSG),
    ("grpc.max_send_message_length", MAX_MSG),
]


def fresh_id():
    # Unique ids so that repeated runs against one server do not collide.
    return f"book-{random.randint(10_000, 2_000_000_000)}"


@pytest.fixture(scope="module")
def channel():
    ch = grpc.insecure_channel(TARGET, options=CHANNEL_OPTIONS)
    grpc.channel_ready_future(ch).result(timeout=TIMEOUT)
    yield ch
    ch.close()


@pytest.fixture(scope="module")
def stub(channel):
    return pb_grpc.BookstoreStub(channel)


def md_dict(md):
    return {m.key: m.value for m in (md or ())}


# --- the four methods ---------------------------------------------------------


def test_get_book(stub):
    book = stub.GetBook(pb.GetBookRequest(id="1"), timeout=TIMEOUT)
    assert book == INITIAL_BOOKS[0]
    book = stub.GetBook(pb.GetBookRequest(id="3"), timeout=TIMEOUT)
    assert book == INITIAL_BOOKS[2]


def test_get_book_the_article_s_session(stub):
    """grpcurl -d '{"id":"123"}' ... bookstore.Bookstore/GetBook, in the article."""
    book = stub.GetBook(pb.GetBookRequest(id="123"), timeout=TIMEOUT)
    assert (book.id, book.title, book.author) == ("123", "A Sample Book", "An Author")


def test_get_book_not_found(stub):
    with pytest.raises(grpc.RpcError) as ei:
        stub.GetBook(pb.GetBookRequest(id="424242"), timeout=TIMEOUT)
    assert ei.value.code() == grpc.StatusCode.NOT_FOUND
    assert ei.value.details() == "book not found"


def test_list_books(stub):
    books = list(stub.ListBooks(Empty(), timeout=TIMEOUT))
    # Other tests (and earlier runs) may have added books; the initial four
    # come first, in the order they were added, and ids are unique.
    assert books[:4] == INITIAL_BOOKS
    ids = [b.id for b in books]
    assert len(set(ids)) == len(ids)


def test_add_books(stub):
    base = fresh_id()
    new = [
        pb.Book(id=base + "a", title="Rust in Action", author="Tim McNamara"),
        pb.Book(id=base + "b", title="Rust for Rustaceans", author="Jon Gjengset"),
    ]
    reply = stub.AddBooks(iter(new), timeout=TIMEOUT)
    assert list(reply.books) == new
    # They are really in the store now.
    for b in new:
        assert stub.GetBook(pb.GetBookRequest(id=b.id), timeout=TIMEOUT) == b
    listed = list(stub.ListBooks(Empty(), timeout=TIMEOUT))
    for b in new:
        assert b in listed


def test_add_books_empty_stream(stub):
    reply = stub.AddBooks(iter([]), timeout=TIMEOUT)
    assert list(reply.books) == []


def test_chat(stub):
    sent = [
        pb.Book(id="7", title="A", author="X"),
        pb.Book(id="8", title="B", author="Y"),
        pb.Book(id="9", title="", author=""),
    ]
    got = list(stub.Chat(iter(sent), timeout=TIMEOUT))
    assert got == [pb.Book(id=b.id, title=b.title + " - Received", author=b.author) for b in sent]


def test_chat_ping_pong(stub):
    """Bidirectional: each reply arrives before the next request is sent."""
    q = queue.Queue()

    def requests():
        while True:
            item = q.get()
            if item is None:
                return
            yield item

    call = stub.Chat(requests(), timeout=TIMEOUT)
    for i in range(5):
        q.put(pb.Book(id=str(i), title=f"t{i}", author="a"))
        reply = next(call)
        assert reply == pb.Book(id=str(i), title=f"t{i} - Received", author="a")
    q.put(None)
    assert list(call) == []
    assert call.code() == grpc.StatusCode.OK


def test_say_hello():
    with grpc.insecure_channel(HELLO_TARGET) as ch:
        greeter = hw_grpc.GreeterStub(ch)
        assert greeter.SayHello(hw.HelloRequest(name="world"), timeout=TIMEOUT).message == "Hello world"
        assert greeter.SayHello(hw.HelloRequest(name="oxgrpc"), timeout=TIMEOUT).message == "Hello oxgrpc"
        assert greeter.SayHello(hw.HelloRequest(name=""), timeout=TIMEOUT).message == "Hello "


# --- metadata -----------------------------------------------------------------

SEND_MD = (("x-trace", "abc"), ("x-token-bin", b"\x00\x01\xff"))


def check_md(initial, trailing):
    initial = md_dict(initial)
    trailing = md_dict(trailing)
    assert initial.get("x-trace") == "abc", f"initial metadata: {initial}"
    assert initial.get("x-token-bin") == b"\x00\x01\xff", f"initial metadata: {initial}"
    assert trailing.get("x-served-by") == "oxgrpc-bookstore", f"trailing metadata: {trailing}"


def test_metadata_unary(stub):
    book, call = stub.GetBook.with_call(pb.GetBookRequest(id="2"), metadata=SEND_MD, timeout=TIMEOUT)
    assert book == INITIAL_BOOKS[1]
    check_md(call.initial_metadata(), call.trailing_metadata())


def test_metadata_not_echoed_without_x_prefix(stub):
    _, call = stub.GetBook.with_call(
        pb.GetBookRequest(id="1"), metadata=(("y-other", "1"), ("x-one", "1")), timeout=TIMEOUT
    )
    initial = md_dict(call.initial_metadata())
    assert initial.get("x-one") == "1"
    assert "y-other" not in initial


def test_metadata_server_streaming(stub):
    call = stub.ListBooks(Empty(), metadata=SEND_MD, timeout=TIMEOUT)
    books = list(call)
    assert books[:3] == INITIAL_BOOKS
    check_md(call.initial_metadata(), call.trailing_metadata())


def test_metadata_client_streaming(stub):
    b = pb.Book(id=fresh_id(), title="md", author="md")
    reply, call = stub.AddBooks.with_call(iter([b]), metadata=SEND_MD, timeout=TIMEOUT)
    assert list(reply.books) == [b]
    check_md(call.initial_metadata(), call.trailing_metadata())


def test_metadata_bidi(stub):
    call = stub.Chat(iter([pb.Book(id="1", title="md")]), metadata=SEND_MD, timeout=TIMEOUT)
    assert list(call) == [pb.Book(id="1", title="md - Received")]
    check_md(call.initial_metadata(), call.trailing_metadata())


def test_metadata_on_error(stub):
    """Custom metadata does not disturb an error status. (Whether a failed
    call's trailers carry x-served-by is not part of the contract.)"""
    with pytest.raises(grpc.RpcError) as ei:
        stub.GetBook(pb.GetBookRequest(id="424242"), metadata=SEND_MD, timeout=TIMEOUT)
    err = ei.value
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert err.details() == "book not found"


# --- deadlines ----------------------------------------------------------------


def test_deadline_exceeded_unary(stub):
    start = time.monotonic()
    with pytest.raises(grpc.RpcError) as ei:
        stub.GetBook(pb.GetBookRequest(id="1"), metadata=(("x-delay-ms", "2000"),), timeout=0.2)
    elapsed = time.monotonic() - start
    assert ei.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert elapsed < 1.0, f"deadline of 0.2 s took {elapsed:.2f} s to fire"


def test_deadline_exceeded_client_streaming(stub):
    # AddBooks (an empty stream, so nothing is added) rather than ListBooks or
    # Chat: the cancellation tests look for those methods' "cancelled:" log
    # lines, which a late-logged expired call must not fake.
    start = time.monotonic()
    with pytest.raises(grpc.RpcError) as ei:
        stub.AddBooks(iter([]), metadata=(("x-delay-ms", "2000"),), timeout=0.2)
    elapsed = time.monotonic() - start
    assert ei.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert elapsed < 1.0, f"deadline of 0.2 s took {elapsed:.2f} s to fire"


def test_delay_within_deadline(stub):
    """x-delay-ms shorter than the deadline: the call succeeds."""
    start = time.monotonic()
    book = stub.GetBook(pb.GetBookRequest(id="1"), metadata=(("x-delay-ms", "200"),), timeout=5)
    assert book == INITIAL_BOOKS[0]
    assert time.monotonic() - start >= 0.19


# --- cancellation ---------------------------------------------------------------


def count_cancelled(method):
    if not SERVER_LOG:
        return 0
    try:
        with open(SERVER_LOG, errors="replace") as f:
            return f.read().count(f"cancelled: /bookstore.Bookstore/{method}")
    except FileNotFoundError:
        return 0


def wait_cancel_logged(method, before):
    if not SERVER_LOG:
        return
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        if count_cancelled(method) > before:
            return
        time.sleep(0.05)
    pytest.fail(f"server log {SERVER_LOG} has no new 'cancelled: /bookstore.Bookstore/{method}' line within 3 s")


def test_cancel_server_stream(stub):
    before = count_cancelled("ListBooks")
    call = stub.ListBooks(Empty(), metadata=(("x-delay-ms", "300"),), timeout=TIMEOUT)
    first = next(call)
    assert first == INITIAL_BOOKS[0]
    call.cancel()
    with pytest.raises(grpc.RpcError) as ei:
        next(call)
    assert ei.value.code() == grpc.StatusCode.CANCELLED
    assert call.code() == grpc.StatusCode.CANCELLED
    wait_cancel_logged("ListBooks", before)


def test_cancel_bidi_stream(stub):
    before = count_cancelled("Chat")
    release = threading.Event()

    def requests():
        # Two books, so a reply is still pending (300 ms delay) at cancel time.
        yield pb.Book(id="1", title="one")
        yield pb.Book(id="2", title="two")
        release.wait(TIMEOUT)  # keep the request stream open

    call = stub.Chat(requests(), metadata=(("x-delay-ms", "300"),), timeout=TIMEOUT)
    try:
        assert next(call) == pb.Book(id="1", title="one - Received")
        call.cancel()
        with pytest.raises(grpc.RpcError) as ei:
            next(call)
        assert ei.value.code() == grpc.StatusCode.CANCELLED
    finally:
        release.set()
    wait_cancel_logged("Chat", before)


# --- compression ----------------------------------------------------------------

COMPRESSIONS = [
    pytest.param(grpc.Compression.Gzip, id="gzip"),
    pytest.param(grpc.Compression.Deflate, id="deflate"),
]


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_compression_all_methods(stub, compression):
    """Compressed requests on every kind of call. grpcio decompresses the
    response transparently and does not expose its grpc-encoding, so this
    proves the server accepts compressed messages and that whatever it
    answers with is valid; the Node suite checks the response encoding on
    the wire."""
    big = "x" * 4096  # compressible, so the compressed flag is really set
    assert stub.GetBook(pb.GetBookRequest(id="1"), compression=compression, timeout=TIMEOUT) == INITIAL_BOOKS[0]
    books = list(stub.ListBooks(Empty(), compression=compression, timeout=TIMEOUT))
    assert books[:3] == INITIAL_BOOKS
    b = pb.Book(id=fresh_id(), title="gz " + big, author="gz")
    assert list(stub.AddBooks(iter([b]), compression=compression, timeout=TIMEOUT).books) == [b]
    sent = [pb.Book(id=str(i), title=big + str(i), author="c") for i in range(3)]
    got = list(stub.Chat(iter(sent), compression=compression, timeout=TIMEOUT))
    assert got == [pb.Book(id=s.id, title=s.title + " - Received", author="c") for s in sent]


def test_compression_channel_default():
    with grpc.insecure_channel(TARGET, options=CHANNEL_OPTIONS, compression=grpc.Compression.Gzip) as ch:
        s = pb_grpc.BookstoreStub(ch)
        assert s.GetBook(pb.GetBookRequest(id="2"), timeout=TIMEOUT) == INITIAL_BOOKS[1]
        got = list(s.Chat(iter([pb.Book(id="5", title="y" * 10000)]), timeout=TIMEOUT))
        assert got == [pb.Book(id="5", title="y" * 10000 + " - Received")]


# --- errors and sizes ---------------------------------------------------------------


def test_unimplemented_method(channel):
    nope = channel.unary_unary(
        "/bookstore.Bookstore/Nope",
        request_serializer=pb.GetBookRequest.SerializeToString,
        response_deserializer=pb.Book.FromString,
    )
    with pytest.raises(grpc.RpcError) as ei:
        nope(pb.GetBookRequest(id="1"), timeout=TIMEOUT)
    assert ei.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_unimplemented_service(channel):
    nope = channel.unary_unary(
        "/nope.Nope/Nothing",
        request_serializer=pb.GetBookRequest.SerializeToString,
        response_deserializer=pb.Book.FromString,
    )
    with pytest.raises(grpc.RpcError) as ei:
        nope(pb.GetBookRequest(id="1"), timeout=TIMEOUT)
    assert ei.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_large_message_chat(stub):
    title = "L" * (1024 * 1024)
    got = list(stub.Chat(iter([pb.Book(id="77", title=title, author="big")]), timeout=TIMEOUT))
    assert len(got) == 1
    assert got[0].id == "77" and got[0].author == "big"
    assert got[0].title == title + " - Received"


def test_large_message_gzip(stub):
    title = "G" * (1024 * 1024)
    got = list(stub.Chat(iter([pb.Book(id="78", title=title)]), compression=grpc.Compression.Gzip, timeout=TIMEOUT))
    assert [g.title for g in got] == [title + " - Received"]


def test_many_messages_stream(stub):
    sent = [pb.Book(id=str(i), title=f"n{i}") for i in range(500)]
    got = list(stub.Chat(iter(sent), timeout=TIMEOUT))
    assert [g.title for g in got] == [f"n{i} - Received" for i in range(500)]


def test_concurrent_calls(stub):
    futs = [stub.GetBook.future(pb.GetBookRequest(id=str(1 + i % 3)), timeout=TIMEOUT) for i in range(50)]
    for i, f in enumerate(futs):
        assert f.result() == INITIAL_BOOKS[i % 3]
