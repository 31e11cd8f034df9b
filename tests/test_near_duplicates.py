"""Near-duplicate detection (src/ccgraph/extract/duplicates.py): the similarity, the city-name
folding, the threshold, and that the fast candidate search finds what comparing every pair
finds; and a small build of two profiles written here. The network build, its pages and its
endpoint are tested in test_near_duplicates_network.py."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from ccgraph import iris
from ccgraph.extract import read_corpus
from ccgraph.extract.duplicates import (
    THRESHOLD,
    Passage,
    _bigrams,
    _may_reach,
    find_near_duplicates,
    normaliser,
    similarity,
)
from ccgraph.store import open_build
from tests.support.builds import make_build
from tests.support.servers import werkzeug_server

CITIES = ["Sapporo", "Bologna", "Santiago de Cali", "Llíria", "Leiria"]

# Our own words, written for these tests.
FESTIVAL = ("Strengthening {c}'s winter light festival so that young creators of {c} can show "
            "their work to visitors from every continent")
ARCHIVE = ("Opening a public archive of old film reels where students restore, catalogue and "
           "screen forgotten local documentaries")
COOPERATION = "Working together and trading ideas with the other Creative Cities of Music"
COOPERATION_TOO = ("Working together with the other Creative Cities of Music through joint "
                   "residencies for young composers and an annual touring concert")


def pledge(key: str, city: str, text: str, kind: str = "pledge") -> Passage:
    return Passage(key, kind, city, text)


def test_a_copy_with_the_city_names_swapped_is_caught() -> None:
    a = pledge("a", "Sapporo", FESTIVAL.format(c="Sapporo"))
    b = pledge("b", "Bologna", FESTIVAL.format(c="Bologna"))
    report = find_near_duplicates([a, b], CITIES)
    assert [(p.a.key, p.b.key, p.similarity) for p in report.pairs] == [("a", "b", 1.0)]


def test_a_copy_that_kept_the_other_city_name_is_caught() -> None:
    """Llíria's copy says "Leiria's": both names fold to the same word."""
    a = pledge("a", "Leiria", FESTIVAL.format(c="Leiria"))
    b = pledge("b", "Llíria", FESTIVAL.format(c="Leiria").replace("young", "young", 1))
    c = pledge("c", "Llíria", FESTIVAL.format(c="Llíria"))
    report = find_near_duplicates([a, b, c], CITIES)
    assert {(p.a.key, p.b.key) for p in report.pairs} == {("a", "b"), ("a", "c")}
    assert all(p.similarity == 1.0 for p in report.pairs)


def test_without_the_city_names_the_swap_lowers_the_score() -> None:
    """Guard the guard: the folding is what makes the swapped copy score 1."""
    words = normaliser([])
    a, b = (words(FESTIVAL.format(c=c)) for c in ("Sapporo", "Santiago de Cali"))
    assert similarity(a, b) < 0.9
    named = normaliser(CITIES)
    assert named(FESTIVAL.format(c="Santiago de Cali")) == named(FESTIVAL.format(c="Sapporo"))


def test_the_folding_respects_words_and_case() -> None:
    words = normaliser(["Bath", "Como"])
    assert words("Bath hosts a bath house; como se dice, Como!") == [
        "city", "hosts", "a", "bath", "house", "como", "se", "dice", "city"]
    assert normaliser(["Llíria"])("LLÍRIA and Lliria's") == ["lliria", "and", "city", "s"]


def test_clearly_different_pledges_are_not_paired() -> None:
    a = pledge("a", "Sapporo", FESTIVAL.format(c="Sapporo"))
    b = pledge("b", "Bologna", ARCHIVE)
    report = find_near_duplicates([a, b], CITIES)
    assert report.pairs == []
    assert similarity(*(normaliser(CITIES)(p.text) for p in (a, b))) < 0.3


def test_shared_network_phrasing_is_not_a_copy() -> None:
    """Two pledges that share a formula of the network but say different things."""
    a = pledge("a", "Sapporo", COOPERATION)
    b = pledge("b", "Bologna", COOPERATION_TOO)
    words = normaliser(CITIES)
    score = similarity(words(a.text), words(b.text))
    assert 0.4 < score < THRESHOLD
    assert find_near_duplicates([a, b], CITIES).pairs == []


def test_passages_of_one_city_or_of_two_kinds_are_not_paired() -> None:
    text = FESTIVAL.format(c="Sapporo")
    same_city = [pledge("a", "Sapporo", text), pledge("b", "Sapporo", text)]
    assert find_near_duplicates(same_city, CITIES).pairs == []
    two_kinds = [pledge("a", "Sapporo", text), pledge("b", "Bologna", text, "description")]
    assert find_near_duplicates(two_kinds, CITIES).pairs == []


def test_the_result_does_not_depend_on_the_input_order() -> None:
    passages = [pledge(f"k{i}", city, FESTIVAL.format(c=city) + extra)
                for i, (city, extra) in enumerate(itertools.product(
                    CITIES[:3], ["", " and beyond", " every winter and summer"]))]
    first = find_near_duplicates(passages, CITIES)
    shuffled = passages[:]
    random.Random(7).shuffle(shuffled)
    again = find_near_duplicates(reversed(shuffled), CITIES)
    assert first.pairs == again.pairs and first.histogram == again.histogram
    assert len(first.pairs) == 27  # 3 cities x 3 variants: 27 pairs across cities


def test_a_threshold_the_candidate_search_cannot_honour_is_refused() -> None:
    with pytest.raises(ValueError, match="threshold"):
        find_near_duplicates([], CITIES, threshold=0.8)


def test_the_iri_of_a_pair_does_not_depend_on_its_order() -> None:
    one = iris.near_duplicate("pledge", "pt-leiria-music-1", "es-lliria-music-1")
    assert one == iris.near_duplicate("pledge", "es-lliria-music-1", "pt-leiria-music-1")
    assert str(one).endswith("/id/near-duplicate/pledge/es-lliria-music-1--pt-leiria-music-1")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("abcde"), min_size=1, max_size=14),
       st.lists(st.sampled_from("abcde"), min_size=1, max_size=14))
def test_the_bound_never_rules_out_a_pair_that_reaches_the_floor(a: list[str],
                                                                 b: list[str]) -> None:
    score = similarity(a, b)
    ga, gb = _bigrams(a), _bigrams(b)
    shared = sum(min(n, gb[g]) for g, n in ga.items() if g in gb)
    if score > 0.8:
        assert shared > 0
    for floor in (0.81, THRESHOLD, 0.9, 1.0):
        if score >= floor:
            assert _may_reach(shared, len(a), len(b), floor)


def test_the_fast_search_finds_what_comparing_every_pair_finds(corpus_path: Path) -> None:
    """On real pledges (a sixth of the corpus, with the known copies) and descriptions."""
    corpus = read_corpus(corpus_path)
    keep = {"Leiria", "Llíria", "Gdynia", "Ramallah", "Abu Dhabi", "Bydgoszcz", "Namur",
            "Santiago de Cali", "Castelo Branco", "Bamiyan"}
    profiles = [p for i, p in enumerate(corpus.profiles) if p.city in keep or i % 6 == 0]
    passages = [Passage(f"{p.source}/{n.position}", "pledge", p.city, n.span.text)
                for p in profiles for n in p.pledges]
    passages += [Passage(f"{p.source}/about", "description", p.city, p.about.text)
                 for p in profiles[::2] if p.about is not None]
    names = [p.city for p in corpus.profiles]
    report = find_near_duplicates(passages, names)
    words = normaliser(names)
    expected = set()
    for kind in ("pledge", "description"):
        mine = sorted((p for p in passages if p.kind == kind), key=lambda p: p.key)
        cached = {p.key: words(p.text) for p in mine}
        for x, y in itertools.combinations(mine, 2):
            if x.city != y.city:
                score = similarity(cached[x.key], cached[y.key])
                if score >= THRESHOLD:
                    expected.add((x.key, y.key, round(score, 3)))
    assert {(p.a.key, p.b.key, p.similarity) for p in report.pairs} == expected
    assert len(expected) >= 8  # Llíria/Leiria's six and more: the test has something to find
    assert report.aligned < report.candidates


# --- end to end on a small build: two profiles written for the test ------------------------

PROFILE = """About the Creative City:
{c} keeps a long habit of street bands, brass schools and late choirs in its old squares, and
its music schools train players who go on to tour far beyond {c} and its valley.

Added Value:
As a Creative City of Music, {c} envisages:
  • building rehearsal rooms for teenage bands in every district of {c}, open every evening; and
  • {own}.
"""
OWN = {"Bologna": "lending old instruments from the conservatory to primary schools",
       "Glasgow": "recording the city's dance-hall repertoire for a public sound archive"}


@pytest.mark.slow
def test_a_build_publishes_copied_descriptions_and_pledges(tmp_path: Path) -> None:
    sources = []
    for city, own in OWN.items():
        path = tmp_path / f"{city.lower()}.txt"
        path.write_text(PROFILE.format(c=city, own=own), encoding="utf-8")
        sources.append(path)
    out = make_build(tmp_path / "build", sources)  # the shapes pass, or this raises
    rows = open_build(out).query("""PREFIX ccg: <https://w3id.org/ccgraph/ontology#>
        SELECT ?d ?s WHERE { ?d a ccg:NearDuplicate ; ccg:similarity ?s }""")
    found = {row["d"].value.rsplit("/", 2)[1]: float(row["s"].value) for row in rows}
    assert found == {"pledge": 1.0, "description": 1.0}  # the pledges of their own: no pair
    with werkzeug_server(out) as url:
        for city, other in (("it/bologna", "Glasgow"), ("gb/glasgow", "Bologna")):
            html = requests.get(f"{url}/doc/city/{city}", headers={"Accept": "text/html"},
                                timeout=30).text
            note = html[html.index('id="near-duplicates"'):html.index("</aside>")]
            assert f"description in UNESCO profile of {other}, Music" in note
            assert f"{other}, Music, pledge 1" in note and "pledge 2" not in note
