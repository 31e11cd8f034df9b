"""The fast commit path (writes/fast.py, gzcache.py) against the reference: after each write
of two write workers taking turns on one build (as two server processes do: each catches up
with the other's versions), the live version holds what a version written from scratch
from the same named graphs holds (commit.write_version): the same version id and counts,
the same store, the same VoID statements, dumps with the same data."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from ccgraph import writes
from ccgraph.store import META_FILE, open_build
from ccgraph.version import version_of
from ccgraph.writes import fast
from ccgraph.writes.gzcache import GzipCache, crc32_combine
from tests.support.jsonld_offline import to_graph
from tests.support.writehelp import BASE, SAPPORO, VOID, comment_insert, copy_build

MODIFIED = "http://purl.org/dc/terms/modified"
NOTES = "https://example.org/notes"


def _graph(triples: bytes | str, fmt: str) -> Graph:
    g = Graph()
    g.parse(data=triples, format=fmt)
    return g


def _without_dates(g: Graph) -> Graph:
    out = Graph()
    for t in g:
        if str(t[1]) != MODIFIED:
            out.add(t)
    return out


def _void(store: ox.Store) -> Graph:
    quads = store.quads_for_pattern(None, None, None, ox.NamedNode(VOID))
    return _without_dates(_graph(ox.serialize((q.triple for q in quads),
                                              format=ox.RdfFormat.N_TRIPLES) or b"", "nt"))


def _dataset_graphs(nquads: bytes) -> dict[str, Graph]:
    by_graph: dict[str, list[ox.Triple]] = {}
    for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        by_graph.setdefault(str(q.graph_name), []).append(q.triple)
    return {name: _without_dates(_graph(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
                                        or b"", "nt"))
            for name, triples in by_graph.items()}


def _same_version(live: Path, tmp: Path, dumps: bool) -> None:
    """The live version of ``live`` against one written from scratch from its named
    graphs (``dumps``: their dumps too)."""
    got = open_build(live)
    named = [q for q in got.store if isinstance(q.graph_name, ox.NamedNode)
             and q.graph_name.value != VOID]
    ref_dir = tmp / f"ref-{got.meta.version}"
    ref_dir.mkdir()
    ref_meta, _ = writes.write_version(ref_dir, named, BASE, got.path, {}, {})
    ref = open_build(ref_dir)
    assert got.meta.version == ref_meta.version
    assert got.meta.graphs == ref_meta.graphs and got.meta.quads == ref_meta.quads
    assert got.meta.extra["triples"] == ref_meta.extra["triples"]
    assert isomorphic(_void(got.store), _void(ref.store))
    default = {q.triple for q in got.store.quads_for_pattern(None, None, None,
                                                            ox.DefaultGraph())}
    assert default == {q.triple for q in got.store if isinstance(q.graph_name, ox.NamedNode)}
    assert len(default) == got.meta.extra["triples"]

    if not dumps:
        return

    def dump(build: Path, name: str) -> bytes:
        return (build / "dumps" / name).read_bytes()

    nt = gzip.decompress(dump(got.path, "ccgraph.nt.gz"))
    assert len(nt.splitlines()) == got.meta.extra["triples"]
    assert isomorphic(_without_dates(_graph(nt, "nt")),
                      _without_dates(_graph(gzip.decompress(dump(ref_dir, "ccgraph.nt.gz")),
                                            "nt")))
    mine = _dataset_graphs(gzip.decompress(dump(got.path, "ccgraph.nq.gz")))
    theirs = _dataset_graphs(gzip.decompress(dump(ref_dir, "ccgraph.nq.gz")))
    assert mine.keys() == theirs.keys()
    for name, g in mine.items():
        assert isomorphic(g, theirs[name]), name
    assert isomorphic(_without_dates(_graph(dump(got.path, "ccgraph.ttl"), "turtle")),
                      _without_dates(_graph(dump(ref_dir, "ccgraph.ttl"), "turtle")))
    assert isomorphic(
        _without_dates(to_graph(json.loads(dump(got.path, "ccgraph.jsonld")))),
        _without_dates(to_graph(json.loads(dump(ref_dir, "ccgraph.jsonld")))))
    assert gzip.decompress(dump(got.path, "cities.jsonl.gz")) == \
        gzip.decompress(dump(ref_dir, "cities.jsonl.gz"))
    assert json.loads(dump(got.path, "cities.geojson")) == \
        json.loads(dump(ref_dir, "cities.geojson"))


def test_two_write_workers_in_turn_publish_what_a_full_write_would(seed_build: Path,
                                                                   tmp_path: Path) -> None:
    root = copy_build(seed_build, tmp_path / "build")
    pair = [writes.Writer(root, BASE, writes.Limits(timeout=60)) for _ in range(2)]
    steps = [
        writes.Request(writes.UPDATE, update=comment_insert("fast one")),
        writes.Request(writes.UPDATE, update=comment_insert("fast two")),
        writes.Request(writes.POST, graph=NOTES, media_type="application/n-triples",
                       payload=f'<{SAPPORO}> <urn:x:note> "a note" .\n'.encode()),
        writes.Request(writes.UPDATE, update=comment_insert("fast one").replace(
            "INSERT", "DELETE")),
        writes.Request(writes.UPDATE, update=f"DROP GRAPH <{NOTES}>"),
        writes.Request(writes.UPDATE, update=comment_insert("fast three")),
    ]
    try:
        assert pair[1].warm()  # the other starts cold
        for i, req in enumerate(steps):
            result = pair[i % 3 % 2].submit(req)  # 0, 1, 0, 0, 1, 0: catch-ups both ways
            assert result.status == writes.COMMITTED, result.message
            _same_version(root, tmp_path, dumps=i in (2, len(steps) - 1))
    finally:
        for writer in pair:
            writer.close()
    meta = json.loads((root / "current" / META_FILE).read_text(encoding="utf-8"))
    assert meta["extra"]["write"]["kind"] == writes.UPDATE


@pytest.mark.parametrize("count", [0, 1, 7, 5000, 20000])
def test_gzip_pieces_read_as_one_file(count: int) -> None:
    lines = [f"<urn:s:{i}> <urn:p> \"{i * 7919 % 1000}\" .".encode() for i in range(count)]
    cache = GzipCache()
    first = cache.data(lines)
    assert gzip.decompress(first) == b"".join(line + b"\n" for line in lines)
    assert zlib.decompress(first, 31) == gzip.decompress(first)  # a single gzip member
    changed = [*lines[: count // 2], b"<urn:new> <urn:p> <urn:o> .", *lines[count // 2:]]
    again = cache.data(changed)
    assert gzip.decompress(again) == b"".join(line + b"\n" for line in changed)
    assert GzipCache().data(changed) == again  # the same lines give the same bytes
    ordered = GzipCache()
    last = b"<urn:z> <urn:p> <urn:o> ."
    for step in map(sorted, (lines, changed, changed[1:], [*changed, last])):
        data = ordered.data(step, ordered=True, tail=[b"<urn:t> <urn:p> <urn:o> ."])
        assert gzip.decompress(data) == b"".join(line + b"\n" for line in
                                                 [*step, b"<urn:t> <urn:p> <urn:o> ."])


def test_crc32_combine_is_the_crc_of_the_joined_bytes() -> None:
    pieces = [b"", b"x", b"<urn:s> <urn:p> <urn:o> .\n" * 300, bytes(range(256)) * 9]
    shifts: dict[int, int] = {}
    for a in pieces:
        for b in pieces:
            assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b), shifts) == \
                zlib.crc32(a + b)
    assert crc32_combine(zlib.crc32(b"ab"), zlib.crc32(b"cd"), 2) == zlib.crc32(b"abcd")


def test_gzip_pieces_follow_a_line_replaced_in_place() -> None:
    """A piece whose lines changed but kept their number (one replaced by another, or by
    an equal line made again) is compressed from its new lines."""
    lines = [f"<urn:s:{i:05d}> <urn:p> \"{i}\" .".encode() for i in range(3000)]
    cache = GzipCache()
    cache.data(lines, ordered=True)
    for i in (0, 1500, 2999):
        lines[i] = lines[i].replace(b'" .', b'x" .')
        assert gzip.decompress(cache.data(lines, ordered=True)) == \
            b"".join(line + b"\n" for line in lines)
    remade = [bytes(bytearray(line)) for line in lines]
    assert cache.data(remade, ordered=True) == GzipCache().data(remade, ordered=True)


def test_the_version_hash_follows_changes_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Published.version hashes again only from the first changed line: after changes at
    the start, middle and end, and none, it is the hash of the whole N-Quads."""
    monkeypatch.setattr(fast, "HASH_STEP", 64)

    def quad(i: int) -> ox.Quad:
        return ox.Quad(ox.NamedNode(f"urn:s:{i:05d}"), ox.NamedNode("urn:p"),
                       ox.Literal(str(i)), ox.NamedNode(f"urn:g:{i % 3}"))

    held = {quad(i) for i in range(0, 2000, 2)}
    pub = fast.Published(held, [], BASE)
    assert pub.version() == version_of(pub.nquads())
    for added, removed in (({quad(1)}, set()), (set(), {quad(1000)}),
                           ({quad(1999), quad(5)}, {quad(0)}), (set(), set()),
                           ({quad(777)}, {quad(1998)})):
        pub.change(added, removed)
        held = (held - removed) | added
        assert pub.version() == version_of(pub.nquads()) == \
            version_of(writes.nquads_of(held))


def test_framed_cities_follow_a_city_typed_or_untyped(seed_build: Path) -> None:
    """Framed.update finds the cities from the changed triples: a city whose type goes
    is dropped, one typed again comes back, as bulk.city_iris reads the store."""
    from ccgraph.framing import bulk
    from ccgraph.namespaces import CCG
    from ccgraph.store import STORE_DIR
    from ccgraph.writes.dumpstate import Framed

    store = ox.Store()
    store.extend(ox.Store.read_only(str(seed_build / STORE_DIR)).quads_for_pattern(
        None, None, None, None))
    framed = Framed(store, BASE)
    assert SAPPORO in framed.lines
    typed = [q for q in store.quads_for_pattern(ox.NamedNode(SAPPORO), ox.NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(str(CCG.CreativeCity)),
        None)]
    for q in typed:
        store.remove(q)
    framed.update(store, [typed[0].triple])
    assert set(framed.lines) == set(bulk.city_iris(store)) and SAPPORO not in framed.lines
    store.extend(typed)
    framed.update(store, [typed[0].triple])
    assert set(framed.lines) == set(bulk.city_iris(store)) and SAPPORO in framed.lines
