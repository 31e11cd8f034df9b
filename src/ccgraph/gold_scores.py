"""Scores on the hand-annotated gold sets, development and held-out side by side.

The gold sets live in ``data/gold/`` (conventions: docs/annotation.md):

- ``mentions/development/*.json`` and ``mentions/heldout/*.json``: named mentions per profile;
- ``themes/development.csv`` and ``themes/heldout.csv``: themes per pledge;
- ``mentions/heldout7/*.json`` and ``themes/heldout7.csv``: the seventh held-out set (round 7:
  the last 26 profiles outside every other gold set), reported as a part of its own.

Only the development sets may guide rule changes; the held-out sets were annotated blind and
are reported beside them. Both are scored on the JSON profiles corpus they annotate.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import shipped
from .extract.mention_eval import (
    KINDS,
    load_gold,
    load_profiles,
    score_mentions,
)
from .extract.mention_links import Found, link_mentions
from .records import Mention, Profile
from .themes import KnownThemes, ThemeRule, assign_themes, load_default_rules

#: the folder of the gold sets
GOLD_DIR = shipped.gold()
#: the parts of the gold sets, each scored apart (a part without files is left out)
PARTS: tuple[str, ...] = ("development", "heldout", "heldout7")
#: the theme of a pledge that no rule matches
OTHER = "other"
THEME_BASE = "https://w3id.org/ccgraph/id/theme/"

_WORD = re.compile(r"[\w’'´-]+")


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (1.0 for an empty denominator)."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f

def first_words(text: str, n: int = 5) -> str:
    """The first ``n`` words of a text, case-folded: how gold rows name their pledge."""
    return " ".join(w.casefold() for w in _WORD.findall(text)[:n])


def mention_dir(part: str, root: Path = GOLD_DIR) -> Path:
    return root / "mentions" / part


def theme_csv(part: str, root: Path = GOLD_DIR) -> Path:
    return root / "themes" / f"{part}.csv"


@dataclass(frozen=True)
class ThemeGold:
    """One annotated pledge: where it is, its text, and the theme slugs it was given."""

    index: int
    city: str
    position: int
    text: str
    themes: frozenset[str]


class GoldError(ValueError):
    """A gold row that does not match the corpus (file, line and what to do)."""


def load_theme_gold(path: Path, profiles: dict[int, Profile]) -> list[ThemeGold]:
    """The pledges a theme gold CSV names, looked up by index and first five words."""
    rows: list[ThemeGold] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            index = int(row["index"])
            profile = profiles.get(index)
            if profile is None or profile.city != row["city"]:
                raise GoldError(f"{path}:{line}: index {index} is not {row['city']!r} in the "
                                "corpus; fix the index or the city")
            key = first_words(row["first_words"])
            found = [p for p in profile.pledges if first_words(p.span.text) == key]
            if len(found) != 1:
                raise GoldError(f"{path}:{line}: no single pledge of {row['city']} starts with "
                                f"{row['first_words']!r}; fix first_words")
            slugs = frozenset(s for s in row["themes"].split("|") if s)
            rows.append(ThemeGold(index, row["city"], found[0].position, found[0].span.text,
                                  slugs))
    return rows


def theme_slugs(text: str, rules: list[ThemeRule], known: KnownThemes | None = None
                ) -> set[str]:
    """The theme slugs the rules give a pledge, or {"other"} when none applies (``known``:
    the answers of the same rules, asked there)."""
    themes = known(text) if known is not None else assign_themes(text, rules)
    got = {str(t).removeprefix(THEME_BASE) for t in themes}
    return got or {OTHER}


def theme_scores(gold: list[ThemeGold], rules: list[ThemeRule],
                 known: KnownThemes | None = None) -> dict[str, Any]:
    """Micro precision, recall and F1, exact-set accuracy and per-theme counts (``known``:
    the themes assigned before, used only when its rules are ``rules``)."""
    if known is not None and known.rules != rules:
        known = None
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    exact = 0
    errors: list[tuple[int, int, list[str], list[str]]] = []
    for row in gold:
        got = theme_slugs(row.text, rules, known)
        want = set(row.themes)
        exact += got == want
        if got != want:
            errors.append((row.index, row.position, sorted(got - want), sorted(want - got)))
        tp.update(got & want)
        fp.update(got - want)
        fn.update(want - got)
    precision, recall, f1 = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    per_theme = {slug: {"tp": tp[slug], "fp": fp[slug], "fn": fn[slug]}
                 for slug in sorted(set(tp) | set(fp) | set(fn))}
    return {"pledges": len(gold), "precision": precision, "recall": recall, "micro_f1": f1,
            "exact": exact / len(gold) if gold else 1.0, "per_theme": per_theme,
            "errors": errors}


def gold_report(corpus: Path, root: Path = GOLD_DIR,
                rules: list[ThemeRule] | None = None, *, candidates: Found | None = None,
                themes: KnownThemes | None = None) -> dict[str, Any]:
    """Mention and theme scores of every part of the gold sets on ``corpus``.

    What a build found in the same profiles may be given, and is not looked for again:
    ``candidates``, the rules' names by profile text (mention_links.Found; the gazetteer,
    the model and the linking still run on this corpus alone), and ``themes``, the themes
    of pledge texts (used when its rules are ``rules``). The scores are the same."""
    rules = load_default_rules() if rules is None else rules
    profiles = load_profiles(corpus)
    report: dict[str, Any] = {"mentions": {}, "themes": {}}
    found: list[dict[int, list[Mention]]] = []  # the corpus's mentions, found once for all parts
    for part in PARTS:
        if mention_dir(part, root).is_dir():
            if not found:  # as corpus_mentions finds them, on the profiles read above
                link_mentions(list({id(p): p for p in profiles.values()}.values()),
                              candidates)
                found.append({index: p.mentions for index, p in profiles.items()})
            report["mentions"][part] = score_mentions(load_gold(mention_dir(part, root)),
                                                      found[0])
        if theme_csv(part, root).is_file():
            gold = load_theme_gold(theme_csv(part, root), profiles)
            report["themes"][part] = theme_scores(gold, rules, themes)
    return report


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """The report's numbers only (rounded), for quality.json."""
    out: dict[str, Any] = {}
    for part, scores in report["mentions"].items():
        rows = [*scores["kinds"].items(), ("overall", scores["overall"])]
        out[f"mentions_{part}"] = {
            "gold_profiles": scores["profiles"],
            **{kind: {"precision": round(v["precision"], 3), "recall": round(v["recall"], 3)}
               for kind, v in rows}}
    for part, scores in report["themes"].items():
        out[f"themes_{part}"] = {k: round(scores[k], 3) if isinstance(scores[k], float)
                                 else scores[k]
                                 for k in ("pledges", "precision", "recall", "micro_f1", "exact")}
    return out


def format_report(report: dict[str, Any]) -> str:
    """Development and held-out numbers side by side, as a plain-text table."""
    mentions = report["mentions"]
    parts = [p for p in PARTS if p in mentions]
    titles = [f"{p} ({mentions[p]['profiles']} profiles)" for p in parts]
    head = "".join(f"{t:>26}" for t in titles)
    lines = ["named mentions: precision / recall (tp fp fn)", f"{'kind':<14}{head}"]
    for kind in (*KINDS, "overall"):
        cells = []
        for part in parts:
            s = mentions[part]["overall"] if kind == "overall" else mentions[part]["kinds"][kind]
            cells.append(f"{s['precision']:.3f} / {s['recall']:.3f} "
                         f"({s['tp']} {s['fp']} {s['fn']})")
        lines.append(f"{kind:<14}" + "".join(f"{c:>26}" for c in cells))
    themes = report["themes"]
    if themes:
        lines.append("")
        lines.append("pledge themes: micro P / R / F1, exact-set accuracy")
        for part in (p for p in PARTS if p in themes):
            s = themes[part]
            lines.append(f"{part:<14}{s['pledges']:>4} pledges  P {s['precision']:.3f}  "
                         f"R {s['recall']:.3f}  F1 {s['micro_f1']:.3f}  exact {s['exact']:.3f}")
    return "\n".join(lines)


def format_summary(scores: dict[str, Any]) -> str:
    """The rounded numbers of :func:`summary` as a table, development beside held-out."""
    parts = [p for p in PARTS if f"mentions_{p}" in scores]
    lines: list[str] = []
    if parts:
        titles = [f"{p} ({scores[f'mentions_{p}']['gold_profiles']} profiles)" for p in parts]
        lines.append("named mentions, precision / recall")
        lines.append(f"{'kind':<14}" + "".join(f"{t:>26}" for t in titles))
        for kind in (*KINDS, "overall"):
            cells = [f"{scores[f'mentions_{p}'][kind]['precision']:.3f} / "
                     f"{scores[f'mentions_{p}'][kind]['recall']:.3f}" for p in parts]
            lines.append(f"{kind:<14}" + "".join(f"{c:>26}" for c in cells))
    theme_parts = [p for p in PARTS if f"themes_{p}" in scores]
    if theme_parts:
        lines.append("pledge themes, micro precision / recall / F1")
        for part in theme_parts:
            s = scores[f"themes_{part}"]
            lines.append(f"{part:<14}{s['pledges']:>4} pledges  P {s['precision']:.3f}  "
                         f"R {s['recall']:.3f}  F1 {s['micro_f1']:.3f}")
    return "\n".join(lines)
