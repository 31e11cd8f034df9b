"""The fast commit path (in the write worker): the next version written from the live one
and the change, instead of from scratch.

The worker keeps, per live version, a :class:`Published`: the canonical N-Quads lines of its
named graphs (sorted: their bytes give the version id), how many named graphs hold each
triple, the quads per graph, the sorted lines of the union (the default graph and the
N-Triples dump), the counts VoID states (:class:`Tally`, the same numbers as
``void.tally``), the dumps' JSON-LD and Turtle blocks subject by subject (:class:`Blocks`),
the framed cities (:class:`Framed`) and the compressed pieces of the gzip dumps
(gzcache.py). A write then

* applies the change to the worker's own read-write store, kept open from one write to
  the next and holding the live version (workstore.py; made with ``Store.backup``, hard
  links to the live store's immutable files, when it does not): the named graphs' quads,
  the default graph's triples, and the VoID quads that differ from the last description's
  (its blank nodes are named from their IRIs: :func:`_stable`); the version's store is a
  checkpoint of it;
* patches the last VoID description with the new counts when the write keeps its shape
  (voidpatch.py), else makes it with ``void.describe_dataset`` fed with the kept counts;
* writes the dumps from what it keeps, making again only the blocks of changed subjects,
  the framed cities that read a changed node and the gzip pieces with changed lines;
* hashes the named graphs' N-Quads (the version id) again only from the first changed
  line (:meth:`Published.version`: hashes kept every HASH_STEP lines);
* writes the rest as a build does.

The result holds what ``version.write_version`` would write for the same quads (same
version id, store content, VoID statements and dump data; blank node labels and gzip bytes
may differ); the write tests check it.
"""

from __future__ import annotations

import bisect
import hashlib
import operator
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import pyoxigraph as ox

from .. import iris, jsonld, version
from ..store import CONTEXT_FILE, DUMPS_DIR, META_FILE, REPORTS_DIR, STORE_DIR, BuildMeta
from ..void import EXAMPLE_CITY, Statistics
from . import voidpatch
from .dumpstate import Blocks, Framed
from .gzcache import GzipCache
from .workstore import WorkStore

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
T = TypeVar("T")
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

    def extra(self, new: Sequence[ox.Triple | ox.Quad]) -> Extra:
        """What ``new`` (distinct triples not counted yet) adds to this tally's counts."""
        extra = Extra(len(new), {t.subject for t in new if t.subject not in self.subjects},
                      {t.object for t in new if t.object not in self.objects},
                      Counter(t.predicate.value for t in new), set(), {})
        for t in new:
            if t.predicate == _RDF_TYPE:
                extra.absorb_type(self, t)
        return extra

    def with_extra(self, new: Sequence[ox.Triple | ox.Quad], *parts: Extra) -> Statistics:
        """The statistics with ``new`` and ``parts`` (:meth:`extra` of other distinct
        triples) counted in too (this tally unchanged)."""
        whole = self.extra(new)
        for part in parts:
            whole.n += part.n
            whole.subjects |= part.subjects
            whole.objects |= part.objects
            whole.predicates.update(part.predicates)
            whole.classes |= part.classes
            for c, xs in part.instances.items():
                whole.instances.setdefault(c, set()).update(xs)
        entities = sum(1 for s in whole.subjects
                       if isinstance(s, ox.NamedNode) and s.value.startswith(self.space))
        properties = self.properties + whole.predicates
        partitions = {c: len(xs) for c, xs in self.instances.items()}
        for c, xs in whole.instances.items():
            partitions[c] = partitions.get(c, 0) + len(xs)
        return Statistics(
            triples=self.n + whole.n, entities=self.entities + entities,
            subjects=len(self.subjects) + len(whole.subjects),
            objects=len(self.objects) + len(whole.objects), properties=len(properties),
            classes=len(self.classes) + len(whole.classes),
            class_partitions=tuple(sorted(partitions.items())),
            property_partitions=tuple(sorted(properties.items())))

    def statistics(self) -> Statistics:
        return Statistics(
            triples=self.n, entities=self.entities, subjects=len(self.subjects),
            objects=len(self.objects), properties=len(self.properties),
            classes=len(self.classes),
            class_partitions=tuple(sorted((c, len(xs)) for c, xs in self.instances.items())),
            property_partitions=tuple(sorted(self.properties.items())))


@dataclass
class Extra:
    """What triples not in a :class:`Tally` add to it (:meth:`Tally.extra`): their number,
    their subjects and objects it does not hold, their predicates, their classes it does
    not hold and per class the instances it does not hold."""

    n: int
    subjects: set[object]
    objects: set[object]
    predicates: Counter[str]
    classes: set[object]
    instances: dict[str, set[object]]

    def absorb_type(self, tally: Tally, t: ox.Triple | ox.Quad) -> None:
        if t.object not in tally.classes:
            self.classes.add(t.object)
        if isinstance(t.object, ox.NamedNode) and \
                t.subject not in tally.instances.get(t.object.value, ()):
            self.instances.setdefault(t.object.value, set()).add(t.subject)


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
    guess: Collection[ox.Triple | ox.Quad] | None = None
    memo: dict[ox.Triple | ox.Quad, bytes] | None = None

    def statistics(self, extra: set[ox.Triple]) -> Statistics:
        return self.count(extra)

    def unheld(self, extra: Iterable[ox.Triple | ox.Quad]) -> list[ox.Triple | ox.Quad]:
        """The triples of ``extra`` the named graphs do not hold."""
        memo = self.memo if self.memo is not None else {}
        return [t for t in extra if _memo_line(memo, t) not in self.held]

    def count(self, extra: Collection[ox.Triple | ox.Quad], *parts: Extra) -> Statistics:
        """:meth:`statistics` of distinct triples, or of quads of one graph (with
        ``parts``: what other distinct triples add, :meth:`Tally.extra`)."""
        if not extra and not parts and self.guess is not None:
            extra, self.guess = self.guess, None
        return self.tally.with_extra(self.unheld(extra), *parts)


def _memo_line(memo: dict[ox.Triple | ox.Quad, bytes], t: ox.Triple | ox.Quad) -> bytes:
    """The N-Triples line of ``t`` (the drafts of a description repeat most triples)."""
    line = memo.get(t)
    if line is None:
        if len(memo) > 50_000:
            memo.clear()
        line = memo[t] = _triple_line(_line(ox.Quad(t.subject, t.predicate, t.object,
                                                     ox.NamedNode("urn:x:g"))))
    return line


def _stable(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The VoID quads with blank node labels that follow from their IRIs (a class or
    property partition is named by its class or property), so that the next description
    differs from this one only where its counts do; unchanged when two blank nodes cannot
    be told apart that way."""
    edges: dict[ox.BlankNode, list[str]] = {}
    for q in quads:
        if isinstance(q.subject, ox.BlankNode):
            edges.setdefault(q.subject, [])
            if not isinstance(q.object, ox.Literal | ox.BlankNode):
                edges[q.subject].append(f"{q.predicate} {q.object}")
        if isinstance(q.object, ox.BlankNode) and not isinstance(q.subject, ox.BlankNode):
            edges.setdefault(q.object, []).append(f"^{q.predicate} {q.subject}")
    keys = {b: "\n".join(sorted(e)) for b, e in edges.items()}
    if not keys or len(set(keys.values())) != len(keys) or "" in keys.values():
        return quads
    label = {b: ox.BlankNode("v" + hashlib.sha256(k.encode("utf-8")).hexdigest()[:24])
             for b, k in keys.items()}

    def term(x: Any) -> Any:
        return label.get(x, x) if isinstance(x, ox.BlankNode) else x

    return [ox.Quad(term(q.subject), q.predicate, term(q.object), q.graph_name)
            if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
            else q for q in quads]


def _graph_of(line: bytes) -> str:
    return line[line.rindex(b" <") + 2:-3].decode("utf-8")


#: lines between two kept hashes of the named graphs' N-Quads (Published.version)
HASH_STEP = 2048


class Published:
    """What the worker keeps of the live version to write the next one (module docstring).
    ``named``: the named graphs without the VoID graph; ``void``: the VoID graph's quads.
    Kept: the sorted N-Quads lines of the named graphs, how many graphs hold each triple,
    the quads per graph, the sorted lines of the union (N-Triples, VoID included) and the
    lines of the union changed since the dumps were last made (:meth:`take_delta`)."""

    def __init__(self, named: Iterable[ox.Quad], void: list[ox.Quad], base: str) -> None:
        named = list(named)
        data = ox.serialize(named, format=ox.RdfFormat.N_QUADS) or b""
        self.lines = sorted({line for line in data.splitlines() if line.strip()})
        self.held: Counter[bytes] = Counter(_triple_line(line) for line in self.lines)
        self.graphs: Counter[str] = Counter(_graph_of(line) for line in self.lines)
        self.tally = Tally({q.triple for q in named}, f"{base}id/")
        self.void: list[ox.Quad] = []
        self.void_lines: list[bytes] = []
        self.void_held: set[bytes] = set()
        self.void_by_line: dict[bytes, ox.Quad] = {}
        self.union = sorted(self.held)
        self.delta: dict[bytes, int] = {}
        self.set_void(void)
        self.delta = {}
        self.framed: Framed | None = None  # made from the first version written
        self.blocks: Blocks | None = None  # likewise
        self.gz = {"nt": GzipCache(), "nq": GzipCache()}
        self.memo: dict[ox.Triple | ox.Quad, bytes] = {}
        #: the voidpatch template of ``void`` (the quads it was made from, the template):
        #: a description patched from a template has that template again
        self.template: tuple[list[ox.Quad], voidpatch.Template | None] | None = None
        #: the SHA-256 of ``lines`` (as N-Quads) so far at every HASH_STEP-th line: the
        #: number of lines hashed, the hash; valid up to ``unhashed``, the first line that
        #: may have changed since (a write hashes again only from there: :meth:`version`)
        self.hashed: list[tuple[int, Any]] = [(0, hashlib.sha256())]
        self.unhashed = 0

    def _union(self, line: bytes, k: int) -> None:
        i = bisect.bisect_left(self.union, line)
        present = i < len(self.union) and self.union[i] == line
        if k > 0 and not present:
            self.union.insert(i, line)
        elif k < 0 and present:
            del self.union[i]
        else:
            return
        if self.delta.get(line) == -k:
            del self.delta[line]
        else:
            self.delta[line] = k

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
                self.unhashed = min(self.unhashed, i)
                _bump(self.graphs, _graph_of(line), -1)
                tl = _triple_line(line)
                _bump(self.held, tl, -1)
                if not self.held[tl]:
                    lost.append(q.triple)
                    self.tally.add(q.triple, -1)
                    if tl not in self.void_held:
                        self._union(tl, -1)
        for q in added:
            line = _line(q)
            i = bisect.bisect_left(self.lines, line)
            if i == len(self.lines) or self.lines[i] != line:
                self.lines.insert(i, line)
                self.unhashed = min(self.unhashed, i)
                _bump(self.graphs, _graph_of(line), 1)
                tl = _triple_line(line)
                if not self.held[tl]:
                    gained.append(q.triple)
                    self.tally.add(q.triple, 1)
                    self._union(tl, 1)
                _bump(self.held, tl, 1)
        return gained, lost

    def set_void(self, void: list[ox.Quad]) -> set[ox.Triple]:
        """Take the VoID graph's new quads; returns the triples that changed."""
        data = ox.serialize(void, format=ox.RdfFormat.N_QUADS) or b""
        raw = data.splitlines()  # one line per quad, in their order
        by_line = dict(zip(map(_triple_line, raw), void, strict=True))
        lines = sorted(set(raw))
        held = set(by_line)
        changed = {self.void_by_line[tl].triple for tl in self.void_held - held}
        changed |= {by_line[tl].triple for tl in held - self.void_held}
        for tl in self.void_held - held:
            if not self.held[tl]:
                self._union(tl, -1)
        for tl in held - self.void_held:
            self._union(tl, 1)
        self.void, self.void_lines, self.void_held = void, lines, held
        self.void_by_line = by_line
        return changed

    def take_delta(self) -> tuple[list[bytes], list[bytes]]:
        """The union's lines added and removed since the last call."""
        delta, self.delta = self.delta, {}
        return ([line for line, k in delta.items() if k > 0],
                [line for line, k in delta.items() if k < 0])

    def dumps(self, base: str) -> Blocks:
        """The blocks of the Turtle and JSON-LD dumps, brought up to date."""
        added, removed = self.take_delta()
        if self.blocks is None:
            self.blocks = Blocks(base, self.union)
        else:
            self.blocks.apply(added, removed)
        return self.blocks

    def nquads(self) -> bytes:
        return b"\n".join(self.lines) + b"\n" if self.lines else b""

    def version(self) -> str:
        """``version.version_of(self.nquads())``, hashing only the lines from the last
        kept hash before the first line that changed."""
        keep = bisect.bisect_right([n for n, _ in self.hashed], self.unhashed)
        del self.hashed[keep:]
        start, sha = self.hashed[-1]
        sha = sha.copy()
        for i in range(start, len(self.lines), HASH_STEP):
            if i != start:
                self.hashed.append((i, sha.copy()))
            sha.update(b"\n".join(self.lines[i:i + HASH_STEP]) + b"\n")
        self.unhashed = len(self.lines)
        return version.version_from_digest(sha.hexdigest())

    def prepare(self, version_dir: Path, base: str) -> None:
        """Make now what the first write would make: the dumps' blocks, the framed cities
        (of ``version_dir``, the version this holds) and the gzip pieces."""
        self.dumps(base)
        if self.framed is None:
            store = ox.Store.read_only(str(version_dir / STORE_DIR))
            self.framed = Framed(store, base)
            self.framed.dirty = False  # the same cities as the files of version_dir
            del store
        self.gz["nt"].data(self.union, ordered=True)
        self.gz["nq"].data(self.lines, ordered=True, tail=self.void_lines)
        self.framed.gz.data([self.framed.lines[iri] for iri in sorted(self.framed.lines)],
                            sep=b"")


#: rounds of patching the VoID description before describe_dataset is asked instead
PATCH_ROUNDS = 6
_SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")


def _patchable(store: ox.Store, gained: list[ox.Triple], lost: list[ox.Triple],
               base: str) -> bool:
    """Whether the change leaves the links (counted by query: linksets.py) and the example
    resource (void.py) of the description as they were."""
    if any(t.predicate == _SAME_AS for t in [*gained, *lost]):
        return False
    example = ox.NamedNode(str(iris.city(*EXAMPLE_CITY, base=base)))
    return any(True for _ in store.quads_for_pattern(example, None, None))


def _patched(pub: Published, sizes: Mapping[str, int], created: str,
             guess: list[ox.Quad], base: str) -> list[ox.Quad] | None:
    """The VoID quads of the next version patched from the last (voidpatch.py), at the
    fixed point of its own counts; None when it cannot be patched."""
    if pub.template is None or pub.template[0] is not pub.void:
        pub.template = (pub.void, voidpatch.template(pub.void, base))
    tmpl = pub.template[1]
    if tmpl is None or tmpl.example != str(iris.city(*EXAMPLE_CITY, base=base)):
        return None
    counted = _Counted(sizes, pub.tally, pub.held, guess, pub.memo)
    # the fixed quads are the same in every draft: what they add is counted once
    fixed = counted.unheld(dict.fromkeys(tmpl.fixed))
    part = pub.tally.extra(fixed)
    n = len(tmpl.fixed)
    if len(guess) == n + len(tmpl.slots) and all(map(operator.is_, guess[:n], tmpl.fixed)):
        stats = counted.count(set(guess[n:]), part)  # the last description, patched
    else:
        stats = counted.statistics(set())
    for _ in range(PATCH_ROUNDS):
        quads = voidpatch.fill(tmpl, stats, sizes, created)
        if quads is None:
            return None
        found = counted.count(set(quads[n:]), part)
        if found == stats:
            pub.template = (quads, tmpl)  # the template of these quads (once set_void)
            return quads
        stats = found
    return None


class _InThread(Generic[T]):
    """``call()`` run in a thread started now; :meth:`result` waits for it. For the calls
    of a write that let go of the GIL (hashlib's, RocksDB's), while the caller goes on."""

    def __init__(self, call: Callable[[], T], name: str) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(call,), daemon=True,
                                        name=name)
        self._thread.start()

    def _run(self, call: Callable[[], T]) -> None:
        try:
            self._value = call()
        except BaseException as exc:  # re-raised in the caller's thread: result()
            self._error = exc

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return cast(T, self._value)


def write_fast(staging: Path, previous: Path, pub: Published, added: set[ox.Quad],
               removed: set[ox.Quad], base: str, reports: Mapping[str, str],
               note: Mapping[str, Any], work: WorkStore | None = None
               ) -> tuple[BuildMeta, list[ox.Quad]]:
    """The next version in ``staging`` (as :func:`commit.write_version` writes it), from
    the live version ``previous`` and ``pub`` (updated here with the change). With
    ``work`` (the worker's kept store: workstore.py) the change is applied to it and the
    version's store is a checkpoint of it; the caller says ``work.written(name)`` once the
    version is named. Without, the live store is copied into ``staging`` and changed
    there."""
    from ..void import describe_dataset

    old = BuildMeta.from_json((previous / META_FILE).read_text(encoding="utf-8"))
    base = old.base or base
    gained, lost = pub.change(added, removed)
    # the version id is hashed in a thread of its own (hashlib lets go of the GIL: ~16 MB
    # on the network build when the change is near the start of the sorted lines) while
    # this one changes the store and the VoID description; build.json alone needs it
    hashing = _InThread(pub.version, "ccgraph-version-hash")
    graphs = {g: n for g, n in pub.graphs.items() if n}
    extra = {k: v for k, v in old.extra.items() if k not in ("triples", "write")}
    meta = BuildMeta(
        version="",  # hashing.result(), below
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        base=base, quads=sum(graphs.values()), graphs=dict(sorted(graphs.items())),
        sources=list(old.sources), extra={**extra, "write": {"parent": old.version, **note}})

    if work is not None:
        store = work.open(previous)
    else:
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
    guess = pub.void
    void_quads = None
    if _patchable(store, gained, lost, base):
        void_quads = _patched(pub, graphs, meta.created, guess, base)
    if void_quads is None:
        counted = _Counted(graphs, pub.tally, pub.held, guess, pub.memo)
        void_graph = describe_dataset(store, meta, base, counted=counted)
        void_quads = _stable([ox.Quad(q.subject, q.predicate, q.object, void_node) for q in
                              ox.parse(void_graph.serialize(format="nt", encoding="utf-8"),
                                       format=ox.RdfFormat.N_TRIPLES)])
    # the VoID graph: only the quads that differ from the last description's
    old_void, new_void = set(pub.void), set(void_quads)
    void_change = pub.set_void(void_quads)
    for q in old_void - new_void:
        store.remove(q)
        if q.triple not in void_change or pub.held[_memo_line(pub.memo, q.triple)]:
            continue
        store.remove(ox.Quad(q.subject, q.predicate, q.object, default))
    store.extend(new_void - old_void)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, default)
                 for q in new_void - old_void)
    graphs[void_node.value] = len(pub.void_held)
    meta = BuildMeta(**{**meta.__dict__, "version": hashing.result(),
                        "graphs": dict(sorted(graphs.items())), "quads": sum(graphs.values())})
    meta.extra["triples"] = len(pub.union)
    checkpoint: _InThread[None] | None = None
    if work is None:
        store.flush()
    else:
        # the store is complete: its checkpoint (a flush of every column family, each
        # fsynced: ~0.1-0.3 s under load, RocksDB lets go of the GIL) is made while the
        # dumps are written and the cities framed (which only read the store)
        target = staging / STORE_DIR
        checkpoint = _InThread(lambda: work.backup(target), "ccgraph-checkpoint")

    try:
        dumps = staging / DUMPS_DIR
        dumps.mkdir(parents=True, exist_ok=True)
        pub.gz["nt"].write(dumps / "ccgraph.nt.gz", pub.union, ordered=True)
        pub.gz["nq"].write(dumps / "ccgraph.nq.gz", pub.lines, ordered=True, tail=pub.void_lines)
        jsonld_doc, turtle = pub.dumps(base).documents()
        (dumps / "ccgraph.jsonld").write_bytes(jsonld_doc)
        (dumps / "ccgraph.ttl").write_bytes(turtle)
        if pub.framed is None:
            pub.framed = Framed(store, base)
        else:
            pub.framed.update(store, [*gained, *lost, *void_change])
        pub.framed.write(dumps, previous / DUMPS_DIR)
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
    finally:
        if checkpoint is not None:
            checkpoint.wait()
    if checkpoint is not None:
        checkpoint.result()
    return meta, void_quads


def catch_up(pub: Published, store: ox.Store, added: set[ox.Quad], removed: set[ox.Quad],
             void_quads: list[ox.Quad], base: str) -> None:
    """Bring ``pub`` from the parent of a version another server worker wrote to it, from
    the change it recorded (:func:`read_change`); ``store``: that version's store."""
    gained, lost = pub.change(added, removed)
    void_change = pub.set_void(void_quads)
    if pub.blocks is not None:
        pub.dumps(base)
    else:
        pub.take_delta()
    if pub.framed is not None:
        pub.framed.update(store, [*gained, *lost, *void_change])


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


__all__ = ["CHANGE_ADDED", "CHANGE_REMOVED", "Blocks", "Extra", "Framed", "Published", "Tally",
           "catch_up", "read_change", "write_fast"]
