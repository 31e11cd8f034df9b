"""Writes: a SPARQL Update or a Graph Store request, checked with SHACL, committed as a new
version of the build (store.py: versioned layout).

How a write goes (all of it under ``<store>/write.lock``, one writer at a time across every
worker process):

1. the request thread hands the write to this process's *write worker*, a child process
   (``python -m ccgraph.validate_worker``, started on the first write and kept);
2. the child loads the live version's named graphs (minus the generated VoID graph) into
   an in-memory pyoxigraph store, with the default graph holding their union, and applies
   the change there (:func:`apply`). It reports "applied"; the parent kills it if that
   takes longer than ``query_timeout`` (pyoxigraph cannot cancel an update, a process can
   be killed);
3. the child validates the result with pyshacl (which patches rdflib globals, so it runs
   only there) and, when it conforms, writes a complete new version directory aside:
   store with the default-graph union, VoID, dumps, reports, build.json, all fsynced
   (:func:`write_version`);
4. the parent swaps ``current`` to it (store.install_build: one atomic rename) and answers.
   A refused write (a violation, a bad request, too many changes, a timeout) writes nothing.

Every worker notices the new ``current`` on its next request and reopens the store
read-only; ETags follow build.json's ``version``.

The default graph. Readers see the default graph as the union of the named graphs, and
writes keep that meaning: an operation on the default graph (an update without ``GRAPH``,
or the Graph Store's ``?default``) is applied to the union, and the difference is carried
back to the named graphs: a triple removed from the default graph is removed from every
named graph holding it; a triple added to it goes to ``{base}graph/curated`` (the curators'
graph) unless a named graph holds it already. The VoID graph ``{base}graph/void`` is made
at each commit; writes cannot change it.
"""

from __future__ import annotations

import json
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import formats, iris, jsonld, publish
from .namespaces import CCG, RDF
from .store import (
    CONTEXT_FILE,
    DUMPS_DIR,
    META_FILE,
    REPORTS_DIR,
    STORE_DIR,
    BuildMeta,
    LockTimeout,
    current_link,
    install_build,
    remove_leftovers,
    write_lock,
)

log = logging.getLogger(__name__)

#: request kinds
UPDATE, PUT, POST, DELETE = "update", "put", "post", "delete"
#: outcome statuses
COMMITTED = "committed"
UNCHANGED = "unchanged"
INVALID = "invalid"  # SHACL violations: 422
BAD_REQUEST = "bad_request"  # 400
NOT_FOUND = "not_found"  # 404
TOO_LARGE = "too_large"  # 413
FORBIDDEN = "forbidden"  # 403
TIMEOUT = "timeout"  # 503
BUSY = "busy"  # 503
CONFLICT = "conflict"  # 409
ERROR = "error"  # 500
#: payload formats a Graph Store request may send
PAYLOAD_FORMATS = formats.of_kind("graph")


class WriteError(Exception):
    """A write refused before anything was committed."""

    def __init__(self, status: str, message: str) -> None:
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class Request:
    """One write. ``graph`` None means the default graph (Graph Store ``?default``)."""

    kind: str
    update: str = ""
    graph: str | None = None
    payload: bytes = b""
    media_type: str = ""


@dataclass
class WriteResult:
    """What became of one write: its status (above), counts, the version it made."""

    status: str
    message: str = ""
    inserted: int = 0
    deleted: int = 0
    version: str = ""
    created: bool = False  # the named graph did not exist before
    report_text: str = ""
    report_turtle: str = ""
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds the change itself may take (query_timeout)
    cap: int = 10_000  # most quads one write may insert plus delete (result_cap)
    commit_timeout: float = 300.0  # seconds for validation and writing the new version
    lock_timeout: float = 120.0  # seconds a write waits for the one before it


def payload_format(media_type: str) -> formats.Format | None:
    mtype = media_type.split(";")[0].strip().lower()
    for fmt in PAYLOAD_FORMATS:
        if mtype in (fmt.media_type, *fmt.aliases):
            return fmt
    return None


# ------------------------------------------------------------------ apply (in the child)

def named_quads(version_dir: Path, base: str) -> list[ox.Quad]:
    """The named graphs of a published version (with the VoID graph: :func:`apply` shows
    it to the update's WHERE, as readers see it, and drops it)."""
    store = ox.Store.read_only(str(version_dir / STORE_DIR))
    quads = [q for q in store if isinstance(q.graph_name, ox.NamedNode)]
    del store
    return quads


def _payload_triples(req: Request) -> list[ox.Triple]:
    fmt = payload_format(req.media_type)
    if fmt is None or not isinstance(fmt.oxigraph, ox.RdfFormat):
        raise WriteError(BAD_REQUEST, f"unsupported payload type {req.media_type!r}")
    base_iri = req.graph if req.graph else None
    try:
        # blank nodes of a payload are its own: fresh nodes, whatever their labels
        return [q.triple for q in ox.parse(req.payload, format=fmt.oxigraph, base_iri=base_iri,
                                           rename_blank_nodes=True)]
    except (SyntaxError, ValueError) as exc:
        raise WriteError(BAD_REQUEST, f"the {fmt.media_type} payload does not parse: {exc}") \
            from None


@dataclass
class Applied:
    before: set[ox.Quad]  # the named graphs before (no VoID), as a store writes them
    after: set[ox.Quad]  # and after the write
    created: bool  # ``req.graph`` did not exist


def apply(named: list[ox.Quad], req: Request, base: str) -> Applied:
    """Apply ``req`` to the named graphs ``named`` (see the module docstring for the default
    graph). Raises WriteError."""
    void_node = ox.NamedNode(str(iris.graph("void", base)))
    store = ox.Store()
    store.extend(named)  # read back from the store: typed literals in canonical form
    generated = {q.triple for q in store.quads_for_pattern(None, None, None, void_node)}
    store.remove_graph(void_node)
    before = {q for q in store if isinstance(q.graph_name, ox.NamedNode)}
    union = {q.triple for q in before}
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                 for t in union | generated)
    target: ox.NamedNode | ox.DefaultGraph = (
        ox.NamedNode(req.graph) if req.graph is not None else ox.DefaultGraph())
    created = False
    if isinstance(target, ox.NamedNode):
        created = not any(True for _ in store.quads_for_pattern(None, None, None, target))
    if req.kind == UPDATE:
        try:
            store.update(req.update)
        except SyntaxError as exc:
            raise WriteError(BAD_REQUEST, f"malformed update: {exc}") from None
        except (ValueError, TypeError, OSError) as exc:
            raise WriteError(BAD_REQUEST, f"the update failed: {exc}") from None
    elif req.kind in (PUT, POST):
        triples = _payload_triples(req)
        if req.kind == PUT:
            store.clear_graph(target)
        store.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)
    elif req.kind == DELETE:
        if created:
            raise WriteError(NOT_FOUND, f"no graph <{req.graph}> in this dataset")
        store.clear_graph(target)
    else:
        raise WriteError(BAD_REQUEST, f"unknown write {req.kind!r}")
    after = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    removed = union - after
    added = after - union - generated  # the VoID statements are made again at commit
    result = {q for q in store if isinstance(q.graph_name, ox.NamedNode)}
    if any(q.graph_name == void_node for q in result):
        raise WriteError(FORBIDDEN, f"the graph <{void_node.value}> is generated at each "
                                    "commit (dataset statistics); it cannot be written")
    if removed:
        result = {q for q in result if q.triple not in removed}
    if added:
        held = {q.triple for q in result}
        curated = ox.NamedNode(str(iris.graph("curated", base)))
        result.update(ox.Quad(t.subject, t.predicate, t.object, curated)
                      for t in added if t not in held)
    for q in result:
        if isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple):
            raise WriteError(BAD_REQUEST, "triple terms (RDF-star) are not accepted")
    return Applied(before, result, created)


_CITY_TYPE = (ox.NamedNode(str(RDF.type)), ox.NamedNode(str(CCG.CreativeCity)))


def refuse_wiping(before: set[ox.Quad], after: set[ox.Quad], base: str) -> None:
    """The shapes check what is there, not that anything is: a write that empties the
    ontology or the vocabularies (they come from the project's files), or removes every
    member city (``DROP ALL``, ``DELETE ?default``), is refused instead."""
    for name in ("ontology", "vocab"):
        node = ox.NamedNode(str(iris.graph(name, base)))
        if any(q.graph_name == node for q in before) and \
                not any(q.graph_name == node for q in after):
            raise WriteError(FORBIDDEN, f"the write would empty <{node.value}>, which is made "
                                        f"from the project's {name} files: change those and "
                                        "rebuild instead")

    def has_city(quads: set[ox.Quad]) -> bool:
        return any((q.predicate, q.object) == _CITY_TYPE for q in quads)

    if has_city(before) and not has_city(after):
        raise WriteError(FORBIDDEN, "the write would remove every member city from the "
                                    "dataset; remove cities one by one if that is meant")


# ------------------------------------------------------------------ validate (in the child)

@dataclass
class Validation:
    conforms: bool
    text: str
    turtle: str
    json: str


def validate_quads(quads: Iterable[ox.Quad], shapes: Any) -> Validation:
    """pyshacl over the union of ``quads`` (the child process only: pyshacl patches rdflib)."""
    from rdflib import Graph

    from . import validate

    triples = {q.triple for q in quads}
    graph = Graph()
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    graph.parse(data=data, format="nt")
    report = validate.validate(graph, shapes)
    return Validation(report.conforms, report.text(), report.to_turtle(), report.to_json())


# ------------------------------------------------------------------ write a version (child)

def nquads_of(quads: Iterable[ox.Quad]) -> bytes:
    """Sorted N-Quads lines: the same quads (with the same blank node labels) give the same
    bytes, so the same version."""
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    lines = sorted({line for line in data.splitlines() if line.strip()})
    return b"\n".join(lines) + b"\n" if lines else b""


def write_version(staging: Path, quads: Iterable[ox.Quad], base: str, previous: Path,
                  reports: Mapping[str, str], note: Mapping[str, Any]
                  ) -> tuple[BuildMeta, list[ox.Quad]]:
    """A complete build directory in ``staging``, as publish.publish writes one: the store
    (named graphs, VoID, default-graph union), dumps, context, reports and build.json.
    Metadata the write does not change (sources, quality) is carried over from
    ``previous`` (the version the write started from). Returns the metadata and the quads
    of the VoID graph made for it."""
    from .void import describe_dataset

    old = BuildMeta.from_json((previous / META_FILE).read_text(encoding="utf-8"))
    nquads = nquads_of(quads)
    store = ox.Store(str(staging / STORE_DIR))
    graphs = publish.graph_counts(nquads)
    extra = {k: v for k, v in old.extra.items() if k not in ("triples", "write")}
    meta = BuildMeta(version=publish.version_of(nquads),
                     created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                     base=old.base or base, quads=sum(graphs.values()),
                     graphs=dict(sorted(graphs.items())), sources=list(old.sources),
                     extra={**extra, "write": {"parent": old.version, **note}})
    filled = publish.fill_store(store, nquads, meta, base, describe_dataset)
    meta, union, void_nquads, void_quads = (filled.meta, filled.union, filled.void_nquads,
                                            filled.void_quads)
    publish.write_dumps(store, staging / DUMPS_DIR, base, union=union,
                        named=nquads + void_nquads)
    del store
    context = previous / CONTEXT_FILE
    if context.is_file():
        shutil.copyfile(context, staging / CONTEXT_FILE)
    else:
        (staging / CONTEXT_FILE).write_bytes(jsonld.context_document(base))
    (staging / REPORTS_DIR).mkdir()
    if (previous / REPORTS_DIR).is_dir():
        for path in (previous / REPORTS_DIR).iterdir():
            if path.is_file() and path.name.startswith("quality."):
                shutil.copyfile(path, staging / REPORTS_DIR / path.name)
    for name, text in reports.items():
        (staging / REPORTS_DIR / name).write_text(text, encoding="utf-8")
    (staging / META_FILE).write_text(meta.to_json() + "\n", encoding="utf-8")
    return meta, void_quads


# ------------------------------------------------------------------ the parent side

class Writer:
    """Runs writes for one server process: a lock, and the child that does the work."""

    def __init__(self, root: Path, base: str, limits: Limits) -> None:
        self.root = Path(root)
        self.base = base
        self.limits = limits
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._buffer = b""

    # -- the child process

    def _start(self) -> subprocess.Popen[bytes]:
        if self._child is not None and self._child.poll() is None:
            return self._child
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        child = subprocess.Popen([sys.executable, "-m", "ccgraph.validate_worker", "--serve"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self._child = child
        self._buffer = b""
        hello = self._read(child, time.monotonic() + max(120.0, self.limits.commit_timeout))
        if hello is None or hello.get("stage") != "ready":
            self._kill()
            raise RuntimeError(f"the write worker did not start: {hello}")
        return child

    def _kill(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()

    def close(self) -> None:
        with self._lock:
            self._kill()

    def _read(self, child: subprocess.Popen[bytes], deadline: float) -> dict[str, Any] | None:
        """The child's next message; None when it died or the deadline passed."""
        assert child.stdout is not None
        fd = child.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        message: dict[str, Any] = json.loads(line)
        return message

    # -- one write

    def submit(self, req: Request) -> WriteResult:
        started = time.monotonic()
        if not self._lock.acquire(timeout=self.limits.lock_timeout):
            return WriteResult(BUSY, "another write is in progress; retry in a moment")
        try:
            with write_lock(self.root, self.limits.lock_timeout):
                waited = time.monotonic() - started
                outcome = self._run(req)
                outcome.seconds["lock_wait"] = round(waited, 3)
                outcome.seconds["total"] = round(time.monotonic() - started, 3)
                return outcome
        except LockTimeout:
            return WriteResult(BUSY, "another write is in progress; retry in a moment")
        finally:
            self._lock.release()

    def _run(self, req: Request) -> WriteResult:
        remove_leftovers(self.root)
        link = current_link(self.root)
        if link is None:
            return WriteResult(CONFLICT, "this build directory predates versioned builds; "
                                     "rebuild it (ccgraph build) to accept writes")
        try:
            child = self._start()
        except (OSError, RuntimeError) as exc:
            log.error("write worker: %s", exc)
            return WriteResult(ERROR, "the write worker could not be started")
        header = {"kind": req.kind, "update": req.update, "graph": req.graph,
                  "media_type": req.media_type, "payload": len(req.payload),
                  "root": str(self.root), "link": link, "base": self.base,
                  "cap": self.limits.cap}
        assert child.stdin is not None
        try:
            child.stdin.write(json.dumps(header).encode("utf-8") + b"\n" + req.payload)
            child.stdin.flush()
        except OSError:
            self._kill()
            return WriteResult(ERROR, "the write worker stopped unexpectedly")
        t0 = time.monotonic()
        applied = self._read(child, t0 + self.limits.timeout)
        if applied is None or applied.get("stage") != "applied":
            if applied is not None and applied.get("stage") == "done":
                return self._finish(applied)
            crashed = child.poll() is not None
            self._kill()
            if crashed:
                return WriteResult(BAD_REQUEST, "the request could not be processed (the parser "
                                            "or evaluator failed on it); nothing was changed")
            return WriteResult(TIMEOUT, f"the update timed out after {self.limits.timeout:g} s; "
                                    "nothing was changed")
        done = self._read(child, time.monotonic() + self.limits.commit_timeout)
        if done is None:
            self._kill()
            return WriteResult(ERROR, "validating or writing the new version failed; "
                                  "nothing was changed")
        return self._finish(done)

    def _finish(self, done: dict[str, Any]) -> WriteResult:
        staging = done.pop("staging", None)
        name = done.pop("name", None)
        done.pop("stage", None)
        outcome = WriteResult(**done)
        if outcome.status != COMMITTED:
            if staging:
                shutil.rmtree(staging, ignore_errors=True)
            return outcome
        assert staging and name
        t0 = time.monotonic()
        install_build(Path(staging), self.root, outcome.version, lock_timeout=-1, name=name)
        outcome.seconds["install"] = round(time.monotonic() - t0, 3)
        return outcome


__all__ = ["Limits", "Request", "WriteError", "WriteResult", "Writer", "apply", "named_quads",
           "validate_quads", "write_version"]
