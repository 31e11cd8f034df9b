"""Theme rules (data/vocab/themes.ttl) measured against hand-annotated pledges.

The gold sets (data/gold/themes/development.csv and heldout.csv; conventions in
docs/annotation.md) name each pledge by corpus index, its position and its first five
words (never the whole sentence), with the themes an annotator gave it. Pledges are looked
up by their first five words, so the test does not depend on the exact splitter.

In the development file, column ``set`` says "tuning" (22 profiles annotated first and used
while writing the patterns) or "held-out" (7 profiles annotated after the first patterns);
all of it now guides rule changes, and so do the rows marked "held-out-1-demoted" (the first
held-out set, seen in the first round and demoted on 2026-12-01), "held-out-2-demoted"
(the second, scored in round 2 and demoted at the start of round 3) and "held-out-3-demoted"
(the third, scored in round 3 and demoted at the start of round 4). heldout.csv (17 other
profiles, picked by scripts/pick_heldout.py --round4) was annotated blind, against the
concepts' definitions, and scored once in round 4; in round 5 its rows (set "held-out-4") were
used as development data too (they are demoted, and a fresh blind set replaces them), and in
round 6 the fifth set's rows (set "held-out-5") were: until a fresh blind set replaces them the
held-out score printed here is optimistic. See docs/themes.md.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from ccgraph import theme_carry as carry
from ccgraph import theme_learn as learn
from ccgraph.extract.mention_eval import load_profiles
from ccgraph.gold_scores import load_theme_gold, theme_csv, theme_scores
from ccgraph.namespaces import CCG
from ccgraph.themes import (
    DEFAULT_VOCAB,
    OTHER,
    ThemeRule,
    ThemeRuleError,
    assign_themes,
    assign_themes_or_other,
    commitment_end,
    explain,
    load_default_rules,
    load_rules,
)

GOLD = theme_csv("development")
Gold = list[tuple[int, str, int, str, set[str], str]]
THEME = "https://w3id.org/ccgraph/id/theme/"
REQUIRED = {"international-cooperation", "industry-and-entrepreneurship", "urban-regeneration",
            "knowledge-sharing", "citizen-participation", "tourism", "education-and-youth",
            "social-inclusion", "sustainable-development"}

#: what the development theme set measures (351 pledges since the third held-out set joined
#: it; 427 with the fourth; round 5: 0.909 with `other` counted as a theme; round 6: 0.920
#: on 502 pledges with the fifth set demoted into it; round 7: 0.921 after two gold rows were
#: fixed by written conventions, docs/themes.md; round 8: 0.923 on the gold clarified by
#: T1-T8, 0.915 before the round-8 rules), rounded down
DEV_F1_FLOOR = 0.92
#: what the rules reach on development when each creative field is left out and a pattern
#: counts only if it was right in another field (ccgraph.theme_carry; round 8: 0.858, 0.852
#: before it): a change that helps only the field it was written from does not raise it
CARRY_FIELD_OUT_FLOOR = 0.855
#: the largest share of corpus pledges that may get only the fallback "other" (11.0% in round 5)
OTHER_SHARE_CEILING = 0.12
#: what the held-out theme set measures (the issue asks 0.92: not reached, see docs/themes.md);
#: the fifth held-out set (75 pledges, round 5), scored once: micro-F1 0.760; the sixth
#: (70 pledges, round 6), scored once after the round-6 rules were merged: P 0.769, R 0.792,
#: micro-F1 0.780
HELDOUT_F1_FLOOR = 0.77
#: the seventh (122 pledges of the last 26 profiles, Music and Crafts and Folk Art, round 7),
#: scored once after the round-7 merge: P 0.771, R 0.795, micro-F1 0.783
HELDOUT7_F1_FLOOR = 0.78

_WORD = re.compile(r"[\w’'´-]+")


def first_words(text: str, n: int = 5) -> str:
    return " ".join(w.casefold() for w in _WORD.findall(text)[:n])


@pytest.fixture(scope="module")
def vocab() -> Graph:
    graph = Graph()
    graph.parse(DEFAULT_VOCAB, format="turtle")
    return graph


@pytest.fixture(scope="module")
def rules(vocab: Graph) -> list[ThemeRule]:
    return load_rules(vocab)


@pytest.fixture(scope="module")
def gold(corpus_path: Path) -> list[tuple[int, str, int, str, set[str], str]]:
    return _development(corpus_path)


def _development(corpus_path: Path) -> list[tuple[int, str, int, str, set[str], str]]:
    """(index, city, position, pledge text, gold theme slugs, set) for every gold pledge."""
    profiles = load_profiles(corpus_path)
    rows = []
    with GOLD.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            index = int(row["index"])
            profile = profiles[index]
            assert profile.city == row["city"], row
            pledges = [p for p in profile.pledges
                       if first_words(p.span.text) == first_words(row["first_words"])]
            assert len(pledges) == 1, f"pledge not found or ambiguous: {row}"
            assert pledges[0].position == int(row["position"]), row
            slugs = {s for s in row["themes"].split("|") if s}
            rows.append((index, row["city"], pledges[0].position, pledges[0].span.text, slugs,
                         row["set"]))
    return rows


def test_vocabulary_shape(vocab: Graph, rules: list[ThemeRule]) -> None:
    scheme = URIRef(THEME.rstrip("/"))
    themes = set(vocab.subjects(RDF.type, CCG.Theme))
    assert {URIRef(THEME + s) for s in REQUIRED} <= themes
    for theme in themes:
        assert (theme, RDF.type, SKOS.Concept) in vocab
        assert (theme, SKOS.inScheme, scheme) in vocab
        assert (theme, SKOS.topConceptOf, scheme) in vocab
        assert (scheme, SKOS.hasTopConcept, theme) in vocab
        langs = {getattr(o, "language", None) for o in vocab.objects(theme, SKOS.prefLabel)}
        assert "en" in langs
        assert vocab.value(theme, SKOS.definition) is not None
        assert list(vocab.objects(theme, CCG.keywordPattern)), theme
    assert {r.theme for r in rules} == themes
    # "other" is the fallback: its pattern never matches, not even an empty text
    other = next(r for r in rules if r.theme == OTHER)
    assert not any(p.search(text) for p in other.patterns for text in ("", "other", "x y"))


def test_each_definition_gets_its_own_theme(vocab: Graph, rules: list[ThemeRule]) -> None:
    """The patterns are written from the concepts' definitions (docs/themes.md): the
    definition of every theme (but the fallback) is given that theme and no other one."""
    checked = 0
    for theme in sorted(t for t in vocab.subjects(RDF.type, CCG.Theme) if t != OTHER):
        definition = str(vocab.value(theme, SKOS.definition))
        assert assign_themes(definition, rules) == [theme], (theme, definition,
                                                             explain(definition, rules))
        checked += 1
    assert checked >= len(REQUIRED) + 3


def test_every_pledge_gets_a_theme(corpus_path: Path, rules: list[ThemeRule]) -> None:
    """Every pledge of the corpus gets a theme, or the explicit fallback "other"."""
    profiles = {id(p): p for p in load_profiles(corpus_path).values()}.values()
    pledges = [pledge.span.text for profile in profiles for pledge in profile.pledges]
    assert len(pledges) > 1000
    given = [assign_themes_or_other(text, rules) for text in pledges]
    assert all(given)
    other = sum(1 for themes in given if themes == [OTHER])
    assert all(OTHER not in themes for themes in given if len(themes) > 1)
    print(f"\npledges given only 'other': {other} of {len(pledges)}")
    assert 0 < other <= OTHER_SHARE_CEILING * len(pledges)
    assert assign_themes_or_other("zzz qqq", rules) == [OTHER]


def test_quality_report_counts_other(network_build: Path, corpus_path: Path,
                                     rules: list[ThemeRule]) -> None:
    """The build gives every pledge a theme; those given only "other" are counted in
    quality.json and said in the build's warning, never silently dropped."""
    quality = json.loads((network_build / "reports" / "quality.json").read_text("utf-8"))
    counted = quality["pledges_with_theme_other"]
    profiles = {id(p): p for p in load_profiles(corpus_path).values()}.values()
    corpus_other = sum(1 for profile in profiles for pledge in profile.pledges
                       if assign_themes_or_other(pledge.span.text, rules) == [OTHER])
    # the build models the corpus (duplicated records once) beside the seed profile
    assert 0 < counted <= corpus_other + 10, (counted, corpus_other)
    assert counted >= corpus_other - 10, (counted, corpus_other)


def test_explain_on_the_command_line() -> None:
    """`python -m ccgraph.themes TEXT` says which pattern gave each theme, and the words."""
    text = "Sharing good practices with partner cities on food waste"
    run = subprocess.run([sys.executable, "-m", "ccgraph.themes", text], capture_output=True,
                         text=True, check=True, timeout=60)
    lines = run.stdout.splitlines()
    rules = {str(r.theme): r for r in load_rules(_vocab_graph())}
    got = [line.split()[0] for line in lines]
    assert got == [str(t) for t in assign_themes(text, list(rules.values()))]
    assert THEME + "knowledge-sharing" in got and THEME + "sustainable-development" in got
    for line in lines:
        matched = re.search(r"matched '([^']*)' at (\d+)-(\d+)$", line)
        assert matched, line
        assert text[int(matched[2]):int(matched[3])] == matched[1]
    other = subprocess.run([sys.executable, "-m", "ccgraph.themes", "zzz"], capture_output=True,
                           text=True, check=True, timeout=60)
    assert other.stdout.split()[0] == str(OTHER)
    usage = subprocess.run([sys.executable, "-m", "ccgraph.themes"], capture_output=True,
                           text=True, check=False, timeout=60)
    assert usage.returncode == 2 and "usage" in usage.stderr


def test_error_analysis_script(corpus_path: Path, gold: Gold, rules: list[ThemeRule]) -> None:
    """`scripts/theme_cv.py --errors` lists every error of the rules on the development
    pledges, each once, in one class, and its table counts exactly those lines."""
    script = Path(__file__).resolve().parents[1] / "scripts" / "theme_cv.py"
    run = subprocess.run([sys.executable, str(script), "--corpus", str(corpus_path), "--errors"],
                         capture_output=True, text=True, check=True, timeout=300)
    lines = [line for line in run.stdout.splitlines() if line.startswith(("FP ", "FN "))]
    # without --with-set only development rows are read (heldout.csv is not even opened)
    parts = {re.search(r"\[(\S+) \d+\]", line)[1] for line in lines}  # type: ignore[index]
    assert parts <= {g[5] for g in gold}, parts
    kinds = Counter(" ".join(line.split()[:2]) for line in lines)
    assert set(kinds) <= {"FP broad", "FP reading", "FP gold-other", "FP no-cue", "FN narrow",
                          "FN several", "FN other"}
    total = next(line for line in run.stdout.splitlines() if line.strip().startswith("all "))
    assert [int(n) for n in total.split()[1:]] == [kinds[k] for k in sorted(kinds)]
    fp = fn = 0
    for _, _, _, text, want, _ in gold:
        got = {str(t).removeprefix(THEME) for t in assign_themes(text, rules)} or {"other"}
        fp += len(got - (want or {"other"}))
        fn += len((want or {"other"}) - got)
    assert sum(v for k, v in kinds.items() if k.startswith("FP")) == fp > 0
    assert sum(v for k, v in kinds.items() if k.startswith("FN")) == fn > 0


def _vocab_graph() -> Graph:
    graph = Graph()
    graph.parse(DEFAULT_VOCAB, format="turtle")
    return graph


def test_rules_come_from_the_data() -> None:
    graph = Graph()
    graph.parse(data="""
        @prefix ccg: <https://w3id.org/ccgraph/ontology#> .
        <https://example.org/t/b> a ccg:Theme ; ccg:keywordPattern "\\\\bbeer\\\\b" .
        <https://example.org/t/a> a ccg:Theme ; ccg:keywordPattern "ale", "stout" .
    """, format="turtle")
    rules = load_rules(graph)
    text = "Stout and BEER for all"
    assert assign_themes(text, rules) == [URIRef("https://example.org/t/a"),
                                          URIRef("https://example.org/t/b")]
    why = explain(text, rules)
    assert [(m.pattern, m.text) for m in why] == [("stout", "Stout"), (r"\bbeer\b", "BEER")]
    assert text[why[1].start:why[1].end] == "BEER"
    assert assign_themes("beers", rules) == []


def test_bad_pattern_is_reported() -> None:
    graph = Graph()
    graph.parse(data="""
        @prefix ccg: <https://w3id.org/ccgraph/ontology#> .
        <https://example.org/t/x> a ccg:Theme ; ccg:keywordPattern "(unclosed" .
    """, format="turtle")
    with pytest.raises(ThemeRuleError, match=r"example\.org/t/x"):
        load_rules(graph)


def test_gold_set_size(gold: Gold) -> None:
    assert len(gold) >= 60
    assert len({g[0] for g in gold}) >= 20
    sapporo = sorted(g[2] for g in gold if g[0] == 319)
    assert sapporo == [1, 2, 3, 4]


def test_sapporo(gold: Gold,
                 rules: list[ThemeRule]) -> None:
    pledges = {g[2]: g[3] for g in gold if g[0] == 319}
    assert URIRef(THEME + "tourism") in assign_themes(pledges[4], rules)
    assert URIRef(THEME + "international-cooperation") in assign_themes(pledges[1], rules)


def score(gold: Gold, rules: list[ThemeRule]) -> tuple[dict[str, float], list[str]]:
    """Micro precision/recall/F1 and exact-set accuracy, and a per-theme table."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    exact = 0
    for _, _, _, text, want, _ in gold:
        got = {str(t).removeprefix(THEME) for t in assign_themes(text, rules)}
        exact += got == want
        for slug in got & want:
            tp[slug] += 1
        for slug in got - want:
            fp[slug] += 1
        for slug in want - got:
            fn[slug] += 1
    lines = [f"{'theme':<32}{'tp':>4}{'fp':>4}{'fn':>4}{'prec':>7}{'rec':>7}"]
    for slug in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[slug] / (tp[slug] + fp[slug]) if tp[slug] + fp[slug] else 1.0
        r = tp[slug] / (tp[slug] + fn[slug]) if tp[slug] + fn[slug] else 1.0
        lines.append(f"{slug:<32}{tp[slug]:>4}{fp[slug]:>4}{fn[slug]:>4}{p:>7.2f}{r:>7.2f}")
    t, f, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    precision = t / (t + f) if t + f else 1.0
    recall = t / (t + n) if t + n else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ({"precision": precision, "recall": recall, "micro_f1": f1,
             "exact": exact / len(gold) if gold else 1.0}, lines)


def _summary(name: str, n: int, s: dict[str, float]) -> str:
    return (f"{name:<9} {n:>4} pledges  micro P {s['precision']:.3f}  R {s['recall']:.3f}  "
            f"F1 {s['micro_f1']:.3f}  exact-set accuracy {s['exact']:.3f}")


def test_accuracy(gold: Gold, rules: list[ThemeRule], capsys: pytest.CaptureFixture[str]) -> None:
    overall, table = score(gold, rules)
    lines = ["themes, development gold pledges:", *table]
    for name in ("tuning", "held-out"):
        part = [g for g in gold if g[5] == name]
        assert part, name
        lines.append(_summary(name, len(part), score(part, rules)[0]))
    lines.append(_summary("all", len(gold), overall))
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert overall["micro_f1"] >= DEV_F1_FLOOR


def test_heldout_accuracy(corpus_path: Path, rules: list[ThemeRule],
                          capsys: pytest.CaptureFixture[str]) -> None:
    """The blind held-out set (never used to change a rule). The issue's target is micro-F1
    >= 0.92; this asserts what the rules really reach (see docs/themes.md)."""
    profiles = load_profiles(corpus_path)
    heldout = load_theme_gold(theme_csv("heldout"), profiles)
    assert len(heldout) >= 60 and len({g.index for g in heldout}) >= 14
    assert not {g.index for g in heldout} & {g[0] for g in _development(corpus_path)}
    scores = theme_scores(heldout, rules)
    with capsys.disabled():
        print(f"\nthemes, held-out: {len(heldout)} pledges, micro P {scores['precision']:.3f} "
              f"R {scores['recall']:.3f} F1 {scores['micro_f1']:.3f}")
    assert scores["micro_f1"] >= HELDOUT_F1_FLOOR


def test_seventh_heldout_accuracy(corpus_path: Path, rules: list[ThemeRule],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The seventh blind set: every pledge of the last 26 profiles outside every gold set."""
    profiles = load_profiles(corpus_path)
    heldout7 = load_theme_gold(theme_csv("heldout7"), profiles)
    assert len(heldout7) >= 100 and len({g.index for g in heldout7}) >= 20
    earlier = {g[0] for g in _development(corpus_path)} | {
        g.index for g in load_theme_gold(theme_csv("heldout"), profiles)}
    assert not {g.index for g in heldout7} & earlier
    scores = theme_scores(heldout7, rules)
    with capsys.disabled():
        print(f"\nthemes, held-out 7: {len(heldout7)} pledges, micro P "
              f"{scores['precision']:.3f} R {scores['recall']:.3f} F1 {scores['micro_f1']:.3f}")
    assert scores["micro_f1"] >= HELDOUT7_F1_FLOOR


def test_learned_method_is_deterministic_and_learns() -> None:
    """The regression that theme_cv.py cross-validates (not used by the build: it did not
    beat the rules, docs/themes.md) gives the same weights from the same rows, learns a
    signal a word carries, and explains a decision by the features that pushed it."""
    texts = [("planting trees along the river with the schools", {"green"}),
             ("pupils plant trees in the park", {"green"}),
             ("a festival of song in the old market", {"events"}),
             ("the song contest returns to the market square", {"events"}),
             ("trees and songs: a park festival", {"green", "events"}),
             ("a new bus timetable", {"other"})] * 3
    rows = [(learn.text_features(t), frozenset(want)) for t, want in texts]
    options = learn.TrainOptions(epochs=15)
    first = learn.train(rows, ["events", "green"], options)
    again = learn.train(rows, ["events", "green"], options)
    assert first == again
    feats = learn.text_features("trees by the school")
    assert first.decide_at(feats, 0.5) == {"green"}
    assert learn.text_features("Trees, planted") == ["p:tree_plant", "w:plant", "w:tree"]
    why = learn.contributions(first, "green", feats)
    assert why[0][0] == "w:tree" and why[0][1] > 0
    stacked = learn.features("song", ["events"])
    assert stacked == ["t:events", "w:song"]


def test_goal_patterns_stop_at_the_purpose() -> None:
    """A pattern marked ``(?#goal)`` is searched only before a purpose marker (T1 of
    docs/annotation.md); other patterns everywhere; a marker opening the pledge is its
    commitment, not a purpose."""
    graph = Graph()
    graph.parse(data="""
        @prefix ccg: <https://w3id.org/ccgraph/ontology#> .
        <https://example.org/t/econ> a ccg:Theme ; ccg:keywordPattern "(?#goal)\\\\beconomy\\\\b" .
        <https://example.org/t/jobs> a ccg:Theme ; ccg:keywordPattern "\\\\bjobs\\\\b" .
        <https://example.org/t/kids> a ccg:Theme ; ccg:keywordPattern "\\\\bchildren\\\\b" .
    """, format="turtle")
    rules = load_rules(graph)
    econ, jobs, kids = (URIRef(f"https://example.org/t/{s}") for s in ("econ", "jobs", "kids"))
    purpose = "workshops for children in order to grow the economy and jobs"
    assert commitment_end(purpose) == purpose.index(" in order to")
    assert assign_themes(purpose, rules) == [jobs, kids]
    assert assign_themes("growing the economy with workshops for children", rules) == [econ, kids]
    for marker in ("so that", "with the aim of", "aimed at", "aiming to", "so as to"):
        assert econ not in assign_themes(f"training children, {marker} the economy", rules)
    opening = "Aiming to grow the economy through workshops"
    assert commitment_end(opening) == len(opening)
    assert assign_themes(opening, rules) == [econ]
    why = explain("the economy grows so that the economy grows", rules)
    assert [(m.start, m.text) for m in why] == [(4, "economy")]


def test_negation_governs_the_next_words() -> None:
    """A match that "not", "without", "rather than", "instead of" or "outside" governs (up to
    two words before it) does not count, a later match of the same pattern does; "not only"
    is no negation."""
    graph = Graph()
    graph.parse(data="""
        @prefix ccg: <https://w3id.org/ccgraph/ontology#> .
        <https://example.org/t/trad> a ccg:Theme ; ccg:keywordPattern "\\\\btraditional\\\\b" .
    """, format="turtle")
    rules = load_rules(graph)
    trad = URIRef("https://example.org/t/trad")
    for text in ("reading outside traditional centres", "new work, not traditional crafts",
                 "without the traditional", "modern rather than traditional",
                 "instead of the old traditional"):
        assert assign_themes(text, rules) == [], text
    assert assign_themes("not only traditional crafts", rules) == [trad]
    text = "outside traditional centres and in traditional markets"
    assert [(m.start, m.text) for m in explain(text, rules)] == [(text.rindex("traditional"),
                                                                    "traditional")]


def test_shipped_goal_patterns(rules: list[ThemeRule]) -> None:
    """The shipped broad goals (sustainable development, the economy, industries) follow T1."""
    sd, industry, education = (URIRef(THEME + s) for s in (
        "sustainable-development", "industry-and-entrepreneurship", "education-and-youth"))
    after = assign_themes("teaching design to pupils so that the city grows its economy and "
                          "its sustainable development", rules)
    assert education in after and sd not in after and industry not in after
    before = assign_themes("teaching pupils about sustainable development and the economy",
                           rules)
    assert {education, sd, industry} <= set(before)
    assert any(p.pattern.startswith("(?#goal)") for r in rules for p in r.patterns)


def _pledge(profile: int, field: str, want: set[str], cues: set[tuple[str, str]],
            part: str = "r1") -> carry.GoldPledge:
    return carry.GoldPledge(profile, field, "", frozenset(want), frozenset(cues), part)


def test_carry_leaves_a_group_out() -> None:
    """A cue right only in one profile does not count for that profile when it is left out,
    but does for the others (where it may be wrong); leaving a field out is stricter."""
    a, b, x = ("t", "a-only"), ("t", "shared"), ("x", "x")
    pledges = [_pledge(1, "f1", {"t"}, {a}), _pledge(2, "f1", {"x"}, {a, x}),
               _pledge(3, "f1", {"t"}, {b}), _pledge(4, "f2", {"t"}, {b}),
               _pledge(5, "f2", {"x"}, {x}), _pledge(6, "f2", {"y"}, set())]
    support = carry.cue_support(pledges)
    assert support[a].right == 1 and support[a].fired == 2
    assert support[a].groups("profile") == {"1"} and support[b].groups("field") == {"f1", "f2"}
    assert carry.carried(pledges[0], support, "profile") == {"other"}
    assert carry.carried(pledges[2], support, "profile") == {"t"}
    assert carry.carried(pledges[2], support, "field") == {"t"}
    assert carry.carried(pledges[2], support, "profile", min_groups=2) == {"other"}
    assert carry.carried(pledges[1], support, "profile") == {"t", "x"}
    assert carry.plain(pledges[5]) == {"other"}
    scores = carry.carry_scores(pledges)
    assert scores["plain"].tp["t"] == 3 and scores["plain"].fp["t"] == 1
    assert scores["leave-one-profile-out"].tp["t"] == 2
    # pledge 3's cue was right in the other field, pledge 4's too; pledge 1's never elsewhere
    assert scores["leave-one-field-out"].tp["t"] == 2
    assert [s.cue for s in carry.single_source_cues(support, "profile")] == [a]
    ablation = {x.cue: x for x in carry.cue_ablation(pledges)}
    assert ablation[a].delta["leave-one-profile-out"] > 0  # a never helps, and is wrong once


def test_carry_estimate_on_development(corpus_path: Path, gold: Gold) -> None:
    """On the development gold the plain score is the gold-scores one (``other`` counted);
    a left-out estimate never gives a theme (but ``other``) the plain rules do not, and
    leaving a field out keeps no more than leaving a profile out."""
    pledges = carry.development_pledges(corpus_path)
    assert len(pledges) == len(gold)
    assert {p.round for p in pledges} == {g[5] for g in gold}
    scores = carry.carry_scores(pledges)
    rows = load_theme_gold(theme_csv("development"), load_profiles(corpus_path))
    assert scores["plain"].f1 == pytest.approx(theme_scores(rows, load_default_rules())["micro_f1"])
    support = carry.cue_support(pledges)
    for p in pledges:
        plain = carry.plain(p)
        by_profile = carry.carried(p, support, "profile") - {"other"}
        assert carry.carried(p, support, "field") - {"other"} <= by_profile <= plain
    f1 = {k: s.f1 for k, s in scores.items()}
    assert f1["plain"] > f1["leave-one-profile-out"] > f1["leave-one-field-out"]
    assert f1["leave-one-field-out"] >= CARRY_FIELD_OUT_FLOOR
    print("\ncarry estimate on development: " + ", ".join(f"{k} {v:.3f}" for k, v in f1.items()))
