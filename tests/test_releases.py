"""Releases: two real builds from different inputs, released, served and compared.

Release 1 is the Sapporo seed with the project's data; release 2 is the seed with one pledge
edited, the whole JSON corpus, a curated blank-node value changed and one member removed.
A harvester holding release 1 applies release 2's change files and must hold release 2.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from playwright.sync_api import Browser, expect
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from ccgraph import cli, shipped
from ccgraph.namespaces import CCG, OA, SCHEMA, SPDX
from ccgraph.release import ReleaseError, make_release
from ccgraph.terms import parse_dataset, parse_graph, union_graph
from tests.support.browser import axe_violations
from tests.support.builds import make_build
from tests.support.servers import werkzeug_server

pytestmark = pytest.mark.slow  # two builds, one of the whole corpus, released

BASE = "https://w3id.org/ccgraph/"
DCAT3 = "http://www.w3.org/ns/dcat#"
OLD, NEW = "2026.11", "2026.12"
PLEDGE = ("SELECT ?t WHERE { <%sid/commitment/jp/sapporo/media-arts/3> "
          "<http://schema.org/text> ?t }")
COUNT_PLEDGES = f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a <{CCG.Commitment}> }}"


@dataclass
class Released:
    root: Path
    url: str
    old_pledge: str
    removed_city: str
    sources: Path


def _member_to_remove(members: Path) -> tuple[str, str]:
    """A member row of a city with one membership and no profile in the seed."""
    lines = members.read_text(encoding="utf-8").splitlines(keepends=True)
    cities = [line.split(",")[0] for line in lines[1:]]
    for line in lines[1:]:
        city = line.split(",")[0]
        if cities.count(city) == 1 and city != "Sapporo" and '"' not in line:
            return line, city
    raise AssertionError("no member row to remove")


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory, sources_dir: Path) -> Iterator[Released]:
    tmp = tmp_path_factory.mktemp("releases")
    root = tmp / "build"
    data = tmp / "data"
    shutil.copytree(shipped.data(), data)
    make_build(root, [sources_dir / "sapporo-profile.txt"], data=str(data))
    notes = tmp / "notes.md"
    notes.write_text("First release: the seed.\n", encoding="utf-8")
    make_release(root, OLD, notes)

    # release 2: other inputs. A pledge of the seed edited (same length, so the offsets of
    # its evidence stay and only the quoted text changes), the corpus, a curated value held
    # by a blank node changed, a member removed.
    old_store = ox.Store.read_only(str(root / "releases" / OLD / "store"))
    pledge = next(iter(old_store.query(PLEDGE % BASE)))["t"].value
    del old_store
    seed = (sources_dir / "sapporo-profile.txt").read_text(encoding="utf-8")
    assert pledge in seed
    last = pledge.split()[-1]
    edited = pledge[: len(pledge) - len(last)] + last.upper()
    assert edited != pledge
    source = tmp / "sources"
    source.mkdir()
    (source / "sapporo-profile.txt").write_text(seed.replace(pledge, edited), encoding="utf-8")
    curated = data / "curated" / "sapporo.ttl"
    text = curated.read_text(encoding="utf-8")
    value = re.search(r"schema:value (\d+)", text)
    assert value is not None
    curated.write_text(text.replace(value.group(0), f"schema:value {int(value.group(1)) + 1}"),
                       encoding="utf-8")
    row, city = _member_to_remove(data / "members.csv")
    members = data / "members.csv"
    members.write_text(members.read_text(encoding="utf-8").replace(row, ""), encoding="utf-8")
    make_build(root, [source / "sapporo-profile.txt",
                      sources_dir / "uccn-profiles-2024-10-01.json"], data=str(data))
    make_release(root, NEW)
    with werkzeug_server(root) as url:
        yield Released(root, url, pledge, city, sources_dir)


def _get(url: str, **headers: str) -> requests.Response:
    resp = requests.get(url, headers=headers, timeout=60)
    assert resp.status_code == 200, (url, resp.status_code, resp.text[:300])
    return resp


def _local(r: Released, iri: str) -> str:
    """A published address, on the test server."""
    assert iri.startswith(BASE), iri
    return r.url + "/" + iri[len(BASE):]


def _file(r: Released, name: str, path: str) -> bytes:
    return _get(f"{r.url}/releases/{name}/{path}").content


def _nq(r: Released, name: str, path: str) -> bytes:
    return gzip.decompress(_file(r, name, path))


FORMATS = {"turtle": ox.RdfFormat.TURTLE, "json-ld": ox.RdfFormat.JSON_LD,
           "xml": ox.RdfFormat.RDF_XML}


def _graph(resp: requests.Response, fmt: str) -> Graph:
    return parse_graph(resp.content, FORMATS[fmt])


# ------------------------------------------------------------------ change files

def _datasets_isomorphic(a: Dataset, b: Dataset) -> None:
    names_a = {g.identifier for g in a.graphs() if len(g)}
    names_b = {g.identifier for g in b.graphs() if len(g)}
    assert names_a == names_b
    for name in names_a:
        assert isomorphic(a.graph(name), b.graph(name)), name


def test_change_files_turn_the_first_release_into_the_second(released: Released) -> None:
    old = _nq(released, OLD, "ccgraph.nq.gz")
    new = _nq(released, NEW, "ccgraph.nq.gz")
    added = _nq(released, NEW, "changes/added.nq.gz")
    removed = _nq(released, NEW, "changes/removed.nq.gz")
    # a harvester with a triple store: load release 1, delete the removed quads, insert the added
    harvester = ox.Store()
    harvester.bulk_extend(ox.parse(old, format=ox.RdfFormat.N_QUADS))
    for quad in ox.parse(removed, format=ox.RdfFormat.N_QUADS):
        assert quad in harvester, quad  # every removed quad is in release 1 as labelled
        harvester.remove(quad)
    harvester.extend(ox.parse(added, format=ox.RdfFormat.N_QUADS))
    held = ox.serialize(harvester, format=ox.RdfFormat.N_QUADS) or b""
    _datasets_isomorphic(parse_dataset(held, ox.RdfFormat.N_QUADS),
                         parse_dataset(new, ox.RdfFormat.N_QUADS))
    # and with text tools: the same lines as release 2's file
    lines = (set(old.splitlines()) - set(removed.splitlines())) | set(added.splitlines())
    assert sorted(line for line in lines if line) == sorted(
        line for line in new.splitlines() if line)


def test_a_release_holds_the_data_of_its_build(released: Released) -> None:
    """The release's N-Quads (blank nodes relabelled from content) mean what the build
    published (its own dump, without the description graph)."""
    build_dump = gzip.decompress((released.root / "dumps" / "ccgraph.nq.gz").read_bytes())
    build_lines = b"\n".join(line for line in build_dump.splitlines()
                             if not line.endswith(b"/graph/void> ."))
    _datasets_isomorphic(parse_dataset(build_lines, ox.RdfFormat.N_QUADS),
                         parse_dataset(_nq(released, NEW, "ccgraph.nq.gz"),
                                       ox.RdfFormat.N_QUADS))


def test_an_interrupted_release_leaves_nothing_visible(released: Released) -> None:
    folder = released.root / "releases"
    dead = folder / ".tmp-999999999-abcd"  # no such process
    dead.mkdir()
    (dead / "ccgraph.nq.gz").write_bytes(b"half")
    with pytest.raises(ReleaseError, match="exists already"):
        make_release(released.root, OLD)
    assert not dead.exists()
    assert ".tmp" not in _get(f"{released.url}/releases/", Accept="text/turtle").text


def test_the_change_set_is_what_changed_and_no_more(released: Released) -> None:
    added = _nq(released, NEW, "changes/added.nq.gz").decode("utf-8")
    removed = _nq(released, NEW, "changes/removed.nq.gz").decode("utf-8")
    old = _nq(released, OLD, "ccgraph.nq.gz").decode("utf-8")
    # the edited pledge: its old text removed, the new one added
    assert any(released.old_pledge.replace('"', '\\"') in line and str(SCHEMA.text) in line
               for line in removed.splitlines())
    # the curated blank node went out whole and came back changed
    blank_removed = [line for line in removed.splitlines()
                     if line.startswith("_:") and "/graph/curated>" in line]
    blank_added = [line for line in added.splitlines()
                   if line.startswith("_:") and "/graph/curated>" in line]
    assert blank_removed and blank_added
    assert any(str(SCHEMA.value) in line for line in blank_added)
    # the rest of the curated graph and the ontology did not move
    assert not [line for line in removed.splitlines() if line.endswith("/graph/ontology> .")]
    removed_curated = [line for line in removed.splitlines() if "/graph/curated>" in line]
    old_curated = [line for line in old.splitlines() if "/graph/curated>" in line]
    assert 0 < len(removed_curated) < len(old_curated) / 10


def test_changelog_names_what_changed(released: Released) -> None:
    changes = _get(f"{released.url}/releases/{NEW}/changes.json").json()
    assert released.removed_city in [c["label"] for c in changes["cities"]["removed"]]
    assert [p["iri"] for p in changes["pledges"]["text_changed"]] == [
        f"{BASE}id/commitment/jp/sapporo/media-arts/3"]
    assert len(changes["pledges"]["added"]) > 100
    classes = {c["class"]: c for c in changes["classes"]}
    pledges = classes[str(CCG.Commitment)]
    assert pledges["after"] == pledges["before"] + len(changes["pledges"]["added"])
    markdown = _get(f"{released.url}/releases/{NEW}/CHANGES.md").text
    assert released.removed_city in markdown and f"since release {OLD}" in markdown
    page = _get(f"{released.url}/releases/{NEW}/", Accept="text/html").text
    assert released.removed_city in page and "Sapporo, Media Arts, pledge 3" in page


# ------------------------------------------------------------------ DCAT

def _distributions(g: Graph) -> dict[str, tuple[int, str, str]]:
    out = {}
    for dist in g.subjects(RDF.type, DCAT.Distribution):
        url = str(g.value(dist, DCAT.downloadURL))
        checksum = g.value(dist, SPDX.checksum)
        assert g.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        out[url] = (int(g.value(dist, DCAT.byteSize)), str(g.value(checksum, SPDX.checksumValue)),
                    str(g.value(dist, DCAT.mediaType)))
    return out


@pytest.mark.parametrize("name", [OLD, NEW])
def test_checksums_and_sizes_in_the_description_are_the_files(released: Released,
                                                              name: str) -> None:
    g = _graph(_get(f"{released.url}/releases/{name}/", Accept="text/turtle"), "turtle")
    node = URIRef(f"{BASE}release/{name}")
    assert str(g.value(node, URIRef(DCAT3 + "version"))) == name
    assert g.value(node, DCTERMS.issued) is not None
    dists = _distributions(g)
    names = {u.rsplit(f"/releases/{name}/", 1)[1] for u in dists}
    expected = {"ccgraph.nq.gz", "ccgraph.ttl", "ccgraph.nt.gz", "ccgraph.jsonld",
                "ccgraph-open.nq.gz", "CHANGES.md", "changes.json"}
    expected |= {"NOTES.md"} if name == OLD else {"changes/added.nq.gz", "changes/removed.nq.gz"}
    assert names == expected
    for url, (size, sha, media) in dists.items():
        body = requests.get(_local(released, url), timeout=60).content
        assert len(body) == size, url
        assert hashlib.sha256(body).hexdigest() == sha, url
        assert media.startswith("https://www.iana.org/assignments/media-types/")


def test_release_says_what_it_was_built_from(released: Released) -> None:
    g = _graph(_get(f"{released.url}/releases/{NEW}/", Accept="application/ld+json"), "json-ld")
    node = URIRef(f"{BASE}release/{NEW}")
    sums, urls = {}, {}
    for source in g.objects(node, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")):
        checksum = g.value(source, SPDX.checksum)
        title = str(g.value(source, DCTERMS.title))
        sums[title] = (str(g.value(checksum, SPDX.checksumValue)),
                       int(g.value(source, DCAT.byteSize)))
        urls[title] = g.value(source, DCAT.downloadURL)
    corpus = released.sources / "uccn-profiles-2024-10-01.json"
    data = corpus.read_bytes()
    assert sums[corpus.name] == (hashlib.sha256(data).hexdigest(), len(data))
    with (shipped.data() / "sources.csv").open(encoding="utf-8", newline="") as f:
        pinned = {row["name"]: row["url"] for row in csv.DictReader(f)}
    assert str(urls[corpus.name]) == pinned[corpus.name]  # where `ccgraph fetch` gets it
    assert "members.csv" in sums and "sapporo.ttl" in sums
    assert g.value(node, URIRef(DCAT3 + "previousVersion")) == URIRef(f"{BASE}release/{OLD}")


# ------------------------------------------------------------------ listing and linking

def test_releases_lists_both_newest_first(released: Released) -> None:
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/rdf+xml", "xml")):
        g = _graph(_get(f"{released.url}/releases/", Accept=accept), fmt)
        dataset = URIRef(f"{BASE}id/dataset")
        versions = set(g.objects(dataset, DCTERMS.hasVersion))
        assert versions == {URIRef(f"{BASE}release/{OLD}"), URIRef(f"{BASE}release/{NEW}")}
        assert g.value(URIRef(f"{BASE}release/{NEW}"), URIRef(DCAT3 + "previousVersion")) == \
            URIRef(f"{BASE}release/{OLD}")
        assert g.value(URIRef(f"{BASE}release/{OLD}"), URIRef(DCAT3 + "previousVersion")) is None
    page = _get(f"{released.url}/releases/", Accept="text/html").text
    assert page.index(f"/releases/{NEW}/") < page.index(f"/releases/{OLD}/")


def test_dataset_description_links_every_release(released: Released) -> None:
    g = _graph(_get(f"{released.url}/.well-known/void", Accept="text/turtle"), "turtle")
    dataset = URIRef(f"{BASE}id/dataset")
    assert set(g.objects(dataset, DCTERMS.hasVersion)) == {
        URIRef(f"{BASE}release/{OLD}"), URIRef(f"{BASE}release/{NEW}")}
    assert (URIRef(f"{BASE}release/{NEW}"), URIRef(DCAT3 + "previousVersion"),
            URIRef(f"{BASE}release/{OLD}")) in g


def test_release_files_are_immutable_and_cacheable(released: Released) -> None:
    url = f"{released.url}/releases/{OLD}/ccgraph.nq.gz"
    first = _get(url)
    assert "immutable" in first.headers["Cache-Control"]
    tag = first.headers["ETag"]
    assert tag.strip('"') == hashlib.sha256(first.content).hexdigest()
    assert requests.get(url, headers={"If-None-Match": tag}, timeout=30).status_code == 304
    part = requests.get(url, headers={"Range": "bytes=10-109"}, timeout=30)
    assert part.status_code == 206 and part.content == first.content[10:110]
    for path in ("release.json", "store/CURRENT", "../x"):  # not release files
        assert requests.get(f"{released.url}/releases/{OLD}/{path}",
                            timeout=30).status_code == 404
    assert requests.get(f"{released.url}/releases/1999.1/", timeout=30).status_code == 404
    mode = (released.root / "releases" / OLD / "ccgraph.nq.gz").stat().st_mode
    assert not mode & 0o222


def test_refusals_are_plain_messages(released: Released, capsys: pytest.CaptureFixture[str],
                                     tmp_path: Path) -> None:
    for argv, says in (
            (["release", "--store", str(released.root), "--name", OLD], "exists already"),
            (["release", "--store", str(released.root), "--name", "../up"], "bad release name"),
            (["release", "--store", str(tmp_path / "none"), "--name", "x"], "holds no build")):
        assert cli.main(argv) == 1
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err
    # a build whose validation failed: its report says so
    copy = tmp_path / "copy"
    shutil.copytree(released.root, copy, symlinks=True, ignore=shutil.ignore_patterns("releases"))
    report = copy / "reports" / "validation.txt"
    from ccgraph.sources import load_dataset
    from ccgraph.validate import load_shapes, validate
    invalid = Path(__file__).parent / "shapes" / "invalid" / "city-no-country.ttl"
    failing = validate(load_dataset(files=[invalid]), load_shapes())
    assert not failing.conforms
    report.unlink()
    report.write_text(failing.text(), encoding="utf-8")
    with pytest.raises(ReleaseError, match="did not validate"):
        make_release(copy, "2027.1")
    assert not (copy / "releases" / "2027.1").exists()


# ------------------------------------------------------------------ pinned queries

def _count(released: Released, **params: str) -> int:
    resp = requests.get(f"{released.url}/sparql", params={**params, "query": COUNT_PLEDGES},
                        headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert resp.status_code == 200, resp.text
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


def test_a_pinned_query_answers_from_the_older_release(released: Released) -> None:
    old = union_graph(parse_dataset(_nq(released, OLD, "ccgraph.nq.gz"), ox.RdfFormat.N_QUADS))
    in_old = len(set(old.subjects(RDF.type, CCG.Commitment)))
    live = _count(released)
    assert _count(released, release=OLD) == in_old
    assert live > in_old  # the newer build is live and has the corpus's pledges
    assert _count(released, release=NEW) == live
    # the pinned text is the old one
    resp = requests.post(f"{released.url}/sparql?release={OLD}",
                         data={"query": PLEDGE % BASE},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert resp.json()["results"]["bindings"][0]["t"]["value"] == released.old_pledge
    live_text = requests.get(f"{released.url}/sparql", params={"query": PLEDGE % BASE},
                             headers={"Accept": "application/sparql-results+json"},
                             timeout=60).json()["results"]["bindings"][0]["t"]["value"]
    assert live_text != released.old_pledge
    update = requests.post(f"{released.url}/sparql", data={
        "update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "release": OLD}, timeout=30)
    assert update.status_code == 400 and "never changes" in update.text
    for name, status in (("1999.1", 404), ("../x", 400)):
        resp = requests.get(f"{released.url}/sparql", params={"release": name,
                                                              "query": COUNT_PLEDGES}, timeout=30)
        assert resp.status_code == status
        assert resp.headers["Content-Type"].startswith("text/plain") and name in resp.text


def test_workbench_permalink_pins_the_newest_release(released: Released) -> None:
    page = _get(f"{released.url}/query", Accept="text/html").text
    link = re.search(r'id="permalink" data-release="([^"]+)" href="([^"]+)"', page)
    assert link is not None and link.group(1) == NEW
    assert f"release={NEW}" in link.group(2)
    pinned = _get(f"{released.url}/query?release={OLD}", Accept="text/html").text
    assert f'name="release" value="{OLD}"' in pinned


def test_home_and_release_pages_show_how_to_cite(released: Released) -> None:
    home = _get(released.url + "/", Accept="text/html").text
    described = _graph(_get(f"{released.url}/releases/{NEW}/", Accept="text/turtle"), "turtle")
    issued = str(described.value(URIRef(f"{BASE}release/{NEW}"), DCTERMS.issued))[:10]
    assert f"release {NEW} ({issued})" in home and f"{BASE}releases/{NEW}/" in home
    page = _get(f"{released.url}/releases/{OLD}/", Accept="text/html").text
    assert f"release {OLD} (" in page and f"{BASE}releases/{OLD}/" in page


# ------------------------------------------------------------------ rights

RIGHTS = """PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?g ?license ?rights ?source WHERE {
  ?subset sd:name ?g ; dcterms:rights ?statement .
  ?statement rdfs:label ?rights .
  OPTIONAL { ?subset dcterms:license ?license }
  OPTIONAL { ?subset dcterms:source ?source } }"""


@pytest.mark.parametrize("pin", [{}, {"release": OLD}])
def test_rights_per_named_graph_are_queryable(released: Released, pin: dict[str, str]) -> None:
    resp = requests.post(f"{released.url}/sparql", data={"query": RIGHTS, **pin},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert resp.status_code == 200, resp.text
    rows = {b["g"]["value"]: b for b in resp.json()["results"]["bindings"]}
    for name in ("ontology", "vocab", "curated", "members"):
        row = rows[f"{BASE}graph/{name}"]
        assert row["license"]["value"] == "https://creativecommons.org/licenses/by/4.0/"
    profiles = [g for g in rows if g.startswith(f"{BASE}graph/profile/")]
    assert profiles
    for g in profiles:
        row = rows[g]
        assert "license" not in row and "UNESCO" in row["rights"]["value"]
        assert row["source"]["value"] == g.replace("/graph/profile/", "/id/profile/")


# ------------------------------------------------------------------ the open dump

def _runs(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + 12]) for i in range(len(words) - 11)}


def _source_runs(sources: Path) -> set[tuple[str, ...]]:
    runs: set[tuple[str, ...]] = set()
    for path in sorted(sources.iterdir()):
        if path.is_file() and path.suffix in (".txt", ".json", ".md", ".csv"):
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".json":  # the JSON escapes its text: read the strings
                import json

                def strings(x: Any) -> Iterator[str]:
                    if isinstance(x, str):
                        yield x
                    elif isinstance(x, dict):
                        for v in x.values():
                            yield from strings(v)
                    elif isinstance(x, list):
                        for v in x:
                            yield from strings(v)
                text = "\n".join(strings(json.loads(text)))
            runs |= _runs(text)
    return runs


def test_open_dump_holds_no_quotation_and_keeps_the_facts(released: Released) -> None:
    runs = _source_runs(released.sources)
    full = _nq(released, NEW, "ccgraph.nq.gz")
    open_dump = _nq(released, NEW, "ccgraph-open.nq.gz")
    quoted_in_full = 0
    for data, must_be_clean in ((full, False), (open_dump, True)):
        for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            if isinstance(quad.object, ox.Literal) and not runs.isdisjoint(
                    _runs(quad.object.value)):
                assert not must_be_clean, (quad.predicate, quad.object.value[:80])
                quoted_in_full += 1
    assert quoted_in_full > 1000  # the full dump does quote: the check can fail
    full_ds = union_graph(parse_dataset(full, ox.RdfFormat.N_QUADS))
    open_ds = union_graph(parse_dataset(open_dump, ox.RdfFormat.N_QUADS))
    for cls in (CCG.Commitment, CCG.ProfileDocument, OA.SpecificResource):
        assert set(open_ds.subjects(RDF.type, cls)) == set(full_ds.subjects(RDF.type, cls))
    assert len(list(open_ds.subjects(RDF.type, OA.TextPositionSelector))) == \
        len(list(full_ds.subjects(RDF.type, OA.TextPositionSelector)))
    assert not list(open_ds.subjects(RDF.type, OA.TextQuoteSelector))
    ends = sorted(int(o) for o in open_ds.objects(None, OA.end) if isinstance(o, Literal))
    assert ends == sorted(int(o) for o in full_ds.objects(None, OA.end) if isinstance(o, Literal))
    assert not list(open_ds.triples((None, SCHEMA.text, None)))


# ------------------------------------------------------------------ in a browser

def test_permalink_in_a_browser_gives_the_old_rows(released: Released,
                                                  browser: Browser) -> None:
    """Chromium: the workbench's permalink follows the query typed, pins the newest release,
    and a permalink to the older release, opened later, shows that release's rows. The
    release pages have no serious accessibility violations."""
    query = COUNT_PLEDGES
    ctx = browser.new_context(bypass_csp=True)
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(released.url + "/query")
        page.locator("#query").fill(query)
        href = page.locator("#permalink").get_attribute("href") or ""
        assert href.startswith(f"/query?release={NEW}&query=")
        assert requests.utils.unquote(href.split("&query=", 1)[1]) == query
        old_link = href.replace(f"release={NEW}", f"release={OLD}")
        page.goto(released.url + old_link)
        expect(page.locator("#table-wrap table")).to_be_visible()
        cell = page.locator("#table-wrap td").first.inner_text()
        number = re.match(r"\s*(\d+)", cell)
        assert number is not None, cell
        shown = int(number.group(1))
        assert shown == _count(released, release=OLD) != _count(released)
        for path in ("/releases/", f"/releases/{NEW}/", f"/releases/{OLD}/", "/"):
            page.goto(released.url + path)
            bad = [(v["id"], [n["target"] for n in v["nodes"]][:3])
                   for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
            assert not bad, (path, bad)
        assert not errors
    finally:
        ctx.close()
