"""The members table, its index (names, aliases, fields) and its graph."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from ccgraph import iris
from ccgraph.members import (
    AmbiguousName,
    Member,
    MemberIndex,
    members_graph,
    members_graph_and_warnings,
    read_aliases,
    read_members,
    with_ends,
)
from ccgraph.namespaces import CCG, ORG, SCHEMA
from ccgraph.records import SourceError

ROOT = Path(__file__).resolve().parents[1]
HEADER = "city,country,country_code,field,year,source\n"


@pytest.fixture(scope="module")
def members() -> list[Member]:
    return with_ends(read_members())


@pytest.fixture(scope="module")
def index(members: list[Member]) -> MemberIndex:
    return MemberIndex(members, read_aliases())


def shared_rows(members_table: Path) -> list[dict[str, str]]:
    with members_table.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_table_has_every_row_of_the_shared_table(members: list[Member],
                                                     members_table: Path) -> None:
    shared = shared_rows(members_table)
    # the shared README: "406 memberships (405 cities)"
    assert len(members) == len(shared) == 406
    assert len({(m.country_code, iris.slugify(m.city)) for m in members}) == 405
    assert Counter(m.field for m in members) == Counter(
        iris.slugify(row["field"]) for row in shared)
    assert {m.field for m in members} >= {"media-arts", "crafts-and-folk-art", "architecture"}


def test_every_row_keeps_all_its_source_urls(members: list[Member], members_table: Path) -> None:
    """Several URLs in one cell (" ; " or a space between them) all reach the table."""
    for row, member in zip(shared_rows(members_table), members, strict=True):
        urls = re.findall(r"https?://\S+", row["source_url"])
        assert member.sources == urls, member.label
    assert any(len(m.sources) > 1 for m in members)


def test_cuenca_is_in_ecuador(index: MemberIndex) -> None:
    cuenca = index.by_name("Cuenca")
    assert [(m.country, m.country_code, m.field, m.year) for m in cuenca] == [
        ("Ecuador", "EC", "gastronomy", 2025)]


def test_make_members_regenerates_the_committed_table(members_table: Path, tmp_path: Path) -> None:
    out = tmp_path / "members.csv"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_members.py"),
         str(members_table), "--out", str(out)],
        capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (ROOT / "data" / "members.csv").read_bytes()
    assert "wrote 406 rows" in done.stderr


def test_sapporo_is_media_arts_2013(index: MemberIndex) -> None:
    member = index.lookup("Sapporo", "media-arts")
    assert member is not None
    assert (member.country, member.country_code, member.year) == ("Japan", "JP", 2013)
    assert index.lookup("Sapporo", "Media Arts") == member  # field label works too
    assert index.lookup("Sapporo", "music") is None
    assert member.sources and all(s.startswith("http") for s in member.sources)


def test_lyon_is_one_city_with_two_memberships(index: MemberIndex) -> None:
    lyon = index.by_name("Lyon")
    assert sorted((m.field, m.year) for m in lyon) == [("literature", 2023), ("media-arts", 2008)]
    assert {iris.city(m.country_code or "", m.city) for m in lyon} == {
        URIRef(iris.DEFAULT_BASE + "id/city/fr/lyon")}


def test_lyon_has_one_current_and_one_ended_membership(index: MemberIndex) -> None:
    lyon = {m.field: m for m in index.by_name("Lyon")}
    assert lyon["literature"].current and lyon["literature"].ended is None
    media = lyon["media-arts"]
    assert not media.current and media.ended == 2023
    assert media.end_reason and "Literature" in media.end_reason
    assert media.end_source and media.end_source.startswith("https://")
    # every other membership is current: the ends table holds Lyon's only
    assert [m.label for m in index.members if not m.current] == ["Lyon, Media Arts"]


def test_lyon_ended_membership_in_the_graph(index: MemberIndex) -> None:
    g = members_graph(index.members)
    b = iris.DEFAULT_BASE
    media = URIRef(b + "id/membership/fr/lyon/media-arts")
    literature = URIRef(b + "id/membership/fr/lyon/literature")
    assert g.value(media, CCG.yearEnded) == Literal("2023", datatype=XSD.gYear)
    assert g.value(media, CCG.yearDesignated) == Literal("2008", datatype=XSD.gYear)
    reason = g.value(media, CCG.endReason)
    assert isinstance(reason, Literal) and reason.language == "en"
    ended = next(m for m in index.members if m.label == "Lyon, Media Arts")
    assert (media, DCTERMS.source, URIRef(ended.end_source or "")) in g
    assert g.value(literature, CCG.yearEnded) is None
    assert len(set(g.subjects(CCG.yearEnded, None))) == 1


ENDS = "city,country_code,field,ended,reason,source\n"


@pytest.mark.parametrize(("row", "column", "words"), [
    ("Lyon,FR,music,2023,Changed field,https://example.org/e", "city", "no membership"),
    ("Lyon,DE,media-arts,2023,Changed field,https://example.org/e", "city", "no membership"),
    ("Lyon,FR,media-arts,2003,Changed field,https://example.org/e", "ended", "before"),
    ("Lyon,FR,media-arts,23,Changed field,https://example.org/e", "ended", "not a year"),
    ("Lyon,FR,media-arts,2023,,https://example.org/e", "reason", "no reason"),
    ("Lyon,FR,media-arts,2023,Changed field,nowhere", "source", "not a URL"),
])
def test_a_bad_end_is_a_source_error_naming_the_line(members: list[Member], tmp_path: Path,
                                                     row: str, column: str, words: str) -> None:
    path = tmp_path / "ends.csv"
    path.write_text(ENDS + row + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        with_ends(members, path)
    error = caught.value
    assert (error.line, error.field) == (2, column)
    assert f"{path}:2" in str(error) and words in str(error) and error.hint


def test_a_membership_ended_twice_is_refused(members: list[Member], tmp_path: Path) -> None:
    path = tmp_path / "ends.csv"
    row = "Lyon,FR,media-arts,2023,Changed field,https://example.org/e\n"
    path.write_text(ENDS + row + row, encoding="utf-8")
    with pytest.raises(SourceError, match=r":3 \[city\]: .*twice.*line 2"):
        with_ends(members, path)


def test_granada_is_two_cities_and_valencia_one(index: MemberIndex) -> None:
    granada = index.by_name("Granada")
    assert {(m.country_code, m.field) for m in granada} == {("ES", "literature"),
                                                           ("NI", "design")}
    assert len({iris.city(m.country_code or "", m.city) for m in granada}) == 2
    spain = index.lookup("Granada", "literature")
    assert spain is not None and spain.country == "Spain"
    valencia = index.by_name("valencia")
    assert [(m.country_code, m.field) for m in valencia] == [("ES", "design")]


def test_a_name_shared_by_two_cities_in_one_field_is_ambiguous() -> None:
    twins = [Member("Granada", "Spain", "ES", "design", 2020, "https://a.example/"),
             Member("Granada", "Nicaragua", "NI", "design", 2023, "https://b.example/")]
    index = MemberIndex(twins)
    assert len(index.lookup_all("Granada", "design")) == 2
    with pytest.raises(AmbiguousName, match=r"ES.*NI"):
        index.lookup("Granada", "design")
    found = index.lookup("Granada", "design", country_code="ni")
    assert found is not None and found.country == "Nicaragua"


def test_the_alias_come_is_como(index: MemberIndex) -> None:
    como = index.lookup("Come", "crafts-and-folk-art")
    assert como is not None and (como.city, como.country_code) == ("Como", "IT")
    assert index.names_of(como) == ["Como", "Come"]


def test_aliases_are_the_cities_mentioned_as(members: list[Member]) -> None:
    aliases = read_aliases()
    g = members_graph(members, aliases=aliases)
    for alias in aliases:
        city = iris.city(alias.country_code, alias.city)
        assert (city, CCG.mentionedAs, Literal(alias.alias)) in g, alias
    assert set(g.objects(iris.city("IT", "Torino"), CCG.mentionedAs)) == {Literal("Turin")}
    assert not list(members_graph(members).triples((None, CCG.mentionedAs, None)))


def test_every_corpus_city_resolves_except_the_broken_record(index: MemberIndex,
                                                             corpus_path: Path) -> None:
    records = json.loads(corpus_path.read_text(encoding="utf-8"))["0"]
    assert len(records) == 354
    unresolved = []
    for number, record in records.items():
        name, category = record["City Name"], record["Category"]
        found = None
        if category != "City category not found":
            found = index.lookup(name, iris.slugify(category))
        if found is None:
            unresolved.append((number, name))
    assert unresolved == [("31", "City name not found")]


def test_an_alias_to_a_city_not_in_the_table_is_refused(members: list[Member],
                                                        tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_text("alias,city,country_code\nCome,Como,FR\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Como"):
        MemberIndex(members, read_aliases(path))


def test_the_graph_describes_sapporo(members: list[Member]) -> None:
    g = members_graph(members)
    b = iris.DEFAULT_BASE
    city = URIRef(b + "id/city/jp/sapporo")
    membership = URIRef(b + "id/membership/jp/sapporo/media-arts")
    country = URIRef(b + "id/country/jp")
    network = URIRef(b + "id/org/uccn")
    expected = {
        (city, RDF.type, CCG.CreativeCity),
        (city, RDFS.label, Literal("Sapporo", lang="en")),
        (city, CCG.countryCode, Literal("JP")),
        (city, SCHEMA.containedInPlace, country),
        (city, CCG.membership, membership),
        (country, RDF.type, SCHEMA.Country),
        (country, RDFS.label, Literal("Japan", lang="en")),
        (country, CCG.countryCode, Literal("JP")),
        (membership, RDF.type, CCG.Membership),
        (membership, ORG.member, city),
        (membership, ORG.organization, network),
        (membership, CCG.field, URIRef(b + "id/field/media-arts")),
        (membership, CCG.yearDesignated, Literal("2013", datatype=XSD.gYear)),
        (membership, RDFS.label, Literal("Sapporo, Media Arts", lang="en")),
        (membership, DCTERMS.source, URIRef("https://www.crypton.co.jp/cfm/news/2013/11/131122")),
        (network, RDF.type, ORG.Organization),
        (network, RDFS.label, Literal("UNESCO Creative Cities Network", lang="en")),
    }
    assert expected <= set(g)
    assert len(set(g.subjects(RDF.type, CCG.Membership))) == len(members) == 406
    assert len(set(g.subjects(RDF.type, CCG.CreativeCity))) == 405  # Lyon once
    assert len(set(g.objects(URIRef(b + "id/city/fr/lyon"), CCG.membership))) == 2


def test_a_member_without_country_is_left_out_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text(HEADER + "Sapporo,Japan,JP,media-arts,2013,https://example.org/a\n"
                    "Cuenca,,,gastronomy,2025,https://example.org/c\n", encoding="utf-8")
    g, warnings = members_graph_and_warnings(read_members(path))
    assert [w for w in warnings if "Cuenca" in w]
    assert not [s for s in g.subjects(RDFS.label, Literal("Cuenca", lang="en"))]
    assert not [s for s in g.subjects(RDF.type, CCG.Membership) if "cuenca" in str(s)]
    assert len(set(g.subjects(RDF.type, CCG.Membership))) == 1


def test_the_graph_follows_the_base(members: list[Member]) -> None:
    g = members_graph([m for m in members if m.city == "Sapporo"], base="http://example.org/")
    assert (URIRef("http://example.org/id/city/jp/sapporo"), RDF.type, CCG.CreativeCity) in g
    assert not [s for s in g.subjects() if str(s).startswith(iris.DEFAULT_BASE)]


def test_year_unknown_means_no_year_triple(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text(HEADER + "Sapporo,Japan,JP,media-arts,,https://example.org/a\n",
                    encoding="utf-8")
    [member] = read_members(path)
    assert member.year is None
    g = members_graph([member])
    assert not list(g.triples((None, CCG.yearDesignated, None)))


@pytest.mark.parametrize(("row", "line", "column"), [
    ("Sapporo,Japan,JP,media-arts,20l3,https://example.org/a", 3, "year"),
    ("Sapporo,Japan,jpn,media-arts,2013,https://example.org/a", 3, "country_code"),
    ("Sapporo,Japan,JP,Media Arts,2013,https://example.org/a", 3, "field"),
    ("Sapporo,Japan,JP,media-arts,2013,not a url", 3, "source"),
    ("Sapporo,Japan,JP,media-arts,2013", 3, None),
    ("Lyon,France,FR,media-arts,2008,https://example.org/a", 3, "city"),
])
def test_a_bad_row_is_a_source_error_naming_the_line(tmp_path: Path, row: str, line: int,
                                                     column: str | None) -> None:
    path = tmp_path / "members.csv"
    path.write_text(HEADER + "Lyon,France,FR,media-arts,2008,https://example.org/l\n" + row + "\n",
                    encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_members(path)
    error = caught.value
    assert error.line == line and error.field == column
    assert f"{path}:{line}" in str(error) and error.hint


def test_a_bad_header_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text("city,country,field\nSapporo,Japan,media-arts\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r":1: unexpected columns"):
        read_members(path)
