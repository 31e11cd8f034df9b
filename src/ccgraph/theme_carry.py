"""How far the keyword theme rules carry to pledges they were not written from.

Every pattern of ``data/vocab/themes.ttl`` was written seeing every development pledge, so the
rules' plain score on development is optimistic: a pattern that is right in one profile only
may have been learned from that profile's wording. This module estimates what the rules would
reach on unseen pledges by *leaving a group out*: for each development pledge, a pattern
counts only when it was right (fired, and the gold gives its theme) in at least
``min_groups`` groups other than the pledge's own, as if the pattern had been written from
those groups. Two groupings are used:

- ``profile``: leave-one-profile-out (the other pledges of the same city never support it);
- ``field``: leave-one-field-out (no profile of the same creative field supports it), the
  stricter one, since wording is field-specific;
- ``round``: leave-one-round-out (the pledges annotated in the same round, the ``set``
  column, never support it): the patterns were written round after round, each from the
  rounds before it and the one just scored.

The estimate needs no retraining: a pattern's support in the other groups is read off the
per-pattern counts (:func:`cue_support`). It is still optimistic (the patterns exist because
someone saw the pledges), but it ranks rule changes by what carries, and
:func:`single_source_cues` lists the patterns whose right assignments all come from one
profile or one field: as far as development can tell, they were learned from it.

``scripts/theme_cv.py --carry`` prints :func:`format_carry` for the shipped rules (or
``--vocab OLD.ttl``).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .extract.mention_eval import load_profiles
from .gold_scores import OTHER, THEME_BASE, load_theme_gold, prf, theme_csv
from .themes import ThemeRule, load_default_rules

#: a grouping of the development pledges that one group is left out of
Grouping = Literal["profile", "field", "round"]
GROUPINGS: tuple[Grouping, ...] = ("profile", "field", "round")
#: a pattern of a theme: (theme slug, regular expression source)
Cue = tuple[str, str]


@dataclass(frozen=True)
class GoldPledge:
    """One development pledge: its profile, field and annotation round, the gold themes and
    every matching cue."""

    profile: int
    field: str
    text: str
    want: frozenset[str]
    cues: frozenset[Cue]
    round: str = ""

    def group(self, by: Grouping) -> str:
        return {"profile": str(self.profile), "field": self.field, "round": self.round}[by]


@dataclass(frozen=True)
class CueSupport:
    """Where a cue fired in the gold and where it was right."""

    cue: Cue
    fired: int
    right: int
    right_groups: dict[Grouping, frozenset[str]]

    def groups(self, by: Grouping) -> frozenset[str]:
        return self.right_groups[by]


@dataclass(frozen=True)
class Score:
    """Micro precision, recall and F1 (``other`` counted as a theme) and per-theme counts."""

    precision: float
    recall: float
    f1: float
    tp: Counter[str]
    fp: Counter[str]
    fn: Counter[str]


def slug(theme: object) -> str:
    return str(theme).removeprefix(THEME_BASE)


def cues_of(text: str, rules: Sequence[ThemeRule]) -> frozenset[Cue]:
    """Every (theme slug, pattern) of ``rules`` whose pattern matches ``text``."""
    return frozenset((slug(r.theme), p.pattern) for r in rules for p in r.patterns
                     if r.search(p, text))


def development_pledges(corpus: Path, rules: Sequence[ThemeRule] | None = None,
                        gold: Path | None = None) -> list[GoldPledge]:
    """The development theme gold (``data/gold/themes/development.csv`` unless ``gold``
    names another CSV of the same columns), with the cues of ``rules`` (default: the
    shipped ones). Held-out files are never opened here."""
    rules = load_default_rules() if rules is None else rules
    profiles = load_profiles(corpus)
    path = gold or theme_csv("development")
    with path.open(encoding="utf-8", newline="") as handle:
        rounds = [row["set"] for row in csv.DictReader(handle)]
    found: list[GoldPledge] = []
    for row, part in zip(load_theme_gold(path, profiles), rounds, strict=True):
        found.append(GoldPledge(row.index, profiles[row.index].field or "?", row.text,
                                row.themes or frozenset({OTHER}), cues_of(row.text, rules),
                                part))
    return found


def cue_support(pledges: Iterable[GoldPledge]) -> dict[Cue, CueSupport]:
    """Per cue: how often it fires, how often the gold gives its theme there, and in which
    profiles and fields it was right."""
    fired: Counter[Cue] = Counter()
    right: Counter[Cue] = Counter()
    where: dict[tuple[Cue, Grouping], set[str]] = {}
    for p in pledges:
        for cue in p.cues:
            fired[cue] += 1
            if cue[0] in p.want:
                right[cue] += 1
                for by in GROUPINGS:
                    where.setdefault((cue, by), set()).add(p.group(by))
    return {cue: CueSupport(cue, n, right[cue],
                            {by: frozenset(where.get((cue, by), ())) for by in GROUPINGS})
            for cue, n in fired.items()}


def carried(pledge: GoldPledge, support: dict[Cue, CueSupport], by: Grouping,
            min_groups: int = 1) -> set[str]:
    """The themes the rules give ``pledge`` when its own group is left out: only cues right in
    at least ``min_groups`` other groups count; ``{"other"}`` when none does."""
    own = pledge.group(by)
    got = {cue[0] for cue in pledge.cues
           if len(support[cue].groups(by) - {own}) >= min_groups}
    return got or {OTHER}


def plain(pledge: GoldPledge) -> set[str]:
    """The themes every pattern gives (the rules as shipped), ``{"other"}`` when none."""
    return {cue[0] for cue in pledge.cues} or {OTHER}


def score(pairs: Iterable[tuple[set[str], frozenset[str]]]) -> Score:
    """Micro scores of (given, gold) theme sets."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for got, want in pairs:
        tp.update(got & want)
        fp.update(got - want)
        fn.update(want - got)
    p, r, f1 = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return Score(p, r, f1, tp, fp, fn)


def carry_scores(pledges: Sequence[GoldPledge], min_groups: int = 1) -> dict[str, Score]:
    """The rules as shipped (``plain``, optimistic) and left out by each grouping."""
    support = cue_support(pledges)
    found = {"plain": score((plain(p), p.want) for p in pledges)}
    for by in GROUPINGS:
        found[f"leave-one-{by}-out"] = score((carried(p, support, by, min_groups), p.want)
                                             for p in pledges)
    return found


def single_source_cues(support: dict[Cue, CueSupport], by: Grouping) -> list[CueSupport]:
    """The cues that fire in development but are right in at most one group: what they get
    right, they may have been learned from (sorted by wrong firings, then by cue)."""
    return sorted((s for s in support.values() if len(s.groups(by)) <= 1),
                  key=lambda s: (-(s.fired - s.right), s.cue))


@dataclass(frozen=True)
class Ablation:
    """What leaving one cue out of the rules changes in each score's F1 (positive: better
    without it)."""

    cue: Cue
    fired: int
    right: int
    delta: dict[str, float]


def cue_ablation(pledges: Sequence[GoldPledge], min_groups: int = 1) -> list[Ablation]:
    """For every cue that fires, the change of the plain and of each left-out F1 when the
    cue is removed; the cues whose removal helps most in the
    field-out estimate first. A cue that raises the plain score but lowers both left-out ones
    does not carry: what it gets right, it gets right only in the group it was written from."""
    base = {k: s.f1 for k, s in carry_scores(pledges, min_groups).items()}
    support = cue_support(pledges)
    found: list[Ablation] = []
    for cue in sorted(support):
        without = [GoldPledge(p.profile, p.field, p.text, p.want, p.cues - {cue}, p.round)
                   if cue in p.cues else p for p in pledges]
        scores = carry_scores(without, min_groups)
        found.append(Ablation(cue, support[cue].fired, support[cue].right,
                              {k: s.f1 - base[k] for k, s in scores.items()}))
    return sorted(found, key=lambda a: (-a.delta["leave-one-field-out"], a.cue))


def format_ablation(pledges: Sequence[GoldPledge], min_groups: int = 1,
                    limit: int = 40) -> str:
    """The ``limit`` cues whose removal helps the field-out estimate most."""
    lines = [f"  {'delta F1 x1000: plain, profile-out, field-out, round-out':<42} right/fired"
             "  cue"]
    for a in cue_ablation(pledges, min_groups)[:limit]:
        cells = "".join(f"{a.delta[k] * 1000:>+7.1f}" for k in
                        ("plain", *(f"leave-one-{by}-out" for by in GROUPINGS)))
        lines.append(f"  {cells:<42}{a.right:>4}/{a.fired:<4}  {a.cue[0]} /{a.cue[1]}/")
    return "\n".join(lines)


def format_carry(pledges: Sequence[GoldPledge], min_groups: int = 1) -> str:
    """The estimate as text: the three scores, per theme left out by field, and the cues
    whose right assignments come from one field only or one profile only."""
    scores = carry_scores(pledges, min_groups)
    lines = [f"{len(pledges)} development pledges, {len({p.profile for p in pledges})} "
             f"profiles, {len({p.field for p in pledges})} fields, "
             f"{len({p.round for p in pledges})} rounds; a cue counts when right in "
             f">= {min_groups} other group(s)",
             f"  {'rules':<26}{'P':>7}{'R':>7}{'F1':>7}"]
    for name, s in scores.items():
        lines.append(f"  {name:<26}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}")
    for by in GROUPINGS:
        s = scores[f"leave-one-{by}-out"]
        lines.append(f"  per theme, leave-one-{by}-out (tp fp fn, recall):")
        for t in sorted(set(s.tp) | set(s.fp) | set(s.fn)):
            rec = s.tp[t] / (s.tp[t] + s.fn[t]) if s.tp[t] + s.fn[t] else 1.0
            lines.append(f"    {t:<31}{s.tp[t]:>4}{s.fp[t]:>4}{s.fn[t]:>4}{rec:>7.2f}")
    support = cue_support(pledges)
    listed: tuple[Grouping, ...] = ("profile", "field")
    for by in listed:
        single = single_source_cues(support, by)
        lines.append(f"  cues right in at most one {by} ({len(single)} of {len(support)} that "
                     "fire; right/fired, where):")
        for one in single:
            where = ",".join(sorted(one.groups(by))) or "-"
            lines.append(f"    {one.cue[0]:<31}{one.right:>3}/{one.fired:<3} {where:<20} "
                         f"/{one.cue[1]}/")
    return "\n".join(lines)


__all__ = ["GROUPINGS", "Ablation", "Cue", "CueSupport", "GoldPledge", "Grouping", "Score",
           "carried", "carry_scores", "cue_ablation", "cue_support", "cues_of",
           "development_pledges", "format_ablation", "format_carry", "plain", "score",
           "single_source_cues"]
