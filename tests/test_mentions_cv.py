"""The honest estimate of the mention extractor: k-fold cross-validation by profile, and the
learned decision over the rules' candidates (extract/mention_cv.py, mention_model.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccgraph.cli import main
from ccgraph.extract.mention_cv import (
    GROUPS,
    SUFFIX_MARK,
    Corpus,
    cross_validate,
    development_golds,
    field_split,
    fields_of,
    fold_split,
    format_rule_counts,
    head_support,
    lexicon_field_estimate,
    rule_counts,
    without_heads,
)
from ccgraph.extract.mention_eval import load_gold, mention_scores, score_mentions
from ccgraph.extract.mention_heads import HEADS
from ccgraph.extract.mention_model import (
    CLASSES,
    PROPOSALS,
    decide,
    explain,
    features,
    load,
    save,
    shipped_model,
    train,
)
from ccgraph.extract.mention_variants import variants
from ccgraph.extract.mentions import find_candidates, find_mentions, with_proposals
from ccgraph.gold_scores import mention_dir

FOLDS = 5


@pytest.fixture(scope="module")
def data(corpus_path: Path) -> Corpus:
    return Corpus(corpus_path, development_golds())


@pytest.fixture(scope="module")
def estimate(data: Corpus) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    return {"rules": cross_validate(data, FOLDS, learned=False),
            "model": cross_validate(data, FOLDS)}


@pytest.fixture(scope="module")
def field_estimate(data: Corpus) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    return {"rules": cross_validate(data, learned=False, by_field=True),
            "model": cross_validate(data, by_field=True)}


def test_the_estimate_reads_development_and_demoted_profiles_only() -> None:
    golds = development_golds()
    indexes = [g.index for g in golds]
    assert len(indexes) == len(set(indexes))
    development = {g.index for g in load_gold(mention_dir("development"))}
    demoted = frozenset().union(*GROUPS.values())
    assert set(indexes) == development | demoted
    still_held = {g.index for g in load_gold(mention_dir("heldout"))} - demoted
    assert not still_held & set(indexes)


@pytest.mark.slow
def test_folds_cover_every_profile_once(data: Corpus) -> None:
    tested: list[int] = []
    for fold in range(FOLDS):
        training, test = fold_split(data.golds, FOLDS, fold)
        assert not {g.index for g in training} & {g.index for g in test}
        assert len(training) + len(test) == len(data.golds)
        tested += [g.index for g in test]
    assert sorted(tested) == sorted(g.index for g in data.golds)


@pytest.mark.slow
def test_rules_alone_estimate_is_their_plain_score(
        data: Corpus, estimate: dict[str, dict[str, dict[str, dict[str, float]]]],
        corpus_path: Path) -> None:
    """The rules learn nothing from the gold: summed over the folds, they score what
    gold-scores prints for the same profiles (the development folder, read the same way)."""
    plain = score_mentions(data.golds, data.found(None))
    for kind, counts in plain["kinds"].items():
        assert {k: estimate["rules"]["all"][kind][k] for k in ("tp", "fp", "fn")} == {
            k: counts[k] for k in ("tp", "fp", "fn")}
    dev = mention_scores(mention_dir("development"), corpus_path)
    dev_only = [g for g in data.golds if g.index in {x.index for x in
                                                     load_gold(mention_dir("development"))}]
    assert score_mentions(dev_only, data.found(None))["overall"] == dev["overall"]


@pytest.mark.slow
def test_estimate_floors(estimate: dict[str, dict[str, dict[str, dict[str, float]]]]) -> None:
    """The cross-validated numbers of 2026-12-02 (docs/annotation.md, round 6) as floors:
    a change that loses on the estimate fails here. (Held-out 4 was studied in round 6, so
    its old overfitting gap is no longer asserted: the sixth set, blind, shows the gap now —
    tests/test_mentions.py HELDOUT_FLOORS.)"""
    rules, model = estimate["rules"], estimate["model"]
    # round 6 (277 profiles): rules 0.935 / 0.857, held-out 4 0.833 / 0.741, model 0.930 /
    # 0.842 (docs/annotation.md, round 6); round 8: rules 0.954 / 0.873, held-out 4 0.923 /
    # 0.800, model 0.944 / 0.862
    assert rules["all"]["overall"]["precision"] >= 0.95
    assert rules["all"]["overall"]["recall"] >= 0.87
    assert rules["held-out 4"]["overall"]["precision"] >= 0.92
    assert rules["held-out 4"]["overall"]["recall"] >= 0.80
    assert model["all"]["overall"]["precision"] >= 0.94
    assert model["all"]["overall"]["recall"] >= 0.86


@pytest.mark.slow
def test_model_never_sees_its_test_fold(data: Corpus) -> None:
    """A feature that only the test fold's candidates have carries no weight."""
    training, test = fold_split(data.golds, FOLDS, 0)
    model = data.train(training)
    seen = {f for feats, _ in data.examples(training) for f in feats}
    only_test = {f for feats, _ in data.examples(test) for f in feats} - seen
    assert only_test
    assert not only_test & set(model.weights)


@pytest.mark.slow
def test_training_is_deterministic_and_saved_without_prose(data: Corpus,
                                                          tmp_path: Path) -> None:
    examples = data.examples(data.golds[:60])
    first, second = train(examples), train(examples)
    assert first == second
    path = tmp_path / "weights.json"
    save(first, path)
    assert load(path) == first
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["classes"] == list(CLASSES)
    # features are single words, word pairs and shapes: never a run of the profiles' text
    assert max(len(feat.split("=", 1)[-1].split()) for feat in saved["weights"]) <= 2


@pytest.mark.slow
def test_model_decides_and_explains(data: Corpus, corpus_path: Path) -> None:
    model = data.train()
    gold = data.golds[0]
    profile = data.profiles[data.slot[gold.index]]
    candidates = data.candidates[data.slot[gold.index]]
    kept = decide(profile.text, candidates, model)
    assert kept
    for a in kept:  # overlapping readings: one wins
        assert not any(b is not a and a.span.start < b.span.end and b.span.start < a.span.end
                       for b in kept)
        assert a.span.text == profile.text[a.span.start:a.span.end]
    candidate = next(c for c in candidates if (c.span.start, c.span.end) in
                     {(m.span.start, m.span.end) for m in kept})
    why = explain(profile.text, candidate, model)
    assert why.startswith("model: ")
    assert any(f in why for f in features(profile.text, candidate))
    # without a model the rules decide alone: the proposals are dropped, nothing re-kinded
    rules = decide(profile.text, candidates, None)
    assert rules == [c for c in candidates if c.rule not in PROPOSALS]


def _f1(scores: dict[str, float]) -> float:
    p, r = scores["precision"], scores["recall"]
    return 2 * p * r / (p + r) if p + r else 0.0


@pytest.mark.slow
def test_shipped_choice_agrees_with_the_estimate(
        estimate: dict[str, dict[str, dict[str, dict[str, float]]]]) -> None:
    """A model is shipped only when its cross-validated F1 beats the rules alone, both over
    every profile and over the profiles held out last; without one, find_mentions is the
    rules' output, unchanged."""
    beats = all(_f1(estimate["model"][group]["overall"]) > _f1(estimate["rules"][group]["overall"])
                for group in ("all", "held-out 4"))
    assert (shipped_model() is not None) == beats
    text = ("The Lakeside Poetry Festival and the Harbour Glass Museum opened; the Aldern "
            "Weavers Guild and Copper Bell Awards followed, with the P.Q. Marlow Prize.")
    if shipped_model() is None:
        assert find_mentions(text) == find_candidates(text)
    else:
        assert find_mentions(text) == decide(text, with_proposals(text, None,
                                                                  find_candidates(text)),
                                             shipped_model())


def test_variants_offer_other_boundaries_at_and() -> None:
    text = ("It hosts the Orchard Song School of Music and Lantern Evenings each summer, "
            "and the R.T. Varen Literature Award.")
    found = find_candidates(text)
    labels = {m.label for m in variants(text, found)}
    joined = {m.label for m in found}
    assert "Orchard Song School of Music and Lantern Evenings" in joined
    assert {"Orchard Song School of Music", "Lantern Evenings"} <= labels
    # initials before a name are one token of it: the rules name it whole, no variant needed
    assert "R.T. Varen Literature Award" in joined
    assert "Varen Literature Award" not in joined | labels
    for mention in variants(text, found):
        assert mention.rule in PROPOSALS
        assert mention.span.text == text[mention.span.start:mention.span.end]


@pytest.mark.slow
def test_gold_scores_cv_command(corpus_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gold-scores", "--cv", "--folds", "3", str(corpus_path)]) == 0
    out = capsys.readouterr().out
    assert "3-fold cross-validation" in out
    assert "rules alone" in out and "rules + model" in out
    assert "held-out 4" in out
    assert main(["gold-scores", "--cv", "--folds", "1", str(corpus_path)]) == 2
    assert "--folds needs 2" in capsys.readouterr().err


@pytest.mark.slow
def test_field_folds_leave_one_field_out(data: Corpus) -> None:
    fields = fields_of(data.golds)
    assert len(fields) == 7  # every creative field has development profiles
    tested: list[int] = []
    for field in fields:
        training, test = field_split(data.golds, field)
        assert test and {g.field for g in test} == {field}
        assert field not in {g.field for g in training}
        assert len(training) + len(test) == len(data.golds)
        tested += [g.index for g in test]
    assert sorted(tested) == sorted(g.index for g in data.golds)


@pytest.mark.slow
def test_leave_one_field_out_estimate(
        data: Corpus, field_estimate: dict[str, dict[str, dict[str, dict[str, float]]]]) -> None:
    """The rules learn nothing: left out field by field they score their plain score, and
    the fields' counts add up to it. Floors: the numbers of round 7 (docs/annotation.md)."""
    rules, model = field_estimate["rules"], field_estimate["model"]
    plain = score_mentions(data.golds, data.found(None))
    assert {k: rules["all"]["overall"][k] for k in ("tp", "fp", "fn")} == {
        k: plain["overall"][k] for k in ("tp", "fp", "fn")}
    for key in ("tp", "fp", "fn"):
        assert sum(rules[f]["overall"][key] for f in fields_of(data.golds)) == (
            rules["all"]["overall"][key])
    # round 7 (277 profiles): rules 0.943 / 0.864; rules + model 0.937 / 0.853; round 8:
    # rules 0.954 / 0.873, rules + model 0.945 / 0.865
    assert rules["all"]["overall"]["precision"] >= 0.95
    assert rules["all"]["overall"]["recall"] >= 0.87
    assert model["all"]["overall"]["precision"] >= 0.94
    assert model["all"]["overall"]["recall"] >= 0.86
    for field in fields_of(data.golds):  # no field far below the others
        assert rules[field]["overall"]["precision"] >= 0.9, field
        assert rules[field]["overall"]["recall"] >= 0.8, field


@pytest.mark.slow
def test_rule_counts_add_up_to_the_scores(data: Corpus) -> None:
    found = data.found(None)
    counts = rule_counts(data.golds, found)
    plain = score_mentions(data.golds, found)["overall"]
    assert sum(row["all"]["tp"] for row in counts.values()) == plain["tp"]
    assert sum(row["all"]["fp"] for row in counts.values()) == plain["fp"]
    for row in counts.values():
        for key in ("tp", "fp"):
            assert sum(c[key] for f, c in row.items() if f != "all") == row["all"][key]
    assert counts["head"]["all"]["tp"] > counts["list"]["all"]["tp"] > 0
    table = format_rule_counts(counts)
    assert table.splitlines()[2].startswith("head")  # most right names first
    assert f"{counts['head']['all']['tp']} / {counts['head']['all']['fp']}" in table


@pytest.mark.slow
def test_gold_scores_cv_by_field_command(corpus_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gold-scores", "--cv", "--by-field", str(corpus_path)]) == 0
    out = capsys.readouterr().out
    assert "leave-one-field-out cross-validation" in out
    assert "Gastronomy" in out and "held-out 5" in out
    assert "names per rule, right / false" in out
    assert "head nouns learned leave-one-field-out" in out


def test_without_heads_restores_the_lexicon() -> None:
    text = "The Harbour Lantern Regatta opened."
    before = dict(HEADS)
    assert [m.label for m in find_candidates(text)] == ["Harbour Lantern Regatta"]
    with without_heads(["Regatta"]):
        assert "Regatta" not in HEADS
        assert not find_candidates(text)
    assert before == HEADS
    with pytest.raises(RuntimeError), without_heads(["Regatta", "Museum"]):
        raise RuntimeError
    assert before == HEADS
    assert [m.label for m in find_candidates(text)] == ["Harbour Lantern Regatta"]


def test_without_heads_leaves_out_endings_and_keeps_cognates() -> None:
    """An ending ("-haus") is left out like a head word; a head left out is still read
    as the cognate of a head of its family that stays ("Teatro" as "Theatre")."""
    compound = "Readers met at the Stadtliteraturhaus yesterday."
    assert [m.rule for m in find_candidates(compound)] == ["suffix-head"]
    with without_heads(["-haus"]):
        assert not find_candidates(compound)
    assert [m.label for m in find_candidates(compound)] == ["Stadtliteraturhaus"]
    text = "Concerts filled the Teatro Nuevo Amanecer last spring."
    with without_heads(["Teatro"]):
        assert [(m.kind, m.label) for m in find_candidates(text)] == [
            ("facility", "Teatro Nuevo Amanecer")]
    with without_heads(["Teatro", "Theatre", "Teatre", "Teatr", "Théâtre", "Theater"]):
        assert not find_candidates(text)


@pytest.mark.slow
def test_lexicon_learned_leave_one_field_out(data: Corpus) -> None:
    """Heads that only one field's right names hold are left out when that field is scored:
    recall falls (the heads of unseen profiles are missing in the same way), precision
    stays; the whole lexicon and the profiles' mentions are back afterwards."""
    before = dict(HEADS)
    plain = score_mentions(data.golds, data.found(None))
    support = head_support(data.golds, data.found(None))
    assert support["Festival"] >= {"Music", "Film", "Literature"}
    assert any(len(fields) == 1 for fields in support.values())
    estimate = lexicon_field_estimate(data)
    assert before == HEADS
    assert score_mentions(data.golds, data.found(None))["overall"] == plain["overall"]
    overall = estimate["all"]["overall"]
    assert overall["recall"] < plain["overall"]["recall"]
    # round 7 (277 profiles): 0.928 / 0.795 (facility 0.722, organisation 0.732); round 8,
    # endings learned like head words too: 0.938 / 0.804 (facility 0.741, organisation 0.737)
    assert overall["precision"] >= 0.93
    assert overall["recall"] >= 0.80
    assert any(key.startswith(SUFFIX_MARK) for key in support)
    assert sum(estimate[f]["overall"]["tp"] for f in fields_of(data.golds)) == overall["tp"]
