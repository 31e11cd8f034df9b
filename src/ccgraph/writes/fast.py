"""The fast commit path (in the write worker): the next version written from the live one
and the change, instead of from scratch.

The worker keeps, per live version, a :class:`Published`: the canonical N-Quads lines of its
named graphs (sorted: their bytes give the version id), how many named graphs hold each
triple (the union dump and the default graph), and the counts VoID states (:class:`Tally`,
the same numbers as ``void.tally``). A write then

* copies the live store with ``Store.backup`` (hard links to its immutable files) and
  applies the change to the copy: the named graphs' quads, the default graph's triples, and
  a new VoID graph;
* makes the VoID graph with ``void.describe_dataset`` fed with the updated counts;
* writes the dumps from the lines it keeps (no store scan, no sort of the whole data);
* writes the framed cities again (framing/bulk.py) and the rest as a build does.

The result is the version ``version.write_version`` would write for the same quads (same
version id, same store content, same dumps); the write tests check it.
"""

from __future__ import annotations

import bisect
import gzip
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .. import iris, jsonld, version
from ..framing import bulk
from ..namespaces import PREFIXES
from ..store import CONTEXT_FILE, DUMPS_DIR, META_FILE, REPORTS_DIR, STORE_DIR, BuildMeta
from ..void import Statistics

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: the quads a write added and removed, kept in its version so that the write worker of
#: another server process can catch up with it instead of reading the version whole
CHANGE_ADDED = "write-added.nq"
CHANGE_REMOVED = "write-removed.nq"


def _line(quad: ox.Quad) -> bytes:
    return (ox.serialize([quad], format=ox.RdfFormat.N_QUADS) or b"").rstrip(b"\n")


def _triple_line(quad_line: bytes) -> bytes:
    return quad_line[:quad_line.rindex(b" <")] + b" ."


class Tally:
    """``void.tally`` of a set of triples, kept up to date as triples come and go."""

    def __init__(self, triples: Iterable[ox.Triple], space: str) -> None:
        self.space = space
        self.n = 0
        self.entities = 0
        self.subjects: Counter[object] = Counter()
        self.objects: Counter[object] = Counter()
        self.properties: Counter[str] = Counter()
        self.classes: Counter[object] = Counter()
        self.instances: dict[str, Counter[object]] = {}
        for t in triples:
            self.add(t, 1)

    def add(self, t: ox.Triple, k: int) -> None:
        """Count ``t`` in (k=1) or out (k=-1)."""
        self.n += k
        s = t.subject
        before = self.subjects[s]
        _bump(self.subjects, s, k)
        if isinstance(s, ox.NamedNode) and s.value.startswith(self.space):
            if before == 0 and k > 0:
                self.entities += 1
            elif before + k == 0:
                self.entities -= 1
        _bump(self.objects, t.object, k)
        _bump(self.properties, t.predicate.value, k)
        if t.predicate == _RDF_TYPE:
            _bump(self.classes, t.object, k)
            if isinstance(t.object, ox.NamedNode):
                per = self.instances.setdefault(t.object.value, Counter())
                _bump(per, s, k)
                if not per:
                    del self.instances[t.object.value]

    def statistics(self) -> Statistics:
        return Statistics(
            triples=self.n, entities=self.entities, subjects=len(self.subjects),
            objects=len(self.objects), properties=len(self.properties),
            classes=len(self.classes),
            class_partitions=tuple(sorted((c, len(xs)) for c, xs in self.instances.items())),
            property_partitions=tuple(sorted(self.properties.items())))


def _bump(counter: Counter[Any], key: object, k: int) -> None:
    n = counter[key] + k
    if n:
        counter[key] = n
    else:
        del counter[key]


@dataclass
class _Counted:
    """What ``void.describe_dataset`` asks (void.Counted): sizes and statistics. The first
    draft (asked with no extra triples) starts from the previous description's triples, so
    the drafts settle in fewer rounds; the loop still ends only on a fixed point."""

    sizes: Mapping[str, int]
    tally: Tally
    held: Counter[bytes]
    guess: set[ox.Triple] | None = None

    def statistics(self, extra: set[ox.Triple]) -> Statistics:
        if not extra and self.guess is not None:
            extra, self.guess = self.guess, None
        new = [t for t in extra if _triple_line(_line(ox.Quad(
            t.subject, t.predicate, t.object, ox.NamedNode("urn:x:g")))) not in self.held]
        for t in new:
            self.tally.add(t, 1)
        try:
            return self.tally.statistics()
        finally:
            for t in new:
                self.tally.add(t, -1)


class Framed:
    """The framed cities of the live version (framing/bulk.py's files), one line each,
    with the nodes each city's description read: a change re-frames only the cities that
    read a changed triple's subject, or that are its object."""

    def __init__(self, store: ox.Store, base: str) -> None:
        self.base = base
        self.lines: dict[str, bytes] = {}
        self.features: dict[str, bytes] = {}
        self.reads: dict[str, set[object]] = {}
        self.readers: dict[object, set[str]] = {}
        for iri in bulk.city_iris(store):
            self.frame(store, iri)

    def frame(self, store: ox.Store, iri: str) -> None:
        from ..framing import tree
        from ..web.resources import describe  # the description /doc serves, as bulk.py

        triples = describe(store, iri).all_triples()
        doc = tree.frame(triples, iri, self.base)
        self.lines[iri] = bulk.line(doc)
        self.features[iri] = bulk.line(bulk.feature(doc)).rstrip(b"\n")
        self.forget(iri)
        reads: set[object] = {t.subject for t in triples}
        reads.update(t.object for t in triples if not isinstance(t.object, ox.Literal))
        self.reads[iri] = reads
        for node in reads:
            self.readers.setdefault(node, set()).add(iri)

    def forget(self, iri: str) -> None:
        for node in self.reads.pop(iri, set()):
            readers = self.readers.get(node)
            if readers is not None:
                readers.discard(iri)
                if not readers:
                    del self.readers[node]

    def update(self, store: ox.Store, changed: Iterable[ox.Triple]) -> int:
        """Frame again the cities ``changed`` can alter; returns how many."""
        cities = set(bulk.city_iris(store))
        touched = cities - self.lines.keys()
        for t in changed:
            touched |= self.readers.get(t.subject, set())
            if isinstance(t.object, ox.NamedNode) and t.object.value in cities:
                touched.add(t.object.value)
        for gone in self.lines.keys() - cities:
            self.forget(gone)
            del self.lines[gone], self.features[gone]
        for iri in sorted(touched & cities):
            self.frame(store, iri)
        return len(touched & cities)

    def write(self, dumps: Path) -> None:
        """The same bytes as bulk.write_dumps."""
        order = sorted(self.lines)
        with (dumps / bulk.JSONL).open("wb") as raw, \
                gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as gz:
            gz.write(b"".join(self.lines[iri] for iri in order))
        with (dumps / bulk.GEOJSON).open("wb") as geo:
            geo.write(b'{"type":"FeatureCollection","features":[\n')
            geo.write(b",\n".join(self.features[iri] for iri in order))
            geo.write(b"\n]}\n")


def _gzip(path: Path, data: bytes) -> None:
    """As version.write_gzip (mtime 0: the same bytes for the same data), at level 1: a
    write's dumps are written at every commit, a few times quicker than level 6."""
    with path.open("wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=1) as gz:
        gz.write(data)


def _subject(line: bytes) -> bytes:
    return line[:line.index(b" ")]


class Blocks:
    """The Turtle and JSON-LD dumps of the union kept subject by subject (a Turtle block and
    a JSON-LD node object each, in N-Triples line order: jsonld.triples_to_jsonld's
    document): a change makes again only the blocks of its subjects."""

    def __init__(self, base: str) -> None:
        from ..jsonld import _Compactor, context

        self.ctx = context(base)
        self.compact = _Compactor(self.ctx)
        self.head = json.dumps(self.ctx, ensure_ascii=False, separators=(",", ":"))
        self.prefixes = b"".join(f"@prefix {p}: <{ns}> .\n".encode()
                                 for p, ns in PREFIXES.items())
        self.blocks: dict[bytes, tuple[bytes, bytes]] = {}

    def block(self, lines: list[bytes]) -> tuple[bytes, bytes]:
        compact = self.compact
        node: dict[str, Any] = {}
        triples = [q.triple for q in ox.parse(b"\n".join(lines) + b"\n",
                                              format=ox.RdfFormat.N_TRIPLES)]
        for t in triples:
            if not node:
                node["@id"] = compact.node(t.subject)
            if t.predicate.value == _RDF_TYPE.value and not isinstance(t.object, ox.Literal):
                node.setdefault("@type", []).append(compact.node(t.object))
            else:
                node.setdefault(compact.iri(t.predicate.value), []).append(
                    compact.value(t.object))
        turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""
        turtle = b"".join(line for line in turtle.splitlines(keepends=True)
                          if not line.startswith(b"@prefix "))
        return (json.dumps(node, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                turtle)

    def documents(self, lines: list[bytes], redo: set[bytes] | None) -> tuple[bytes, bytes]:
        """The JSON-LD and Turtle dumps of the sorted union ``lines``, making again the
        blocks of the subjects ``redo`` (all when None)."""
        order: list[bytes] = []
        groups: dict[bytes, list[bytes]] = {}
        for line in lines:
            subject = line[:line.index(b" ")]
            if not order or order[-1] != subject:
                order.append(subject)
                groups[subject] = []
            groups[subject].append(line)
        keep: dict[bytes, tuple[bytes, bytes]] = {}
        if redo is not None:
            keep = {s: self.blocks[s] for s in order if s in self.blocks and s not in redo}
        for subject in order:
            if subject not in keep:
                keep[subject] = self.block(groups[subject])
        self.blocks = keep
        graph = b",".join(keep[s][0] for s in order)
        jsonld = b'{"@context":' + self.head.encode("utf-8") + b',"@graph":[' + graph + b"]}"
        turtle = self.prefixes + b"".join(keep[s][1] for s in order)
        return jsonld, turtle


class Published:
    """What the worker keeps of the live version to write the next one (module docstring).
    ``named``: the named graphs without the VoID graph; ``void``: the VoID graph's quads."""

    def __init__(self, named: Iterable[ox.Quad], void: list[ox.Quad], base: str) -> None:
        named = list(named)
        data = ox.serialize(named, format=ox.RdfFormat.N_QUADS) or b""
        self.lines = sorted({line for line in data.splitlines() if line.strip()})
        self.held: Counter[bytes] = Counter(_triple_line(line) for line in self.lines)
        self.tally = Tally({q.triple for q in named}, f"{base}id/")
        self.void = void
        self.framed: Framed | None = None  # made from the first version written
        self.blocks: Blocks | None = None  # likewise

    def change(self, added: Iterable[ox.Quad], removed: Iterable[ox.Quad]
               ) -> tuple[list[ox.Triple], list[ox.Triple]]:
        """Apply a change of named-graph quads; returns the triples the union gains and
        loses."""
        gained: list[ox.Triple] = []
        lost: list[ox.Triple] = []
        for q in removed:
            line = _line(q)
            i = bisect.bisect_left(self.lines, line)
            if i < len(self.lines) and self.lines[i] == line:
                del self.lines[i]
                tl = _triple_line(line)
                _bump(self.held, tl, -1)
                if not self.held[tl]:
                    lost.append(q.triple)
                    self.tally.add(q.triple, -1)
        for q in added:
            line = _line(q)
            i = bisect.bisect_left(self.lines, line)
            if i == len(self.lines) or self.lines[i] != line:
                self.lines.insert(i, line)
                tl = _triple_line(line)
                if not self.held[tl]:
                    gained.append(q.triple)
                    self.tally.add(q.triple, 1)
                _bump(self.held, tl, 1)
        return gained, lost

    def nquads(self) -> bytes:
        return b"\n".join(self.lines) + b"\n" if self.lines else b""


def write_fast(staging: Path, previous: Path, pub: Published, added: set[ox.Quad],
               removed: set[ox.Quad], base: str, reports: Mapping[str, str],
               note: Mapping[str, Any]) -> tuple[BuildMeta, list[ox.Quad]]:
    """The next version in ``staging`` (as :func:`commit.write_version` writes it), from
    the live version ``previous`` and ``pub`` (updated here with the change)."""
    from ..void import describe_dataset

    old = BuildMeta.from_json((previous / META_FILE).read_text(encoding="utf-8"))
    base = old.base or base
    gained, lost = pub.change(added, removed)
    nquads = pub.nquads()
    graphs = version.graph_counts(nquads)
    extra = {k: v for k, v in old.extra.items() if k not in ("triples", "write")}
    meta = BuildMeta(
        version=version.version_of(nquads),
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        base=base, quads=sum(graphs.values()), graphs=dict(sorted(graphs.items())),
        sources=list(old.sources), extra={**extra, "write": {"parent": old.version, **note}})

    previous_store = ox.Store.read_only(str(previous / STORE_DIR))
    previous_store.backup(str(staging / STORE_DIR))
    del previous_store
    store = ox.Store(str(staging / STORE_DIR))
    default = ox.DefaultGraph()
    for q in removed:
        store.remove(q)
    for t in lost:
        store.remove(ox.Quad(t.subject, t.predicate, t.object, default))
    store.extend(added)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, default) for t in gained)
    for emptied in {q.graph_name for q in removed} - {ox.NamedNode(g) for g in graphs}:
        store.remove_graph(emptied)  # as a store made from the N-Quads would not name it
    void_node = ox.NamedNode(str(iris.graph("void", base)))
    for q in pub.void:
        store.remove(q)
        if not pub.held[_triple_line(_line(q))]:
            store.remove(ox.Quad(q.subject, q.predicate, q.object, default))

    counted = _Counted(graphs, pub.tally, pub.held, {q.triple for q in pub.void})
    void_graph = describe_dataset(store, meta, base, counted=counted)
    void_quads = [ox.Quad(q.subject, q.predicate, q.object, void_node) for q in
                  ox.parse(void_graph.serialize(format="nt", encoding="utf-8"),
                           format=ox.RdfFormat.N_TRIPLES)]
    store.extend(void_quads)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, default) for q in void_quads)
    void_nquads = ox.serialize(void_quads, format=ox.RdfFormat.N_QUADS) or b""
    void_lines = {line for line in void_nquads.splitlines() if line.strip()}
    graphs[void_node.value] = len({_triple_line(line) for line in void_lines})
    meta = BuildMeta(**{**meta.__dict__, "graphs": dict(sorted(graphs.items())),
                        "quads": sum(graphs.values())})
    union_lines = set(pub.held) | {_triple_line(line) for line in void_lines}
    meta.extra["triples"] = len(union_lines)
    union_sorted = sorted(union_lines)
    union = b"\n".join(union_sorted) + b"\n"
    store.flush()
    void_change = {q.triple for q in pub.void} ^ {q.triple for q in void_quads}
    pub.void = void_quads

    dumps = staging / DUMPS_DIR
    dumps.mkdir(parents=True, exist_ok=True)
    _gzip(dumps / "ccgraph.nt.gz", union)
    _gzip(dumps / "ccgraph.nq.gz", nquads + void_nquads)
    if pub.blocks is None:
        pub.blocks = Blocks(base)
        redo = None
    else:
        redo = {_subject(_line(ox.Quad(t.subject, t.predicate, t.object, void_node)))
                for t in [*gained, *lost, *void_change]}
    jsonld_doc, turtle = pub.blocks.documents(union_sorted, redo)
    (dumps / "ccgraph.jsonld").write_bytes(jsonld_doc)
    (dumps / "ccgraph.ttl").write_bytes(turtle)
    if pub.framed is None:
        pub.framed = Framed(store, base)
    else:
        pub.framed.update(store, [*gained, *lost, *void_change])
    pub.framed.write(dumps)
    del store
    context = previous / CONTEXT_FILE
    (staging / CONTEXT_FILE).write_bytes(context.read_bytes() if context.is_file()
                                         else jsonld.context_document(base))
    reports_dir = staging / REPORTS_DIR
    reports_dir.mkdir()
    if (previous / REPORTS_DIR).is_dir():
        for path in sorted((previous / REPORTS_DIR).iterdir()):
            if path.is_file() and path.name.startswith("quality.") and path.name not in reports:
                (reports_dir / path.name).write_bytes(path.read_bytes())
    for name, text in reports.items():
        (reports_dir / name).write_text(text, encoding="utf-8")
    (staging / CHANGE_ADDED).write_bytes(ox.serialize(added, format=ox.RdfFormat.N_QUADS)
                                         or b"")
    (staging / CHANGE_REMOVED).write_bytes(ox.serialize(removed, format=ox.RdfFormat.N_QUADS)
                                           or b"")
    (staging / META_FILE).write_text(meta.to_json() + "\n", encoding="utf-8")
    return meta, void_quads


def catch_up(pub: Published, version_dir: Path, added: set[ox.Quad], removed: set[ox.Quad],
             void_quads: list[ox.Quad], base: str) -> None:
    """Bring ``pub`` from the parent of ``version_dir`` (a version another server worker
    wrote) to it, from the change it recorded (:func:`read_change`)."""
    gained, lost = pub.change(added, removed)
    void_change = {q.triple for q in pub.void} ^ {q.triple for q in void_quads}
    pub.void = void_quads
    void_node = ox.NamedNode(str(iris.graph("void", base)))
    changed = [*gained, *lost, *void_change]
    if pub.blocks is not None:
        void_lines = {_triple_line(_line(q)) for q in void_quads}
        lines = sorted(set(pub.held) | void_lines)
        pub.blocks.documents(lines, {_subject(_line(ox.Quad(
            t.subject, t.predicate, t.object, void_node))) for t in changed})
    if pub.framed is not None:
        store = ox.Store.read_only(str(version_dir / STORE_DIR))
        pub.framed.update(store, changed)
        del store


def read_change(version_dir: Path) -> tuple[str, set[ox.Quad], set[ox.Quad]] | None:
    """The parent version id and the quads a write added and removed, as the write
    recorded them in its version; None for a version a build made (or unreadable)."""
    try:
        meta = BuildMeta.from_json((version_dir / META_FILE).read_text(encoding="utf-8"))
        parent = meta.extra.get("write", {}).get("parent")
        if not isinstance(parent, str):
            return None
        added = set(ox.parse((version_dir / CHANGE_ADDED).read_bytes(),
                             format=ox.RdfFormat.N_QUADS))
        removed = set(ox.parse((version_dir / CHANGE_REMOVED).read_bytes(),
                               format=ox.RdfFormat.N_QUADS))
    except (OSError, ValueError, SyntaxError, AttributeError):
        return None
    return parent, added, removed


__all__ = ["CHANGE_ADDED", "CHANGE_REMOVED", "Blocks", "Framed", "Published", "Tally",
           "catch_up", "read_change", "write_fast"]
