"""ccgraph.agreement (scripts/agreement.py): agreement between two annotators of the
development gold (issue 13).

The tests run the functions on the committed files (data/agreement/ and the
development gold) and check that the numbers are computed: an annotation agrees with itself
exactly, a perturbed copy of it less; they do not assert the measured values.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ccgraph import agreement as agreement_module
from ccgraph.agreement import Sample

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "agreement.py"


@pytest.fixture(scope="module")
def agreement() -> ModuleType:
    return agreement_module


@pytest.fixture(scope="module")
def data(corpus_path: Path) -> Sample:
    return agreement_module.load_pair(corpus_path)


def test_the_sample_is_what_the_brief_asks(agreement: ModuleType, data: Sample) -> None:
    """100 pledges of at least 15 profiles of every field, 12 mention profiles, both
    annotated on both sides."""
    selection = agreement.read_selection()
    themes = [r for r in selection if r["part"] == "themes"]
    mentions = [r for r in selection if r["part"] == "mentions"]
    assert len(themes) == len(data.themes_gold) == len(data.themes_second) == 100
    assert len({r["index"] for r in themes}) >= 15
    assert len({r["field"] for r in themes}) == len({r["field"] for r in mentions}) == 7
    assert len(mentions) == len(data.mentions_gold) == len(data.mentions_second) == 12


def test_cohen_kappa(agreement: ModuleType) -> None:
    yes, no = True, False
    # po = 3/4, pe = 1/2 * 1/4 + 1/2 * 3/4 = 1/2 -> (3/4 - 1/2) / (1/2)
    assert agreement.cohen_kappa([yes, yes, no, no], [yes, no, no, no]) == pytest.approx(0.5)
    assert agreement.cohen_kappa([yes, no], [yes, no]) == 1.0
    assert agreement.cohen_kappa([no, no], [no, no]) == 1.0
    assert agreement.cohen_kappa([yes, no], [no, yes]) == pytest.approx(-1.0)
    with pytest.raises(ValueError):
        agreement.cohen_kappa([yes], [yes, no])


def test_themes_agree_with_themselves_and_less_with_a_perturbed_copy(
        agreement: ModuleType, data: Sample) -> None:
    second = data.themes_second
    same = agreement.theme_agreement(second, second)
    assert same.prf == (1.0, 1.0, 1.0) and same.exact == same.pledges == 100
    assert set(same.kappa.values()) == {1.0}
    perturbed = dict(second)
    first, other = sorted(perturbed)[:2]
    dropped = sorted(perturbed[first])[0]
    perturbed[first] = perturbed[first] - {dropped}
    perturbed[other] = perturbed[other] | {"tourism"}
    changed = agreement.theme_agreement(second, perturbed)
    assert changed.fn == 1 and changed.fp == (0 if "tourism" in second[other] else 1)
    assert changed.prf[2] < 1.0 and changed.exact < 100
    assert changed.kappa[dropped] < 1.0
    gold = agreement.theme_agreement(data.themes_gold, second)
    assert gold.tp + gold.fn == sum(len(t) for t in data.themes_gold.values())
    assert gold.tp + gold.fp == sum(len(t) for t in second.values())
    assert 0.0 < gold.prf[2] <= 1.0
    assert all(-1.0 <= k <= 1.0 for k in gold.kappa.values())
    low, high = agreement.bootstrap_f1(data.themes_gold, second, rounds=200)
    assert low <= gold.prf[2] <= high <= 1.0
    assert agreement.bootstrap_f1(second, second, rounds=20) == (1.0, 1.0)
    with pytest.raises(ValueError, match="different pledges"):
        agreement.theme_agreement(second, {k: v for k, v in second.items() if k != first})


def test_mentions_agree_with_themselves_and_less_with_a_perturbed_copy(
        agreement: ModuleType, data: Sample) -> None:
    second, abouts = data.mentions_second, data.abouts
    for mode in ("exact", "lenient", "any-kind"):
        same = agreement.mention_agreement(second, second, abouts, mode)
        assert all(same.prf(k) == (1.0, 1.0, 1.0) for k in (*agreement.KINDS, "overall"))
    index = next(i for i in sorted(second) if any(len(e.label.split()) > 2 for e in second[i]))
    entries = list(second[index])
    long = next(n for n, e in enumerate(entries) if len(e.label.split()) > 2)
    cut = " ".join(entries[long].label.split()[:-1])  # the name cut short: its span overlaps
    entries[long] = dataclasses.replace(entries[long], label=cut, forms=(cut,))
    other_kind = next(k for k in agreement.KINDS if k != entries[0].kind)
    if long != 0:
        entries[0] = dataclasses.replace(entries[0], kind=other_kind)
    perturbed = {**second, index: entries}
    exact = agreement.mention_agreement(second, perturbed, abouts, "exact")
    lenient = agreement.mention_agreement(second, perturbed, abouts, "lenient")
    any_kind = agreement.mention_agreement(second, perturbed, abouts, "any-kind")
    assert exact.prf()[2] < 1.0
    assert lenient.counts["overall"][0] == exact.counts["overall"][0] + 1  # the cut name
    if long != 0:
        assert any_kind.counts["overall"][0] == exact.counts["overall"][0] + 1  # the re-kinded
    gold = agreement.mention_agreement(data.mentions_gold, second, abouts, "exact")
    tp, fp, fn = gold.counts["overall"]
    assert tp + fn == sum(len(v) for v in data.mentions_gold.values())
    assert tp + fp == sum(len(v) for v in second.values())


def test_every_disagreement_is_classified(agreement: ModuleType, data: Sample,
                                          corpus_path: Path) -> None:
    """The report lists each disagreement once with its hand-written class; none is left
    unclassified and no classification is stale."""
    found = agreement.disagreements(data)
    classes = agreement.read_classes()
    assert found and set(found) == set(classes)
    assert len(found) == len(set(found))
    run = subprocess.run([sys.executable, str(SCRIPT), "compare", str(corpus_path)],
                         capture_output=True, text=True, check=True, timeout=120)
    assert "UNCLASSIFIED" not in run.stdout and "no longer a disagreement" not in run.stdout
    listed = [line for line in run.stdout.splitlines()
              if line.startswith(("  themes ", "  mentions "))
              and line.split()[2] in ("gold", "second")]
    assert len(listed) == len(found)
