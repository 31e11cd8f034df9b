"""`ccgraph publish --to`: releases loaded into a real Oxigraph server and a real Virtuoso,
verified, replaced by a second release (a reader polling meanwhile never sees a mix on
Oxigraph), and the refusals (a build that did not validate, an altered release, a wrong
password, no engine)."""

from __future__ import annotations

import gzip
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from ccgraph import cli
from ccgraph.engines import Credentials, source
from ccgraph.engines.union import union_count, union_graph
from ccgraph.engines.verify import sample_lines, verify
from ccgraph.release import make_release
from ccgraph.terms import parse_dataset
from tests.support.engines import Engine, oxigraph_server, virtuoso
from tests.support.servers import free_port

COUNTS = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")


@dataclass
class Releases:
    big: Path  # the network
    small: Path  # curated data and members only

    def graphs(self, which: Path) -> dict[str, int]:
        return with_union(source.open_source(which))


def with_union(data: source.Publishable) -> dict[str, int]:
    """Quads per graph as published: the dataset's graphs and the union graph of its
    distinct triples (engines/union.py)."""
    return {**data.graphs, union_graph(data.base): union_count(data)}


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory, network_build: Path,
             bare_build: Path) -> Releases:
    tmp = tmp_path_factory.mktemp("engine-releases")
    net, bare = tmp / "net", tmp / "bare"
    shutil.copytree(network_build, net, symlinks=True)
    shutil.copytree(bare_build, bare, symlinks=True)
    return Releases(big=make_release(net, "net").path, small=make_release(bare, "bare").path)


def publish(release: Path, url: str, engine: str = "oxigraph", *more: str) -> int:
    return cli.main(["publish", "--store", str(release.parent.parent), "--release",
                     release.name, "--to", url, "--engine", engine, *more])


def counts(endpoint: str, base: str = "https://w3id.org/ccgraph/") -> dict[str, int]:
    answer = requests.post(endpoint, data={"query": COUNTS}, timeout=30,
                           headers={"Accept": "application/sparql-results+json"})
    answer.raise_for_status()
    return {b["g"]["value"]: int(b["n"]["value"]) for b in answer.json()["results"]["bindings"]
            if b["g"]["value"].startswith(base + "graph/")}


def release_graph(release: Path, graph: str) -> Graph:
    data = parse_dataset(gzip.decompress((release / "ccgraph.nq.gz").read_bytes()),
                         ox.RdfFormat.N_QUADS)
    return data.graph(URIRef(graph))


@pytest.fixture()
def oxigraph() -> Iterator[Engine]:
    with oxigraph_server() as engine:
        yield engine


def test_publish_into_oxigraph_and_read_it_back(
        releases: Releases, oxigraph: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert publish(releases.big, oxigraph.root) == 0
    said = capsys.readouterr().out
    assert "published release net" in said and "verified" in said
    assert counts(oxigraph.url) == releases.graphs(releases.big)
    curated = "https://w3id.org/ccgraph/graph/curated"  # holds blank nodes
    answer = requests.get(oxigraph.root + "/store", params={"graph": curated}, timeout=30,
                          headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200
    served = Graph().parse(data=answer.text, format="nt")
    assert len(served) > 100
    assert isomorphic(served, release_graph(releases.big, curated))


def test_a_reader_never_sees_a_mix_of_two_releases_on_oxigraph(
        releases: Releases, oxigraph: Engine) -> None:
    big, small = releases.graphs(releases.big), releases.graphs(releases.small)
    assert publish(releases.big, oxigraph.root) == 0
    seen: list[dict[str, int]] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            seen.append(counts(oxigraph.url))

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        while not seen:
            time.sleep(0.01)
        assert publish(releases.small, oxigraph.root) == 0
        polled = len(seen)
        while len(seen) < polled + 2:
            time.sleep(0.01)
    finally:
        stop.set()
        reader.join(timeout=60)
    mixed = [s for s in seen if s not in (big, small)]
    assert not mixed, f"{len(mixed)} of {len(seen)} reads saw a mix, e.g. {len(mixed[0])} graphs"
    assert seen[0] == big and seen[-1] == small
    assert len(seen) >= 4


def test_per_graph_loading_removes_the_graphs_a_release_dropped(
        releases: Releases, oxigraph: Engine) -> None:
    assert publish(releases.big, oxigraph.root, "oxigraph", "--method", "graphs") == 0
    assert publish(releases.small, oxigraph.root, "oxigraph", "--method", "graphs") == 0
    assert counts(oxigraph.url) == releases.graphs(releases.small)


def test_verification_notices_a_changed_engine(releases: Releases, oxigraph: Engine) -> None:
    assert publish(releases.small, oxigraph.root) == 0
    data = source.open_source(releases.small)
    assert verify(oxigraph.url, data).ok
    # one quad more in a graph: its count differs
    graph = "https://w3id.org/ccgraph/graph/members"
    update = (f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:s> <urn:x:p> \"o\" }} }}")
    requests.post(oxigraph.root + "/update", data=update, timeout=30,
                  headers={"Content-Type": "application/sparql-update"}).raise_for_status()
    found = verify(oxigraph.url, data)
    assert not found.ok and any(graph in p for p in found.problems)
    # the same count, one sampled literal changed: only the sample's checksum sees it
    assert publish(releases.small, oxigraph.root) == 0
    line = next(x for x in sample_lines(data) if '"' in x)
    g, s, p, _ = line.split(" ", 3)
    change = (f"DELETE {{ GRAPH {g} {{ {s} {p} ?o }} }} INSERT {{ GRAPH {g} {{ {s} {p} "
              f"\"changed\" }} }} WHERE {{ GRAPH {g} {{ {s} {p} ?o FILTER(isLiteral(?o)) }} }}")
    requests.post(oxigraph.root + "/update", data=change, timeout=30,
                  headers={"Content-Type": "application/sparql-update"}).raise_for_status()
    found = verify(oxigraph.url, data)
    assert found.problems and all("sample" in p for p in found.problems), found.problems


def test_a_build_that_did_not_validate_is_refused(
        tmp_path: Path, bare_build: Path, releases: Releases, oxigraph: Engine,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert publish(releases.small, oxigraph.root) == 0
    build = tmp_path / "build"
    shutil.copytree(bare_build, build, symlinks=True)
    report = build / "reports" / "validation.txt"
    text = report.read_text(encoding="utf-8").replace("Validation: conforms",
                                                      "Validation: does not conform", 1)
    report.unlink()  # the link's target belongs to the copy: write a new file in its place
    report.write_text(text, encoding="utf-8")
    code = cli.main(["publish", "--store", str(build), "--to", oxigraph.root])
    assert code == cli.EXIT_DATA
    assert "did not validate" in capsys.readouterr().err
    assert counts(oxigraph.url) == releases.graphs(releases.small)  # left as it was
    report.write_text(text.replace("does not conform", "conforms", 1), encoding="utf-8")
    assert cli.main(["publish", "--store", str(build), "--to", oxigraph.root]) == 0
    assert counts(oxigraph.url) == with_union(source.open_source(build))


def test_an_altered_release_is_refused(tmp_path: Path, releases: Releases,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "build" / "releases" / "bare"
    shutil.copytree(releases.small, copy)
    nq = copy / "ccgraph.nq.gz"
    nq.chmod(0o644)
    lines = gzip.decompress(nq.read_bytes()).splitlines(keepends=True)
    nq.write_bytes(gzip.compress(b"".join(lines[1:])))
    assert publish(copy, f"http://127.0.0.1:{free_port()}") == cli.EXIT_DATA
    assert "was altered" in capsys.readouterr().err


def test_no_engine_at_the_url(releases: Releases, capsys: pytest.CaptureFixture[str]) -> None:
    assert publish(releases.small, f"http://127.0.0.1:{free_port()}") == cli.EXIT_DATA
    err = capsys.readouterr().err
    assert "cannot reach the engine" in err and "Traceback" not in err


def test_publish_into_virtuoso_replace_and_verify(
        releases: Releases, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    with virtuoso() as engine:
        monkeypatch.setenv("CCGRAPH_ENGINE_USER", "dba")
        monkeypatch.setenv("CCGRAPH_ENGINE_PASSWORD", "not-the-password")
        assert publish(releases.small, engine.root, "virtuoso") == cli.EXIT_DATA
        assert "HTTP 401" in capsys.readouterr().err
        monkeypatch.setenv("CCGRAPH_ENGINE_PASSWORD", "dba")
        assert publish(releases.big, engine.root, "virtuoso") == 0
        assert "verified" in capsys.readouterr().out
        assert counts(engine.url) == releases.graphs(releases.big)
        assert publish(releases.small, engine.root, "virtuoso") == 0
        assert counts(engine.url) == releases.graphs(releases.small)
        data = source.open_source(releases.small)
        assert verify(engine.url, data, Credentials("dba", "dba")).ok
