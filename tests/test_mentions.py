"""Named mentions in the "About" text, measured against hand-annotated gold profiles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccgraph.extract.mention_eval import (
    KINDS,
    about_span,
    format_scores,
    load_corpus,
    load_gold,
    load_profiles,
    mention_scores,
    profile_mentions,
)
from ccgraph.extract.mentions import find_mentions, normalise_label
from ccgraph.gold_scores import mention_dir, theme_csv
from ccgraph.records import Span

GOLD = mention_dir("development")
HELDOUT = mention_dir("heldout")
HELDOUT7 = mention_dir("heldout7")
FIELDS = {"Crafts and Folk Art", "Design", "Film", "Gastronomy", "Literature", "Media Arts",
          "Music"}


@pytest.fixture(scope="module")
def scores(corpus_path: Path) -> dict[str, object]:
    return mention_scores(GOLD, corpus_path)


def test_gold_covers_every_field(corpus_path: Path) -> None:
    golds = load_gold(GOLD)
    records = load_corpus(corpus_path)
    assert len(golds) >= 15
    assert 319 in {g.index for g in golds}
    per_field: dict[str, int] = {}
    for gold in golds:
        record = records[gold.index]
        assert record["City Name"] == gold.city, gold.index
        assert record["Category"] == gold.field, gold.index
        per_field[gold.field] = per_field.get(gold.field, 0) + 1
    assert {f for f, n in per_field.items() if n >= 2} == FIELDS


def test_gold_labels_are_in_the_about_text(corpus_path: Path) -> None:
    """Every gold label (or one of its aliases) is written in the profile's About part, as
    the scores read it (the parsed About span), in both sets."""
    profiles = load_profiles(corpus_path)
    for path in sorted([*GOLD.glob("*.json"), *HELDOUT.glob("*.json")]):
        data = json.loads(path.read_text(encoding="utf-8"))
        profile = profiles[data["index"]]
        about = normalise_label((profile.about or about_span(profile.text)).text)
        for item in data["mentions"]:
            names = [item["label"], *item.get("aliases", [])]
            assert any(normalise_label(n) in about for n in names), (path.name, item["label"])


#: What the development set (237 profiles since the fourth held-out set was demoted into
#: it, round 5; 277 once the fifth is) measures: the lowest precision of a kind and the
#: overall recall, rounded down (round 6: 0.915 / 0.849 on 237, 0.924 / 0.857 on 277;
#: round 7: 0.927 / 0.865 on 277; round 8: 0.938 / 0.873 on 277).
DEV_FLOORS = {"precision": 0.93, "recall": 0.87}


def test_precision_per_kind(scores: dict[str, object], capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\n" + format_scores(scores))
    kinds = scores["kinds"]
    assert isinstance(kinds, dict)
    for kind in KINDS:
        assert kinds[kind]["precision"] >= DEV_FLOORS["precision"], (
            kind, scores["false_positives"])
    overall = scores["overall"]
    assert isinstance(overall, dict)
    assert overall["recall"] >= DEV_FLOORS["recall"], scores["false_negatives"]


#: What the blind held-out set measures (never used to change a rule). The issue's targets
#: (precision >= 0.95, recall >= 0.85, each kind >= 0.8) are NOT reached: these floors are
#: the true numbers, rounded down, so that a regression fails (docs/annotation.md).
#: The fifth held-out set (round 5, 2026-12-02; the first four were scored and demoted into
#: development), scored once at the end of the round: P 0.8897 R 0.712 (facility 0.717,
#: event 0.718, organisation 0.688), then demoted. The sixth (round 6, 40 profiles, 139
#: names), scored once after the round-6 rules were merged: P 0.856 R 0.727 (facility
#: 0.795 / 0.705, event 0.911 / 0.785, organisation 0.826 / 0.633).
HELDOUT_FLOORS = {"precision": 0.85, "recall": 0.72,
                  "facility": 0.70, "event": 0.78, "organisation": 0.63}
#: The seventh (round 7, the last 26 profiles outside every gold set: Music 20, Crafts and
#: Folk Art 6; 108 names), scored once after the round-7 rules were merged: P 0.832 R 0.731
#: (facility 0.778 / 0.538, event 0.854 / 0.759, organisation 0.828 / 0.857).
HELDOUT7_FLOORS = {"precision": 0.83, "recall": 0.73,
                   "facility": 0.53, "event": 0.75, "organisation": 0.85}


def test_heldout_set(corpus_path: Path, members_table: Path) -> None:
    """>= 40 profiles, every field that still has a profile outside development (Film and
    Media Arts have none left since round 4: docs/annotation.md), disjoint from development,
    several naming languages."""
    import csv

    golds, dev = load_gold(HELDOUT), load_gold(GOLD)
    assert len(golds) >= 40
    assert not {g.index for g in golds} & {g.index for g in dev}
    records = load_corpus(corpus_path)
    with theme_csv("development").open(encoding="utf-8", newline="") as handle:
        used = {int(row["index"]) for row in csv.DictReader(handle)} | {g.index for g in dev}
    used_texts = {records[i]["Description"] for i in used}
    unused_fields = {r["Category"] for i, r in records.items()
                     if i not in used and not r["Link"].endswith("-0")
                     and "not found" not in r["City Name"] and r["Description"] not in used_texts}
    assert {g.field for g in golds} == unused_fields
    assert {g.field for g in [*golds, *dev]} == FIELDS
    with members_table.open(encoding="utf-8", newline="") as handle:
        country = {row["city"]: row["iso3166_alpha2"] for row in csv.DictReader(handle)}
    codes = {country.get(g.city) for g in golds}
    for language in ({"FR", "BE", "CH", "SN", "MA", "LB", "HT"},
                     {"ES", "MX", "CO", "BO", "CU", "VE", "CL"}, {"PT", "BR"}, {"KR"}, {"CN"}):
        assert codes & language, language


@pytest.mark.parametrize(("folder", "floors"), [(HELDOUT, HELDOUT_FLOORS),
                                                 (HELDOUT7, HELDOUT7_FLOORS)],
                         ids=["heldout6", "heldout7"])
def test_heldout_scores(folder: Path, floors: dict[str, float], corpus_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    scores = mention_scores(folder, corpus_path)
    with capsys.disabled():
        print(f"\n{folder.name} " + format_scores(scores))
    overall = scores["overall"]
    assert overall["precision"] >= floors["precision"]
    assert overall["recall"] >= floors["recall"]
    for kind in KINDS:
        assert scores["kinds"][kind]["recall"] >= floors[kind], kind


def test_sapporo(corpus_path: Path) -> None:
    profile = load_profiles(corpus_path)[319]
    found = {(m.kind, m.label, m.subtype) for m in profile_mentions(profile)}
    assert ("facility", "Sapporo Concert Hall “Kitara”", "concert-hall") in found
    assert ("facility", "Sapporo Art Park", "park") in found
    assert ("facility", "Sapporo Art Museum", "museum") in found
    assert not any("UNESCO" in label for _, label, _ in found)


def test_spans_are_exact_and_inside_about(corpus_path: Path) -> None:
    """On every parsed profile of the corpus, and on the seed profile file."""
    profiles = list(load_profiles(corpus_path).values())
    assert len(profiles) > 300
    for profile in profiles:
        about = profile.about or about_span(profile.text)
        for mention in profile_mentions(profile):
            mention.span.check(profile.text)
            assert about.start <= mention.span.start < mention.span.end <= about.end
            assert mention.kind in KINDS


def test_seed_profile(seed_profile: Path) -> None:
    from ccgraph.extract import read_profile_file

    profile = read_profile_file(seed_profile)
    assert profile.about is not None
    labels = {m.label for m in find_mentions(profile.text, profile.about)}
    assert {"Sapporo Concert Hall “Kitara”", "Sapporo Art Park", "Sapporo Art Museum"} <= labels


def test_shapes() -> None:
    text = ("The city hosts the Kuching Jazz Festival and Sarawak Regatta. It plans a Coffee "
            "Museum. Art museums and the city's festivals abound. The Academy of Arts and "
            "the “Small Press Zine” festival, too; the UNESCO Creative Cities Network.")
    found = {(m.kind, m.label) for m in find_mentions(text)}
    assert found == {("event", "Kuching Jazz Festival"), ("event", "Sarawak Regatta"),
                     ("facility", "Academy of Arts"), ("event", "Small Press Zine")}


def test_about_restricts_and_dedupes() -> None:
    text = "Visit the Oulu Art Museum. The Oulu Art Museum again. Then the Oulu Music Festival."
    cut = text.index("Then")
    mentions = find_mentions(text, Span(0, cut, text[:cut]))
    assert [m.label for m in mentions] == ["Oulu Art Museum"]
    assert mentions[0].span.start == text.index("Oulu")


_ALPHABET = st.sampled_from(
    [*"abcXYZ “”\"'’´&-.,;:()\n\t\u00a0", "of ", "and ", "the ", "The ", "Festival ", "Museum ",
     "Hall ", "de ", "Centre ", "a "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=300).map("".join), st.integers(-5, 400),
       st.integers(-5, 400))
def test_hostile_input_never_raises(text: str, a: int, b: int) -> None:
    for about in (None, Span(a, b, text[a:b] if a >= 0 and b >= 0 else "")):
        for mention in find_mentions(text, about):
            mention.span.check(text)
            assert mention.label


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500))
def test_arbitrary_text(text: str) -> None:
    for mention in find_mentions(text):
        mention.span.check(text)


def test_long_runs_are_linear() -> None:
    """No catastrophic backtracking: long runs of names and connectors finish quickly."""
    text = ("Grand " * 20000) + ("of the " * 20000) + "Festival " + ("’" * 20000)
    found = find_mentions(text)
    assert len(found) <= 1


def test_acronym_in_parentheses_is_an_alias() -> None:
    text = ("The Manchester Literature Festival (MLF) opened. Later the MLF grew, and the "
            "Institut National de la Musique (National Music Institute) too.")
    found = find_mentions(text)
    assert [(m.kind, m.label) for m in found] == [
        ("event", "Manchester Literature Festival"),
        ("organisation", "Institut National de la Musique")]
    aliases = [[a.text for a in m.aliases] for m in found]
    assert aliases == [["MLF", "MLF"], ["National Music Institute"]]
    for mention in found:
        for alias in mention.aliases:
            alias.check(text)


def test_lists_appositions_and_coordination() -> None:
    text = ("It hosts festivals such as DYOM, Ekala Mba Ni Nkem and the Kuching Jazz Festival "
            "and Sarawak Regatta. The product design fair STYLE Bangkok returns. Wildscreen, "
            "the world's leading wildlife film festival, too. The Spring Fair and Peace is old; "
            "the Music Library and Museum, the Kunsthalle and the Easter and Carnival.")
    found = {(m.kind, m.label, m.rule) for m in find_mentions(text)}
    assert found == {
        ("event", "DYOM", "list"), ("event", "Ekala Mba Ni Nkem", "list"),
        ("event", "Kuching Jazz Festival", "head"), ("event", "Sarawak Regatta", "head"),
        ("event", "STYLE Bangkok", "apposition"), ("event", "Wildscreen", "apposition"),
        ("event", "Spring Fair and Peace", "head"),
        ("facility", "Music Library and Museum", "head"),
        ("facility", "Kunsthalle", "suffix-head")}


def test_precision_guards() -> None:
    """Degrees, holidays, unions of states and places are not entities; a city's possessive
    is not part of a name; "and" between two modifiers of one head joins one name."""
    text = ("Courses include Master of Design and Bachelor of Fine Arts. On Mother's Day the "
            "European Union met in Shenzhen. The dish Fogaça da Feira is sold. Linz's "
            "Tabakfabrik and the Ars Electronica Centre and Futurelab opened. The Reykjavík "
            "Music and Conference Centre Harpa and the World Crafts and Folk Arts Biennale. "
            "The Lakeside Museum of African art and the craft forum Rencontres des artisans, "
            "then the Iowa Writers' Workshop; the Writers' Workshop again.")
    found = {(m.kind, m.label) for m in find_mentions(text)}
    assert found == {
        ("facility", "Tabakfabrik"), ("facility", "Ars Electronica Centre"),
        ("facility", "Futurelab"), ("facility", "Reykjavík Music and Conference Centre Harpa"),
        ("event", "World Crafts and Folk Arts Biennale"),
        ("facility", "Lakeside Museum of African art"), ("event", "Rencontres des artisans"),
        ("organisation", "Iowa Writers' Workshop")}


def test_round_three_rules() -> None:
    """Kinds from an event head ending a tail, short forms before a tail, a place's
    possessive after "and", elided articles, new heads, dashes and cue phrases."""
    text = ("The Guild of Lakeside Potters Conference met. The Ribbon Quilt Museum of the "
            "Northern Hills opened; the Ribbon Quilt Museum grew. The Lakeside Book Institute "
            "and Finland’s oldest college joined. The Festival International d'Art Sonore, "
            "the Hilltown Harvest Month, the Blue Stone Square and the Hilltown Cultural "
            "Movement. Kalimbo - the region's longest-running festival - returns. It is "
            "organised by the Hilltown Weavers Circle, and the 12th edition of Blue River "
            "Nights was held. Park Min-Jun wrote it.")
    found = {(m.kind, m.label, m.rule) for m in find_mentions(text)}
    assert found == {
        ("event", "Guild of Lakeside Potters Conference", "head"),
        ("facility", "Ribbon Quilt Museum of the Northern Hills", "head"),
        ("organisation", "Lakeside Book Institute", "head"),
        ("event", "Festival International d'Art Sonore", "head"),
        ("event", "Hilltown Harvest Month", "head"),
        ("facility", "Blue Stone Square", "head"),
        ("organisation", "Hilltown Cultural Movement", "head"),
        ("event", "Kalimbo", "apposition"),
        ("organisation", "Hilltown Weavers Circle", "cue"),
        ("event", "Blue River Nights", "cue")}


def test_round_four_rules() -> None:
    """A list before a head is part of the name; projects and programmes named after a head
    are not entities; a company's legal form is the same company; heads in more languages;
    a pronoun before "are" is not a listed name."""
    text = ("The Oat, Barley, and Rye Festival of Hilltown and the first Old Media, Print and "
            "Paper Expo met. The Harbour Food Bank Project started. Lakeside Films GmbH grew "
            "out of Lakeside Films. The Casa de los Vientos, the Hilltown Craft Village and the "
            "Ribbon Jam and Quilting Awards, and the Bluewater en Rietveld Wine Association. "
            "There are many bookshops. They are venues. Harbour Road, Lake Lane and River "
            "Music Festival.")
    found = {(m.kind, m.label) for m in find_mentions(text)}
    assert found == {
        ("event", "Oat, Barley, and Rye Festival of Hilltown"),
        ("event", "Old Media, Print and Paper Expo"),
        ("organisation", "Lakeside Films GmbH"),
        ("facility", "Casa de los Vientos"), ("facility", "Hilltown Craft Village"),
        ("event", "Ribbon Jam"), ("event", "Quilting Awards"),
        ("organisation", "Bluewater en Rietveld Wine Association"),
        ("event", "River Music Festival")}
    text = ("The city funds the Coro Lirico, Zephyr and Flutes et Tambours associations, "
            "not the Crafts and Folk Art festivals. Lakeside PEN, a member of PEN "
            "International INGO, works with the Hilltown Writers Association for ICORN guest "
            "writers.")
    found = {(m.kind, m.label, m.rule) for m in find_mentions(text)}
    assert found == {
        ("organisation", "Coro Lirico", "head"), ("organisation", "Zephyr", "list"),
        ("organisation", "Flutes et Tambours", "list"),
        ("organisation", "Lakeside PEN", "head"), ("organisation", "PEN International", "head"),
        ("organisation", "Hilltown Writers Association", "head")}
    text = ("Children joined the Governor’s Summer Reading Challenge, while Hilltown's Cultural "
            "Office watched the Semanas Musicales de Hilltown and the Lakeside Olympics.")
    found = {(m.kind, m.label) for m in find_mentions(text)}
    assert found == {("event", "Governor’s Summer Reading Challenge"),
                     ("event", "Semanas Musicales de Hilltown"), ("event", "Lakeside Olympics")}
    text = ("Weavers in Wool and Linen (WIWL) met the Creative and Cultural Industries (CCIs), "
            "the European Capital of Culture (ECoC) and the Hilltown Arts Programme (HAP).")
    found = {(m.kind, m.label, m.rule) for m in find_mentions(text)}
    assert found == {("organisation", "Weavers in Wool and Linen", "acronym")}


def test_place_names_come_from_the_members_table() -> None:
    from ccgraph.extract.mention_places import ends_in_place, is_place, place_names

    assert len(place_names()) > 300
    assert is_place("Santa Maria da Feira") and is_place("Finland") and is_place("linz")
    assert not is_place("Tabakfabrik")
    assert ends_in_place("Fogaça da Feira") and not ends_in_place("Festival of Porto-Novo")


def test_gazetteer_names_without_their_head() -> None:
    from ccgraph.extract.mention_links import link_mentions
    from ccgraph.records import Profile

    first = "The Blue Ribbon Sound Festival returns."
    second = "Artists met at Blue Ribbon Sound, and at Lakeside Jazz."
    profiles = [Profile(source=f"p{n}", text=t, city=c, field="music",
                        about=Span(0, len(t), t))
                for n, (t, c) in enumerate(((first, "Lakeside"), (second, "Hilltown")))]
    link_mentions(profiles)
    found = [(m.kind, m.label, m.rule) for m in profiles[1].mentions]
    assert found == [("event", "Blue Ribbon Sound", "gazetteer-stem")]
    profiles[1].mentions[0].span.check(second)


def test_one_name_per_entity_across_profiles() -> None:
    from ccgraph.extract.mention_links import link_mentions
    from ccgraph.records import Profile

    first = "The Ribbon Film Festival (RFF) and the Lake Opera House open."
    second = "Events such as RFF and the Lake Opera House, then the Ribbon Film Festival."
    profiles = [Profile(source=f"p{n}", text=t, city="Lakeside", field="film",
                        about=Span(0, len(t), t)) for n, t in enumerate((first, second))]
    link_mentions(profiles)
    labels = [[(m.kind, m.label) for m in p.mentions] for p in profiles]
    assert labels[0] == [("event", "Ribbon Film Festival"), ("facility", "Lake Opera House")]
    assert labels[1] == [("event", "Ribbon Film Festival"), ("facility", "Lake Opera House")]
    festival = profiles[1].mentions[0]
    assert festival.span.text == "RFF"  # first seen as its acronym: the span says so
    assert [a.text for a in festival.aliases] == ["RFF", "Ribbon Film Festival"]
    for profile in profiles:
        for mention in profile.mentions:
            for span in (mention.span, *mention.aliases):
                span.check(profile.text)


def test_explain_mention_command(capsys: pytest.CaptureFixture[str]) -> None:
    from ccgraph.cli import main

    assert main(["explain-mention", "Home of festivals such as DYOM and the Oulu Art "
                                    "Museum (OAM)."]) == 0
    out = capsys.readouterr().out
    assert "'DYOM'" in out and "rule list" in out
    assert "'Oulu Art Museum'" in out and "rule head" in out and "aliases: OAM" in out
    assert main(["explain-mention", "@/nonexistent/file.txt"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_names_listed_beside_a_named_one() -> None:
    """Rule ``sibling``: a name without a head listed beside one of known kind takes its
    kind, in both directions, only in a real list ("and", three items or a list lead), never
    a list of words or places, nor an apposition ("X, the Y Centre")."""
    text = ("Events like Lantern Walk, the Hilltown Poetry Festival, Copper Nights and "
            "Fennwick. The Quarry Jazz Festival, The Night Owls, The Harbour Sound, and the "
            "Lakeside Song Contest. Dorrel, the Hilltown Craft Centre, opened. Fields of "
            "Culture, Health, Hilltown Orchestra and Memory. In Latin America, the Harbour "
            "Film Festival and Quillon Days grew.")
    found = {(m.kind, m.label, m.rule) for m in find_mentions(text)}
    assert {("event", "Lantern Walk", "list"), ("event", "Copper Nights", "list"),
            ("event", "Fennwick", "list"), ("event", "Harbour Sound", "sibling")} <= found
    labels = {label for _, label, _ in found}
    assert not labels & {"Dorrel", "Health", "Memory", "Latin America", "Culture"}
    assert ("event", "Quillon Days", "head") in found


def test_acronym_dash_name_and_heads_of_round_six() -> None:
    """Rule ``dash-acronym`` ("COFA - Name", the acronym an alias; a dash acronym after a
    name is its alias); Romance heads with a lower-case tail; band and troupe heads;
    initials and "3D" inside names; a category noun, a comma and a name."""
    text = ("Festivals such as the Tern Festival, KVAF - Hilltown Children and Youth Animated "
            "Film Festival, RFA - Riverside Folk Adventure, and Orla Fest. The Oat Fair – "
            "OATFAIR, grew. In 2015 the Maison de la poésie, with the Palais du Peuple, opened. "
            "The Idanvale Brass Band and the Ostra Folk Troupe played at the P.K. Varma Award "
            "and the Morrow 3D Festival. Near the harvest festival, Quennick, with the old "
            "university, the Dalmarnian, founded in 1364.")
    found = {m.label: m for m in find_mentions(text)}
    festival = found["Hilltown Children and Youth Animated Film Festival"]
    assert (festival.kind, festival.rule) == ("event", "dash-acronym")
    assert [a.text for a in festival.aliases] == ["KVAF"]
    assert found["Riverside Folk Adventure"].kind == "event"
    assert [a.text for a in found["Oat Fair"].aliases] == ["OATFAIR"]
    assert "OATFAIR" not in found and "Youth Animated Film Festival" not in found
    assert found["Maison de la poésie"].kind == "facility"
    assert found["Palais du Peuple"].kind == "facility"
    assert found["Idanvale Brass Band"].kind == "organisation"
    assert found["Ostra Folk Troupe"].kind == "organisation"
    assert found["P.K. Varma Award"].kind == "event"
    assert found["Morrow 3D Festival"].kind == "event"
    assert (found["Quennick"].kind, found["Quennick"].rule) == ("event", "apposition")
    assert found["Dalmarnian"].kind == "facility"
    for mention in found.values():
        assert mention.span.text == text[mention.span.start:mention.span.end]


def test_round_eight_rules() -> None:
    """Round 8: a unit "of" an institution is one name (M2); "the City Council" without the
    city is generic; a descriptor before a place or a saint is not part of the name; a
    locative tail after a tail stays; a list has one "and"; "and" inside a body's tail;
    compound heads and cognates of the heads (docs/annotation.md, round 8)."""
    text = ("Research at the soundLab of the Hilltown University grew. The City Council "
            "funds it, and the Bologna City Council too. Visitors see the Gothic Saint Brenna "
            "Church and the Local Bologna Lantern Days. The Centre for Rural Weaving in "
            "Montréal opened, and the Harbour Jazz Festival in Bologna ended.")
    found = {(m.kind, m.label) for m in find_mentions(text)}
    assert found == {
        ("facility", "soundLab of the Hilltown University"),
        ("organisation", "Bologna City Council"),
        ("facility", "Saint Brenna Church"), ("event", "Bologna Lantern Days"),
        ("facility", "Centre for Rural Weaving in Montréal"),
        ("event", "Harbour Jazz Festival")}
    text = ("The city hosts events such as the Lantern Parade and the Silk and Wool Weavers "
            "Gathering, and visiting conferences like Guild of Poets and Verse Programs and "
            "Quarry Reading Association. The Harbour Food Bank Project started.")
    found = {(m.kind, m.label) for m in find_mentions(text)}
    assert found == {
        ("event", "Lantern Parade"), ("event", "Silk and Wool Weavers Gathering"),
        ("organisation", "Guild of Poets and Verse Programs"),
        ("organisation", "Quarry Reading Association")}
    text = ("Readers meet at the Stadtliteraturhaus and the Mediathèque Lumière; the Teatru "
            "Vechi Orasului and the Fundação Luz Serena host the Bauhaus style and a Museums "
            "Night. Academic Studies grew.")
    found = {(m.kind, m.label, m.rule) for m in find_mentions(text)}
    assert found == {
        ("facility", "Stadtliteraturhaus", "suffix-head"),
        ("facility", "Mediathèque Lumière", "head"),
        ("facility", "Teatru Vechi Orasului", "head"),
        ("organisation", "Fundação Luz Serena", "head")}
