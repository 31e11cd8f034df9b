"""Dumps round-trip, and a failed build leaves the published build as it was."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, URIRef
from rdflib.compare import isomorphic

from ccgraph import shipped
from ccgraph.build import BuildFailed, build
from ccgraph.records import SourceError
from ccgraph.settings import Settings
from ccgraph.store import open_build
from ccgraph.terms import parse_dataset, parse_graph, quads_to_dataset, union_graph

pytestmark = pytest.mark.slow  # builds of their own, each several seconds


def store_dataset(path: Path) -> Dataset:
    """The named graphs of a built store."""
    build = open_build(path)
    return quads_to_dataset(q for q in build.store if isinstance(q.graph_name, ox.NamedNode))


@pytest.fixture(scope="module")
def served(seed_build: Path) -> Dataset:
    return store_dataset(seed_build)


def test_dump_files_exist(seed_build: Path) -> None:
    for name in ("ccgraph.ttl", "ccgraph.nt.gz", "ccgraph.nq.gz", "ccgraph.jsonld"):
        assert (seed_build / "dumps" / name).stat().st_size > 1000, name


def test_nquads_dump_keeps_every_named_graph(seed_build: Path, served: Dataset) -> None:
    dumped = parse_dataset(gzip.decompress((seed_build / "dumps/ccgraph.nq.gz").read_bytes()),
                           ox.RdfFormat.N_QUADS)
    names = {g.identifier for g in served.graphs() if len(g)}
    assert names == {g.identifier for g in dumped.graphs() if len(g)}
    for name in names:
        assert isomorphic(served.graph(name), dumped.graph(name)), name


@pytest.mark.parametrize("name,fmt", [("ccgraph.ttl", ox.RdfFormat.TURTLE),
                                      ("ccgraph.nt.gz", ox.RdfFormat.N_TRIPLES),
                                      ("ccgraph.jsonld", ox.RdfFormat.JSON_LD)])
def test_union_dumps_are_isomorphic_to_the_store(seed_build: Path, served: Dataset, name: str,
                                                 fmt: ox.RdfFormat) -> None:
    data = (seed_build / "dumps" / name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    g = parse_graph(data, fmt)
    assert isomorphic(g, union_graph(served))


def test_jsonld_dump_expands_offline_with_pyld(seed_build: Path) -> None:
    from pyld import jsonld

    doc = json.loads((seed_build / "dumps/ccgraph.jsonld").read_text(encoding="utf-8"))
    assert isinstance(doc["@context"], dict), "the context is embedded, no fetch needed"
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    g = parse_graph(nquads, ox.RdfFormat.N_QUADS)
    assert (URIRef("https://w3id.org/ccgraph/id/city/jp/sapporo"), None, None) in g


def test_build_metadata_and_reports(seed_build: Path) -> None:
    meta = json.loads((seed_build / "build.json").read_text(encoding="utf-8"))
    assert len(meta["version"]) == 16
    assert meta["quads"] == sum(meta["graphs"].values())
    for report in ("validation.txt", "validation.ttl", "validation.json", "quality.json"):
        assert (seed_build / "reports" / report).is_file(), report
    assert json.loads((seed_build / "context.jsonld").read_text())["@context"]["ccg"]


def test_rebuilding_the_same_sources_gives_the_same_version(seed_build: Path, seed_profile: Path,
                                                           tmp_path: Path) -> None:
    again = tmp_path / "again"
    build([seed_profile], again, Settings.load({"store": again}))
    first = json.loads((seed_build / "build.json").read_text())["version"]
    assert json.loads((again / "build.json").read_text())["version"] == first
    assert (again / "dumps/ccgraph.nq.gz").read_bytes() != b""


def _data_copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(shipped.data(), data)
    return data


def _snapshot(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*"))
            if p.is_file()}


@pytest.fixture
def published(tmp_path: Path, seed_profile: Path) -> Path:
    out = tmp_path / "out"
    build([seed_profile], out, Settings.load({"store": out}))
    return out


def test_bad_turtle_names_file_and_line_and_leaves_the_build(published: Path, tmp_path: Path,
                                                            seed_profile: Path) -> None:
    data = _data_copy(tmp_path)
    bad = data / "curated" / "zz-broken.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c ;\n  ex:d \n", "utf-8")
    before = _snapshot(published)
    with pytest.raises(SourceError) as caught:
        build([seed_profile], published, Settings.load({"store": published, "data": data}))
    assert "zz-broken.ttl" in str(caught.value)
    assert caught.value.line is not None
    assert _snapshot(published) == before


def test_violation_fails_the_build_and_leaves_the_build(published: Path, tmp_path: Path,
                                                       seed_profile: Path) -> None:
    data = _data_copy(tmp_path)
    (data / "curated" / "zz-bad-email.ttl").write_text(
        "@prefix schema: <http://schema.org/> .\n"
        "<https://w3id.org/ccgraph/id/contact/jp/sapporo/media-arts>"
        ' schema:email "not an e-mail" .\n', "utf-8")
    before = _snapshot(published)
    with pytest.raises(BuildFailed) as caught:
        build([seed_profile], published, Settings.load({"store": published, "data": data}))
    text = caught.value.report.text()
    assert "id/contact/jp/sapporo/media-arts" in text and "email" in text
    assert _snapshot(published) == before


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ccgraph.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_cli_build_and_validate_exit_codes(tmp_path: Path, seed_profile: Path) -> None:
    out = tmp_path / "cli-build"
    done = _cli("build", str(seed_profile), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "quads" in done.stdout
    assert _cli("validate", "--store", str(out)).returncode == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://w3id.org/ccgraph/id/city/jp/x> a "
                   "<https://w3id.org/ccgraph/ontology#CreativeCity> .\n", "utf-8")
    checked = _cli("validate", str(bad), "--format", "json")
    assert checked.returncode == 1
    assert json.loads(checked.stdout)
    assert _cli("validate").returncode == 2
    assert _cli("build", str(tmp_path / "missing.txt"), "--out", str(out)).returncode == 1
    exported = _cli("export", "--store", str(out), "--format", "nt")
    assert exported.returncode == 0 and exported.stdout.count("\n") > 100
