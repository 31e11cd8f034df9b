"""Helpers shared by the write tests: writable copies of builds, servers with writes on,
and consistency checks of a build directory."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pyoxigraph as ox

from ccgraph import iris
from ccgraph.store import open_build

BASE = iris.DEFAULT_BASE
TOKEN = "s3cret-token-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SAPPORO = str(iris.city("jp", "Sapporo"))
CURATED = str(iris.graph("curated", BASE))
VOID = str(iris.graph("void", BASE))
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
CONTACT = f"{BASE}id/contact/jp/sapporo/media-arts"
BAD_EMAIL = f'INSERT DATA {{ <{CONTACT}> <http://schema.org/email> "not an e-mail" }}'


def copy_build(src: Path, dest: Path) -> Path:
    """A writable copy of a build directory (symbolic links kept: they are relative)."""
    shutil.copytree(src, dest, symlinks=True)
    return dest


def comment_insert(text: str, graph: str | None = None) -> str:
    triple = f'<{SAPPORO}> <{RDFS_COMMENT}> "{text}"@en'
    return f"INSERT DATA {{ GRAPH <{graph}> {{ {triple} }} }}" if graph else \
        f"INSERT DATA {{ {triple} }}"


def named_quads(build: Path) -> set[ox.Quad]:
    b = open_build(build)
    return {q for q in b.store if isinstance(q.graph_name, ox.NamedNode)}


def check_consistent(build: Path) -> set[ox.Triple]:
    """The live version is whole: the default graph is the union of the named graphs, the
    N-Quads dump holds the store's named graphs, build.json counts them. Returns the union
    (without the VoID graph)."""
    b = open_build(build)
    named = [q for q in b.store if isinstance(q.graph_name, ox.NamedNode)]
    default = {q.triple for q in b.store.quads_for_pattern(None, None, None,
                                                           ox.DefaultGraph())}
    assert default == {q.triple for q in named}
    assert b.meta.quads == len(set(named))
    dumped = gzip.decompress((b.path / "dumps" / "ccgraph.nq.gz").read_bytes())
    normal = ox.Store()  # a store writes typed literals in canonical form: compare so
    normal.extend(ox.parse(dumped, format=ox.RdfFormat.N_QUADS))
    in_dump = set(normal)
    assert len(in_dump) == len(set(named))
    no_bnodes = {q for q in named if not isinstance(q.subject, ox.BlankNode)
                 and not isinstance(q.object, ox.BlankNode)}
    assert no_bnodes <= in_dump
    return {q.triple for q in named if q.graph_name.value != VOID}


def comments(build: Path) -> set[str]:
    b = open_build(build)
    return {q.object.value for q in b.store.quads_for_pattern(
        ox.NamedNode(SAPPORO), ox.NamedNode(RDFS_COMMENT), None, ox.DefaultGraph())}


def snapshot(path: Path) -> dict[str, bytes]:
    """Every file of a build directory (through the links), by relative path."""
    out = {}
    for folder, _dirs, files in os.walk(path, followlinks=False):
        for name in files:
            full = Path(folder) / name
            if name == "write.lock" or "/store" in str(full.relative_to(path)) \
                    or str(full.relative_to(path)).startswith("store"):
                continue  # RocksDB may rewrite its own logs when opened
            out[str(full.relative_to(path))] = full.read_bytes()
    for name in os.listdir(path):
        full = path / name
        if full.is_symlink():
            out[name + " ->"] = os.readlink(full).encode()
    return out
