"""Generate the Python gRPC stubs for examples/proto at run time.

The stubs are written into a fresh temporary directory (never committed) and
that directory is put on sys.path, so `import bookstore_pb2` etc. work after
`load()`.
"""

import atexit
import importlib
import importlib.resources
import os
import shutil
import sys
import tempfile

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROTO_DIR = os.path.join(REPO_ROOT, "examples", "proto")
PROTOS = ("helloworld.proto", "bookstore.proto")

_loaded = None


def _wkt_include():
    """Include dir of the well-known types (google/protobuf/*.proto) bundled
    with grpcio-tools."""
    return str(importlib.resources.files("grpc_tools") / "_proto")


def load():
    """Generate (once per process) and import the stub modules.

    Returns a namespace with bookstore_pb2, bookstore_pb2_grpc,
    helloworld_pb2, helloworld_pb2_grpc and empty_pb2.
    """
    global _loaded
    if _loaded is not None:
        return _loaded
    from grpc_tools import protoc

    out = tempfile.mkdtemp(prefix="oxgrpc-interop-stubs-")
    atexit.register(shutil.rmtree, out, True)
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_DIR}",
        f"-I{_wkt_include()}",
        f"--python_out={out}",
        f"--grpc_python_out={out}",
    ] + [os.path.join(PROTO_DIR, p) for p in PROTOS]
    rc = protoc.main(args)
    if rc != 0:
        raise RuntimeError(f"grpc_tools.protoc failed with exit code {rc}: {args}")
    sys.path.insert(0, out)

    class _Stubs:
        pass

    ns = _Stubs()
    ns.dir = out
    for mod in ("bookstore_pb2", "bookstore_pb2_grpc", "helloworld_pb2", "helloworld_pb2_grpc"):
        setattr(ns, mod, importlib.import_module(mod))
    from google.protobuf import empty_pb2

    ns.empty_pb2 = empty_pb2
    _loaded = ns
    return ns
