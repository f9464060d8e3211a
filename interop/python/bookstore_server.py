"""Reference Bookstore (and Greeter) server on Python grpcio (C-core).

It implements the same behaviour contract as oxgrpc's bookstore-server, so the
interop test suites can be checked against an official implementation and the
oxgrpc client can be tested against it:

  * the article's four books ("1", "2", "3" and "123"); GetBook unknown id
    -> NOT_FOUND "book not found"
  * ListBooks streams all books in the order they were added; AddBooks adds
    them (a known id is replaced in place) and returns them; Chat answers
    each book with title + " - Received"
  * every request metadata key starting with "x-" is echoed in the response
    initial metadata (-bin keys as binary); trailing metadata
    x-served-by: oxgrpc-bookstore
  * "x-delay-ms: N" delays each response message by N ms
  * the response uses the request's compression (gzip/deflate), when grpcio
    lets the handler see it
  * a call cancelled by the client logs "cancelled: /bookstore.Bookstore/M"
    to stderr
  * grpc.health.v1.Health ("" and bookstore.Bookstore SERVING, NOT_SERVING
    once shutdown starts) and server reflection (grpcio-reflection: v1alpha)

Usage: bookstore_server.py [--port N] [--host H] [--greeter]
Prints "listening on HOST:PORT" to stderr once ready (port 0 = any free port).
"""

import argparse
import os
import signal
import sys
import threading
from concurrent import futures

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grpc  # noqa: E402
from grpc_health.v1 import health, health_pb2, health_pb2_grpc  # noqa: E402
from grpc_reflection.v1alpha import reflection  # noqa: E402

import protos  # noqa: E402

stubs = protos.load()
pb = stubs.bookstore_pb2
pb_grpc = stubs.bookstore_pb2_grpc
hw = stubs.helloworld_pb2
hw_grpc = stubs.helloworld_pb2_grpc

INITIAL_BOOKS = [
    ("1", "gRPC Fundamentals", "Jane Smith"),
    ("2", "Protobuf in Practice", "Alex Johnson"),
    ("3", "Streaming APIs", "Mia Chen"),
    ("123", "A Sample Book", "An Author"),
]

COMPRESSIONS = {
    "gzip": grpc.Compression.Gzip,
    "deflate": grpc.Compression.Deflate,
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Call:
    """Per-call helper: metadata echo, trailers, delays, cancellation."""

    def __init__(self, context, method):
        self.context = context
        self.method = method
        self.finished = False
        self.terminated = threading.Event()
        md = list(context.invocation_metadata())
        self.metadata = md
        self.delay_s = 0.0
        for k, v in md:
            if k == "x-delay-ms":
                try:
                    self.delay_s = int(v) / 1000.0
                except ValueError:
                    pass
        context.add_callback(self._on_terminate)
        # Answer with the request's compression when it is visible to us.
        for k, v in md:
            if k == "grpc-encoding" and v in COMPRESSIONS:
                context.set_compression(COMPRESSIONS[v])
        echo = tuple((k, v) for k, v in md if k.startswith("x-"))
        context.send_initial_metadata(echo)
        context.set_trailing_metadata((("x-served-by", "oxgrpc-bookstore"),))

    def _on_terminate(self):
        self.terminated.set()
        # grpcio records a client cancel (RST_STREAM, deadline) in its private
        # per-call state; a request iterator ending is not enough to tell,
        # because a cancel also ends it. Fall back to "handler did not finish".
        client_state = getattr(getattr(self.context, "_state", None), "client", None)
        if client_state is not None:
            cancelled = client_state == "cancelled"
        else:
            cancelled = not self.finished
        if cancelled:
            log(f"cancelled: {self.method}")

    def delay(self):
        """Wait x-delay-ms; returns False when the call ended meanwhile."""
        if self.delay_s > 0:
            if self.terminated.wait(self.delay_s):
                return False
        return self.context.is_active()

    def done(self):
        """The handler completed normally. (A request iterator also ends when
        the client cancels, so an inactive call does not count as done.)"""
        if self.context.is_active():
            self.finished = True


class Bookstore(pb_grpc.BookstoreServicer):
    def __init__(self):
        self.lock = threading.Lock()
        # A dict keeps insertion order, and replacing a key keeps its place:
        # ListBooks streams in the order the books were added.
        self.books = {i: pb.Book(id=i, title=t, author=a) for i, t, a in INITIAL_BOOKS}

    def GetBook(self, request, context):
        call = Call(context, "/bookstore.Bookstore/GetBook")
        if not call.delay():
            return pb.Book()
        with self.lock:
            book = self.books.get(request.id)
        call.done()
        if book is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "book not found")
        return book

    def ListBooks(self, request, context):
        call = Call(context, "/bookstore.Bookstore/ListBooks")
        with self.lock:
            books = list(self.books.values())
        for book in books:
            if not call.delay():
                return
            yield book
        call.done()

    def AddBooks(self, request_iterator, context):
        call = Call(context, "/bookstore.Bookstore/AddBooks")
        added = []
        for book in request_iterator:
            added.append(book)
        if not call.delay():
            return pb.BookList()
        with self.lock:
            for book in added:
                self.books[book.id] = book
        call.done()
        return pb.BookList(books=added)

    def Chat(self, request_iterator, context):
        call = Call(context, "/bookstore.Bookstore/Chat")
        for book in request_iterator:
            if not call.delay():
                return
            yield pb.Book(id=book.id, title=book.title + " - Received", author=book.author)
        call.done()


class Greeter(hw_grpc.GreeterServicer):
    def SayHello(self, request, context):
        return hw.HelloReply(message=f"Hello {request.name}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=50051)
    ap.add_argument("--greeter", action="store_true",
                    help="also serve helloworld.Greeter (it is always served; kept for clarity)")
    args = ap.parse_args()

    max_msg = 16 * 1024 * 1024
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=32),
        options=[
            ("grpc.max_receive_message_length", max_msg),
            ("grpc.max_send_message_length", max_msg),
        ],
    )
    pb_grpc.add_BookstoreServicer_to_server(Bookstore(), server)
    hw_grpc.add_GreeterServicer_to_server(Greeter(), server)
    health_servicer = health.HealthServicer()
    health_servicer.set("bookstore.Bookstore", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    services = ("bookstore.Bookstore", "helloworld.Greeter", health.SERVICE_NAME, reflection.SERVICE_NAME)
    reflection.enable_server_reflection(services, server)
    port = server.add_insecure_port(f"{args.host}:{args.port}")
    if port == 0:
        log(f"could not bind {args.host}:{args.port}")
        sys.exit(1)
    server.start()
    log(f"listening on {args.host}:{port}")

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    health_servicer.enter_graceful_shutdown()
    server.stop(grace=0.5).wait()


if __name__ == "__main__":
    main()
