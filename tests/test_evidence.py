"""Credible sources and evidence that proves what it claims, on the whole-network build.

The mirror/junk list comes from the shared sources README ("Removed as sources (mirrors,
scrapers, spam, unrelated blogs): …"), read at run time.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from ccgraph import iris, shipped
from ccgraph.evidence import states_designation, states_year
from ccgraph.members import read_members
from ccgraph.store import Build, open_build

B = "https://w3id.org/ccgraph/"
PREFIXES = """PREFIX ccg: <https://w3id.org/ccgraph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@pytest.fixture(scope="module")
def network(network_build: Path) -> Build:
    return open_build(network_build)


def select(build: Build, query: str) -> list[dict[str, str]]:
    result = build.query(PREFIXES + query)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def junk_hosts(sources_dir: Path) -> list[str]:
    """The hosts the README lists as removed sources (mirrors, scrapers, spam …)."""
    readme = (sources_dir / "README.md").read_text(encoding="utf-8")
    match = re.search(r"Removed as sources[^:]*:(.*?)Still weakly sourced", readme, re.S)
    assert match, "the README no longer lists the removed sources"
    hosts = re.findall(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)+\b", match.group(1))
    if "kiwix" in match.group(1):
        hosts.append("kiwix")
    return hosts


def on_list(url: str, hosts: list[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) or (h == "kiwix" and "kiwix" in host)
               for h in hosts)


def test_the_junk_list_is_read_from_the_readme(sources_dir: Path) -> None:
    hosts = junk_hosts(sources_dir)
    assert {"wikimili.com", "urdupoint.com", "pdfslide.us", "wanderlustmagazine.com"} <= set(hosts)
    assert len(hosts) >= 14
    assert on_list("https://wikimili.com/en/City_of_Media_Arts", hosts)
    assert on_list("https://www.urdupoint.com/en/x.html", hosts)
    assert not on_list("https://en.wikipedia.org/wiki/Sapporo", hosts)


def test_no_membership_cites_a_page_on_the_junk_list(network: Build, sources_dir: Path) -> None:
    hosts = junk_hosts(sources_dir)
    rows = select(network, "SELECT ?m ?s WHERE { ?m a ccg:Membership ; dcterms:source ?s }")
    memberships = {r["m"] for r in rows}
    assert len(memberships) == 406
    assert [(r["m"], r["s"]) for r in rows if on_list(r["s"], hosts)] == []


def test_the_graph_carries_every_source_url_of_the_table(network: Build) -> None:
    rows = select(network, "SELECT ?m ?s WHERE { ?m a ccg:Membership ; dcterms:source ?s }")
    found = {(r["m"], r["s"]) for r in rows}
    for member in read_members():
        assert member.country_code is not None
        m = str(iris.membership(member.country_code, member.city, member.field))
        assert {(m, url) for url in member.sources} <= found, member.label


def test_curated_sapporo_cites_the_members_table(sources_dir: Path) -> None:
    curated = Graph().parse(shipped.data() / "curated" / "sapporo.ttl")
    membership = URIRef(B + "id/membership/jp/sapporo/media-arts")
    cited = {str(o) for o in curated.objects(membership, DCTERMS.source)}
    [sapporo] = [m for m in read_members() if m.label == "Sapporo, Media Arts"]
    assert cited and cited <= set(sapporo.sources)
    assert not [url for url in cited if on_list(url, junk_hosts(sources_dir))]


def test_lyon_has_one_current_and_one_ended_membership(network: Build) -> None:
    rows = select(network, f"""SELECT ?m ?start ?end WHERE {{
        <{B}id/city/fr/lyon> ccg:membership ?m . ?m ccg:yearDesignated ?start .
        OPTIONAL {{ ?m ccg:yearEnded ?end }} }}""")
    assert sorted((r["m"].rsplit("/", 1)[1], r["start"], r.get("end")) for r in rows) == [
        ("literature", "2023", None), ("media-arts", "2008", "2023")]
    [count] = select(network, """SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {
        ?m a ccg:Membership ; org:member ?c FILTER NOT EXISTS { ?m ccg:yearEnded ?e } }""")
    assert count["n"] == "405"


def membership_spans(build: Build, prop: str) -> list[dict[str, str]]:
    return select(build, f"""SELECT ?m ?exact ?city ?year WHERE {{
        ?m a ccg:Membership ; {prop} ?ev ; org:member ?c .
        ?ev oa:hasSelector ?q . ?q oa:exact ?exact .
        ?c rdfs:label ?city FILTER(lang(?city) = "en")
        OPTIONAL {{ ?m ccg:yearDesignated ?year }} }}""")


def field_names(build: Build) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for r in select(build, """SELECT ?f ?l WHERE { ?f a ccg:CreativeField ;
                               skos:prefLabel|skos:altLabel ?l }"""):
        names.setdefault(r["f"].rsplit("/", 1)[1], []).append(r["l"])
    return names


def test_every_membership_span_states_the_designation(network: Build) -> None:
    names = field_names(network)
    spans = membership_spans(network, "ccg:evidence")
    assert len({r["m"] for r in spans}) >= 250
    aka: dict[str, list[str]] = {}
    for r in select(network, "SELECT ?m ?n WHERE { ?m org:member/ccg:mentionedAs ?n }"):
        aka.setdefault(r["m"], []).append(r["n"])
    for r in spans:
        field = r["m"].rsplit("/", 1)[1]
        city_names = [r["city"], *aka.get(r["m"], [])]
        assert states_designation(r["exact"], city_names, names[field]), (r["m"], r["exact"])
    # a profile may write the city's other name (an alias, published as ccg:mentionedAs)
    torino = [r["exact"] for r in spans if r["m"] == B + "id/membership/it/torino/design"]
    assert torino and all("Turin" in s and "Torino" not in s for s in torino)
    assert "Turin" in aka[B + "id/membership/it/torino/design"]
    # the accident of issue 17: Sapporo's label found inside a sentence about media arts
    sapporo = [r["exact"] for r in spans if r["m"] == B + "id/membership/jp/sapporo/media-arts"]
    assert sapporo and "Sapporo, Media Arts" not in sapporo
    assert all(s.startswith("As a Creative City of Media Arts, Sapporo") for s in sapporo)


def test_every_year_span_states_the_year(network: Build) -> None:
    for r in membership_spans(network, "ccg:yearEvidence"):
        assert "year" in r and states_year(r["exact"], r["year"]), r


def test_the_build_conforms(network_build: Path) -> None:
    results: list[dict[str, Any]] = json.loads(
        (network_build / "reports" / "validation.json").read_text(encoding="utf-8"))
    assert [r for r in results if r["severity"] == "Violation"] == []


def test_quality_report_lists_statements_with_external_sources_only(
        network: Build, network_build: Path) -> None:
    quality = json.loads((network_build / "reports" / "quality.json").read_text("utf-8"))
    text = (network_build / "reports" / "quality.txt").read_text("utf-8")
    [counts] = select(network, """SELECT (COUNT(DISTINCT ?m) AS ?all)
        (COUNT(DISTINCT ?s) AS ?spans) (COUNT(DISTINCT ?y) AS ?years)
        (COUNT(DISTINCT ?ys) AS ?yearSpans) WHERE { ?m a ccg:Membership .
        OPTIONAL { ?m ccg:evidence ?e BIND(?m AS ?s) }
        OPTIONAL { ?m ccg:yearDesignated ?yd BIND(?m AS ?y) }
        OPTIONAL { ?m ccg:yearEvidence ?ye BIND(?m AS ?ys) } }""")
    assert quality["memberships_with_span_evidence"] == int(counts["spans"])
    assert len(quality["memberships_external_only"]) == int(counts["all"]) - int(counts["spans"])
    assert quality["years_with_span_evidence"] == int(counts["yearSpans"])
    assert len(quality["years_external_only"]) == int(counts["years"]) - int(counts["yearSpans"])
    for entry in quality["memberships_external_only"] + quality["years_external_only"]:
        assert re.search(r": https?://", entry), entry  # each names its external source
    # the city that changed its name in the intro has no span, only its source
    assert any(e.startswith("Oulu, Media Arts: http") for e in quality["memberships_external_only"])
    external = len(quality["memberships_external_only"])
    assert f"memberships_external_only: {external}" in text


@pytest.mark.parametrize(("text", "city", "field", "proves"), [
    ("As a Creative City of Media Arts, Sapporo envisages:", "Sapporo", "Media Arts", True),
    ("As Creative City of Crafts and Folk Arts, Paducah envisages:", "Paducah",
     "Crafts and Folk Arts", True),
    ("En tant que Ville créative de littérature, Lyon envisage :", "Lyon", "Littérature", True),
    ("Sapporo, UNESCO City of Media Arts since 2013", "Sapporo", "Media Arts", True),
    ("In Sapporo, Media Arts are everywhere", "Sapporo", "Media Arts", False),
    ("Huancayo is a city of musicians", "Huancayo", "Music", False),
    ("the capacity of music halls in Bologna", "Bologna", "Music", False),
    ("As a Creative City of Media Arts, Okayama City is dedicated:", "Oulu", "Media Arts", False),
])
def test_states_designation(text: str, city: str, field: str, proves: bool) -> None:
    assert states_designation(text, [city], [field]) is proves


def test_states_year() -> None:
    assert states_year("Member since: 2013", 2013)
    assert not states_year("Member since: 20134", 2013)
    assert not states_year("As a Creative City of Media Arts, Lyon envisages:", 2008)


SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "evidence_counts.py"


def test_evidence_counts_script_agrees_with_the_quality_report(network_build: Path) -> None:
    quality = json.loads((network_build / "reports" / "quality.json").read_text("utf-8"))
    done = subprocess.run([sys.executable, str(SCRIPT),
                           str(network_build / "dumps" / "ccgraph.nq.gz")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    spans = quality["memberships_with_span_evidence"]
    external = len(quality["memberships_external_only"])
    assert f"memberships {spans + external}: with span evidence {spans}, " \
           f"external sources only {external}" in done.stdout
    assert f"stating the designation {spans}, not 0" in done.stdout
