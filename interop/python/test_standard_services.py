"""grpcio's own health and reflection clients against oxgrpc's bookstore-server.

* grpc_health.v1: Check, Watch and List semantics (doc/health-checking.md,
  gRFC A90), changes streamed in order (the server flips
  bookstore.Bookstore on SIGUSR1), and NOT_SERVING as soon as SIGTERM
  starts the graceful shutdown.
* grpc_reflection.v1alpha's ProtoReflectionDescriptorDatabase: lists our
  services and fetches files, enough for a DescriptorPool to rebuild the
  bookstore service.
* The same questions asked of a grpcio server running grpcio-reflection over
  the same bookstore proto get the same answers.

Each test starts its own oxgrpc server process: BOOKSTORE_SERVER names the
binary (default: $CARGO_TARGET_DIR/release/bookstore-server).
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent import futures

import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection, reflection_pb2, reflection_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

import protos

stubs = protos.load()
pb = stubs.bookstore_pb2
pb_grpc = stubs.bookstore_pb2_grpc

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TARGET_DIR = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
SERVER_BIN = os.environ.get("BOOKSTORE_SERVER", os.path.join(TARGET_DIR, "release", "bookstore-server"))
TIMEOUT = 10.0

Status = health_pb2.HealthCheckResponse
BOOKSTORE = "bookstore.Bookstore"
HEALTH = "grpc.health.v1.Health"
REFLECTION_V1 = "grpc.reflection.v1.ServerReflection"
REFLECTION_V1ALPHA = "grpc.reflection.v1alpha.ServerReflection"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OxgrpcServer:
    """The oxgrpc bookstore-server binary on a free port; its stderr goes to
    a file (it logs every call)."""

    def __init__(self):
        if not os.access(SERVER_BIN, os.X_OK):
            pytest.fail(f"no bookstore-server binary at {SERVER_BIN} (set BOOKSTORE_SERVER)")
        self.addr = f"127.0.0.1:{free_port()}"
        self.log = tempfile.NamedTemporaryFile(prefix="oxgrpc-bookstore-", suffix=".log")
        self.proc = subprocess.Popen([SERVER_BIN, "--addr", self.addr], stderr=self.log)
        deadline = time.monotonic() + TIMEOUT
        while b"listening on" not in open(self.log.name, "rb").read():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"bookstore-server did not start: {open(self.log.name).read()}")
            time.sleep(0.02)
        self.channel = grpc.insecure_channel(self.addr)
        grpc.channel_ready_future(self.channel).result(timeout=TIMEOUT)

    def signal(self, signum):
        self.proc.send_signal(signum)

    def close(self):
        self.channel.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


@pytest.fixture
def server():
    s = OxgrpcServer()
    yield s
    s.close()


@pytest.fixture
def health_stub(server):
    return health_pb2_grpc.HealthStub(server.channel)


def check(stub, service):
    return stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT).status


# --- health -------------------------------------------------------------------


def test_check_the_server_and_the_bookstore(health_stub):
    """What a Kubernetes gRPC probe asks: "" or a named service, SERVING."""
    assert check(health_stub, "") == Status.SERVING
    assert check(health_stub, BOOKSTORE) == Status.SERVING


def test_check_an_unknown_service_is_not_found(health_stub):
    with pytest.raises(grpc.RpcError) as ei:
        check(health_stub, "no.Such")
    assert ei.value.code() == grpc.StatusCode.NOT_FOUND


def test_watch_an_unknown_service_stays_open(health_stub):
    call = health_stub.Watch(health_pb2.HealthCheckRequest(service="no.Such"), timeout=1.0)
    assert next(call).status == Status.SERVICE_UNKNOWN
    # Nothing more, and no end: the call runs into its deadline.
    with pytest.raises(grpc.RpcError) as ei:
        next(call)
    assert ei.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED


def test_watch_streams_every_change_in_order(server, health_stub):
    call = health_stub.Watch(health_pb2.HealthCheckRequest(service=BOOKSTORE), timeout=TIMEOUT)
    seen = [next(call).status]
    for _ in range(2):
        time.sleep(0.2)
        server.signal(signal.SIGUSR1)  # flips bookstore.Bookstore
        seen.append(next(call).status)
    assert seen == [Status.SERVING, Status.NOT_SERVING, Status.SERVING]
    assert check(health_stub, BOOKSTORE) == Status.SERVING
    call.cancel()


def test_list_every_service(health_stub):
    listed = health_stub.List(health_pb2.HealthListRequest(), timeout=TIMEOUT)
    assert {name: s.status for name, s in listed.statuses.items()} == {
        "": Status.SERVING,
        BOOKSTORE: Status.SERVING,
    }


def test_not_serving_as_soon_as_shutdown_starts(server, health_stub):
    whole = health_stub.Watch(health_pb2.HealthCheckRequest(service=""), timeout=TIMEOUT)
    named = health_stub.Watch(health_pb2.HealthCheckRequest(service=BOOKSTORE), timeout=TIMEOUT)
    assert next(whole).status == Status.SERVING
    assert next(named).status == Status.SERVING
    server.signal(signal.SIGTERM)
    assert next(whole).status == Status.NOT_SERVING
    assert next(named).status == Status.NOT_SERVING
    # Then the watches end with OK, and the server drains and exits at once
    # (its grace is 5 s; open watches do not hold it).
    assert list(whole) == [] and list(named) == []
    assert whole.code() == grpc.StatusCode.OK
    assert server.proc.wait(timeout=4) == 0


# --- reflection through grpcio's descriptor database ---------------------------


def test_descriptor_database_lists_our_services(server):
    db = ProtoReflectionDescriptorDatabase(server.channel)
    assert sorted(db.get_services()) == [BOOKSTORE, HEALTH, REFLECTION_V1, REFLECTION_V1ALPHA]


def test_descriptor_database_rebuilds_the_bookstore(server):
    db = ProtoReflectionDescriptorDatabase(server.channel)
    pool = descriptor_pool.DescriptorPool(db)
    service = pool.FindServiceByName(BOOKSTORE)
    methods = {m.name: (m.input_type.full_name, m.output_type.full_name) for m in service.methods}
    assert methods == {
        "GetBook": ("bookstore.GetBookRequest", "bookstore.Book"),
        "ListBooks": ("google.protobuf.Empty", "bookstore.Book"),
        "AddBooks": ("bookstore.Book", "bookstore.BookList"),
        "Chat": ("bookstore.Book", "bookstore.Book"),
    }
    book = pool.FindMessageTypeByName("bookstore.Book")
    assert [(f.name, f.number, f.type) for f in book.fields] == [
        ("id", 1, book.fields[0].TYPE_STRING),
        ("title", 2, book.fields[0].TYPE_STRING),
        ("author", 3, book.fields[0].TYPE_STRING),
    ]
    file = pool.FindFileByName("bookstore.proto")
    assert [d.name for d in file.dependencies] == ["google/protobuf/empty.proto"]
    assert pool.FindMessageTypeByName("grpc.health.v1.HealthCheckResponse").enum_types[0].name == "ServingStatus"


def test_descriptor_database_unknown_symbol_then_a_known_one(server):
    db = ProtoReflectionDescriptorDatabase(server.channel)
    with pytest.raises(KeyError):
        db.FindFileContainingSymbol("bookstore.Nope")
    with pytest.raises(KeyError):
        db.FindFileByName("nope.proto")
    assert db.FindFileContainingSymbol("bookstore.GetBookRequest").name == "bookstore.proto"


# --- the same answers as grpcio-reflection -------------------------------------


@pytest.fixture
def grpcio_reference():
    """A grpcio server with the same services as our bookstore-server, and
    grpcio-reflection over the same bookstore proto (from the default pool)."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    pb_grpc.add_BookstoreServicer_to_server(pb_grpc.BookstoreServicer(), server)
    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)
    names = (BOOKSTORE, HEALTH, reflection.SERVICE_NAME)
    reflection.enable_server_reflection(names, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield channel
    channel.close()
    server.stop(0)


def ask_all(channel, questions):
    """One v1alpha stream, every question on it; the answers in order."""
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    answers = list(stub.ServerReflectionInfo(iter(questions), timeout=TIMEOUT))
    assert len(answers) == len(questions)
    return answers


def summary(answer):
    """What must agree: the kind of answer and, for files, each file's
    package, messages (nested too), enums and services. File names are
    compared outside: grpcio names its health proto grpc_health/v1/...."""
    kind = answer.WhichOneof("message_response")
    if kind == "error_response":
        return ("error", answer.error_response.error_code)
    if kind == "list_services_response":
        return ("services", sorted(s.name for s in answer.list_services_response.service))
    if kind == "all_extension_numbers_response":
        r = answer.all_extension_numbers_response
        return ("extensions", r.base_type_name, sorted(r.extension_number))
    files = []
    for raw in answer.file_descriptor_response.file_descriptor_proto:
        f = descriptor_pb2.FileDescriptorProto.FromString(raw)
        files.append((f.package, sorted(names_in(f.message_type)), sorted(e.name for e in f.enum_type),
                      sorted(s.name for s in f.service)))
    return ("files", files)


def names_in(messages, scope=""):
    for m in messages:
        yield scope + m.name
        yield from (scope + m.name + "." + e.name for e in m.enum_type)
        yield from names_in(m.nested_type, scope + m.name + ".")


def file_names(answer):
    return [descriptor_pb2.FileDescriptorProto.FromString(raw).name
            for raw in answer.file_descriptor_response.file_descriptor_proto]


Q = reflection_pb2.ServerReflectionRequest
# Symbols of every kind grpcio-reflection finds, and some it does not.
SYMBOLS = [
    BOOKSTORE,
    "bookstore.Book",
    "bookstore.Book.id",
    "bookstore.GetBookRequest",
    "google.protobuf.Empty",
    HEALTH,
    "grpc.health.v1.HealthCheckResponse",
    "grpc.health.v1.HealthCheckResponse.ServingStatus",
    "grpc.health.v1.HealthCheckResponse.SERVING",
    "grpc.health.v1.HealthListResponse.StatusesEntry",
    "grpc.health.v1.HealthListResponse.statuses",
    "bookstore.Nope",
    "grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING",
    "bookstore",
    "",
]
QUESTIONS = (
    [Q(list_services=""), Q(file_by_filename="bookstore.proto"),
     Q(file_by_filename="google/protobuf/empty.proto"), Q(file_by_filename="nope.proto")]
    + [Q(file_containing_symbol=s) for s in SYMBOLS]
    + [Q(all_extension_numbers_of_type="bookstore.Book"),
       Q(all_extension_numbers_of_type="bookstore.Nope"),
       Q(file_containing_extension=reflection_pb2.ExtensionRequest(containing_type="bookstore.Book", extension_number=5)),
       Q()]
)


def test_reflection_answers_as_grpcio_reflection_does(server, grpcio_reference):
    ours = ask_all(server.channel, QUESTIONS)
    theirs = ask_all(grpcio_reference, QUESTIONS)
    for question, a, b in zip(QUESTIONS, ours, theirs):
        assert a.original_request == question
        if question.HasField("list_services"):
            # grpcio-reflection serves v1alpha only; we serve v1 too.
            mine = [s for s in summary(a)[1] if s != REFLECTION_V1]
            assert ("services", mine) == summary(b), question
            continue
        assert summary(a) == summary(b), f"{question}\n ours: {summary(a)}\n grpcio: {summary(b)}"
    # The same file sets by name, where both name the files alike.
    for question, a, b in zip(QUESTIONS, ours, theirs):
        names_a, names_b = file_names(a), file_names(b)
        if names_a and not any(n.startswith("grpc_health/") for n in names_b):
            assert names_a == names_b, question
    assert file_names(ours[1]) == ["bookstore.proto", "google/protobuf/empty.proto"]


def test_we_also_find_methods_as_grpc_go_and_grpc_java_do(server):
    """grpcio's pool (upb) does not index methods; grpc-go, grpc-java and
    C++ do, and grpcurl's `describe pkg.Service.Method` needs it."""
    (answer,) = ask_all(server.channel, [Q(file_containing_symbol="bookstore.Bookstore.GetBook")])
    assert file_names(answer)[0] == "bookstore.proto"
