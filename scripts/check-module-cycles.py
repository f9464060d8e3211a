#!/usr/bin/env python3
"""Fails if the top-level modules of a crate import each other in a cycle.

    scripts/check-module-cycles.py crates/oxgrpc/src [crates/oxgrpc-h2/src ...]

Reads every `crate::module` path (including `crate::{A, b::C}` groups and the
names the crate root re-exports, and intra-doc links) outside test code (`#[cfg(test)]` sections,
`tests.rs` and `test_*.rs` files), builds the
graph of top-level modules, and reports every strongly connected component
with more than one module. Prints the graph with -v.
"""
import os
import re
import sys
from collections import defaultdict


def top_module(root, path):
    parts = os.path.relpath(path, root)[:-3].split(os.sep)
    if parts[-1] == "mod":
        parts = parts[:-1]
    return parts[0] if parts and parts != ["lib"] else None


def root_reexports(root):
    """Maps a name the crate root re-exports (`pub use m::{A, B}`) to `m`."""
    lib = open(os.path.join(root, "lib.rs")).read()
    names = {}
    for module, items in re.findall(r"pub use ([a-z_][a-z0-9_]*)(?:::[a-z_]+)*::\{?([^;]*?)\}?;", lib):
        for name in re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\b", items):
            names[name] = module
    return names


def graph(root):
    modules = {top_module(root, os.path.join(d, f))
               for d, _, fs in os.walk(root) for f in fs if f.endswith(".rs")}
    modules.discard(None)
    reexports = root_reexports(root)
    edges = defaultdict(set)
    for d, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".rs") or f == "tests.rs" or f.startswith("test_"):
                continue
            path = os.path.join(d, f)
            here = top_module(root, path)
            if here is None:
                continue
            src = open(path).read().split("#[cfg(test)]")[0]
            # Intra-doc links (`[`crate::status::X`]`) tie modules together
            # too; other comments do not.
            links = " ".join(re.findall(r"\[`(crate::[A-Za-z0-9_:]+)", src))
            src = re.sub(r"//.*", "", src) + " " + links
            targets = set(re.findall(r"crate::([a-z_][a-z0-9_]*)", src))
            for group in re.findall(r"crate::\{([^}]*)\}", src):
                for name in re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\b", group):
                    targets.add(reexports.get(name, name))
            for name in re.findall(r"crate::([A-Z][A-Za-z0-9_]*)", src):
                if name in reexports:
                    targets.add(reexports[name])
            edges[here] |= {t for t in targets if t in modules and t != here}
    return edges


def cycles(edges):
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in list(edges):
        if v not in index:
            visit(v)
    return found


def main():
    verbose = "-v" in sys.argv
    roots = [a for a in sys.argv[1:] if a != "-v"]
    failed = False
    for root in roots:
        edges = graph(root)
        if verbose:
            for module in sorted(edges):
                print(f"{root}: {module} -> {', '.join(sorted(edges[module]))}")
        found = cycles(edges)
        for component in found:
            print(f"{root}: import cycle between modules {', '.join(component)}")
        if not found:
            print(f"{root}: no import cycle between its {len(edges)} modules")
        failed |= bool(found)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
