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
  stricter one, since wording is field-specific.

The estimate needs no retraining: a pattern's support in the other groups is read off the
per-pattern counts (:func:`cue_support`). It is still optimistic (the patterns exist because
someone saw the pledges), but it ranks rule changes by what carries, and
:func:`single_source_cues` lists the patterns whose right assignments all come from one
profile or one field: as far as development can tell, they were learned from it.

``scripts/theme_cv.py --carry`` prints :func:`format_carry` for the shipped rules (or
``--vocab OLD.ttl``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .extract.mention_eval import load_profiles
from .gold_scores import OTHER, THEME_BASE, load_theme_gold, theme_csv
from .themes import ThemeRule, load_default_rules

#: a grouping of the development pledges that one group is left out of
Grouping = Literal["profile", "field"]
GROUPINGS: tuple[Grouping, ...] = ("profile", "field")
#: a pattern of a theme: (theme slug, regular expression source)
Cue = tuple[str, str]


@dataclass(frozen=True)
class GoldPledge:
    """One development pledge: its profile and field, the gold themes and every matching cue."""

    profile: int
    field: str
    text: str
    want: frozenset[str]
    cues: frozenset[Cue]

    def group(self, by: Grouping) -> str:
        return str(self.profile) if by == "profile" else self.field


@dataclass(frozen=True)
class CueSupport:
    """Where a cue fired in the gold and where it was right."""

    cue: Cue
    fired: int
    right: int
    right_profiles: frozenset[str]
    right_fields: frozenset[str]

    def groups(self, by: Grouping) -> frozenset[str]:
        return self.right_profiles if by == "profile" else self.right_fields


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
                     if p.search(text))


def development_pledges(corpus: Path, rules: Sequence[ThemeRule] | None = None,
                        gold: Path | None = None) -> list[GoldPledge]:
    """The development theme gold (``data/gold/themes/development.csv`` unless ``gold``
    names another CSV of the same columns), with the cues of ``rules`` (default: the
    shipped ones). Held-out files are never opened here."""
    rules = load_default_rules() if rules is None else rules
    profiles = load_profiles(corpus)
    found: list[GoldPledge] = []
    for row in load_theme_gold(gold or theme_csv("development"), profiles):
        found.append(GoldPledge(row.index, profiles[row.index].field or "?", row.text,
                                row.themes or frozenset({OTHER}), cues_of(row.text, rules)))
    return found


def cue_support(pledges: Iterable[GoldPledge]) -> dict[Cue, CueSupport]:
    """Per cue: how often it fires, how often the gold gives its theme there, and in which
    profiles and fields it was right."""
    fired: Counter[Cue] = Counter()
    right: Counter[Cue] = Counter()
    profiles: dict[Cue, set[str]] = {}
    fields: dict[Cue, set[str]] = {}
    for p in pledges:
        for cue in p.cues:
            fired[cue] += 1
            if cue[0] in p.want:
                right[cue] += 1
                profiles.setdefault(cue, set()).add(str(p.profile))
                fields.setdefault(cue, set()).add(p.field)
    return {cue: CueSupport(cue, n, right[cue], frozenset(profiles.get(cue, ())),
                            frozenset(fields.get(cue, ()))) for cue, n in fired.items()}


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
    t, f, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    p = t / (t + f) if t + f else 1.0
    r = t / (t + n) if t + n else 1.0
    return Score(p, r, 2 * p * r / (p + r) if p + r else 0.0, tp, fp, fn)


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


def format_carry(pledges: Sequence[GoldPledge], min_groups: int = 1) -> str:
    """The estimate as text: the three scores, per theme left out by field, and the cues
    whose right assignments come from one field only or one profile only."""
    scores = carry_scores(pledges, min_groups)
    lines = [f"{len(pledges)} development pledges, {len({p.profile for p in pledges})} "
             f"profiles, {len({p.field for p in pledges})} fields; a cue counts when right in "
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
    for by in GROUPINGS:
        single = single_source_cues(support, by)
        lines.append(f"  cues right in at most one {by} ({len(single)} of {len(support)} that "
                     "fire; right/fired, where):")
        for s in single:
            where = ",".join(sorted(s.groups(by))) or "-"
            lines.append(f"    {s.cue[0]:<31}{s.right:>3}/{s.fired:<3} {where:<20} /{s.cue[1]}/")
    return "\n".join(lines)


__all__ = ["GROUPINGS", "Cue", "CueSupport", "GoldPledge", "Grouping", "Score", "carried",
           "carry_scores", "cue_support", "cues_of", "development_pledges", "format_carry",
           "plain", "score", "single_source_cues"]
