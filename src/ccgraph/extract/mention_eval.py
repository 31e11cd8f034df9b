"""Score :func:`find_mentions` against hand-annotated gold files.

A gold file (``data/gold/mentions/{development,heldout}/*.json``) names one record of the
JSON corpus by its index and lists every facility, event and organisation named in the
record's "About" text:
``{"index": n, "city": ..., "field": ..., "mentions": [{"kind", "label", "aliases"?}]}``.
A found mention is right when its kind is the gold kind and its normalised label equals
the gold label or one of its aliases ("MLF" for "Manchester Literature Festival").

The corpus is read with :func:`ccgraph.extract.read_corpus`, as the build reads it, and the
mentions are looked for in each profile's parsed "About" span (the Description before the
"Added Value" header or the "As a Creative City of" sentence). A gold index that the reader
drops as a duplicate is scored on the record it keeps (the same text).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..records import Mention, Profile, Span
from .corpus import read_corpus
from .mentions import find_mentions, normalise_label

KINDS: tuple[str, ...] = ("facility", "event", "organisation")

_ABOUT_END = re.compile(r"Added [Vv]alue|As an? (?:UNESCO )?Creative City")


def about_span(text: str) -> Span:
    """The "About" part of a corpus Description: up to "Added Value" or the intro sentence."""
    m = _ABOUT_END.search(text)
    end = m.start() if m else len(text)
    return Span(0, end, text[:end])


@dataclass(frozen=True)
class Gold:
    index: int
    city: str
    field: str
    entries: tuple[tuple[str, frozenset[str], str], ...]  # (kind, label keys, label)


def load_gold(gold_dir: Path) -> list[Gold]:
    out: list[Gold] = []
    for path in sorted(gold_dir.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = []
        for item in data["mentions"]:
            if item["kind"] not in KINDS:
                raise ValueError(f"{path}: unknown kind {item['kind']!r}")
            keys = {normalise_label(item["label"])}
            keys.update(normalise_label(a) for a in item.get("aliases", []))
            entries.append((item["kind"], frozenset(keys), item["label"]))
        out.append(Gold(int(data["index"]), data["city"], data["field"], tuple(entries)))
    return out


def load_corpus(corpus: Path) -> dict[int, dict[str, str]]:
    """The raw records of a JSON corpus by index."""
    data = json.loads(corpus.read_text(encoding="utf-8"))
    return {int(k): v for k, v in data["0"].items()}


def load_profiles(corpus: Path) -> dict[int, Profile]:
    """The parsed profiles of a JSON corpus by record index (duplicates -> the kept one)."""
    result = read_corpus(corpus)
    profiles = {int(p.source.rsplit("#", 1)[1]): p for p in result.profiles}
    for dup in result.duplicates:
        if dup.kept_index in profiles:
            profiles.setdefault(dup.index, profiles[dup.kept_index])
    return profiles


def profile_mentions(profile: Profile) -> list[Mention]:
    """The mentions of one parsed profile, in its About span (or the fallback cut)."""
    return find_mentions(profile.text, profile.about or about_span(profile.text))


def corpus_mentions(corpus: Path) -> dict[int, list[Mention]]:
    """The mentions of every profile by record index, as the build finds them: per profile,
    then completed and linked across the corpus (:func:`link_mentions`)."""
    from .mention_links import link_mentions

    profiles = load_profiles(corpus)
    unique = list({id(p): p for p in profiles.values()}.values())
    link_mentions(unique)
    return {index: profile.mentions for index, profile in profiles.items()}


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def mention_scores(gold_dir: Path, corpus: Path) -> dict[str, Any]:
    """Precision, recall and counts per kind and overall, plus the errors, as plain data.

    Returns ``{"profiles": n, "kinds": {kind: {"tp", "fp", "fn", "precision", "recall"}},
    "overall": {...}, "false_positives": [(index, kind, label)], "false_negatives": [...]}``.
    """
    return score_mentions(load_gold(gold_dir), corpus_mentions(corpus))


def gold_class(gold: Gold, mention: Mention) -> str:
    """The gold kind of a found name (its label or an alias of a gold entry), or "none"."""
    key = normalise_label(mention.label)
    return next((kind for kind, keys, _ in gold.entries if key in keys), "none")


def score_mentions(golds: list[Gold], mentions: dict[int, list[Mention]]) -> dict[str, Any]:
    """:func:`mention_scores` for mentions already found (by record index)."""
    counts = {k: {"tp": 0, "fp": 0, "fn": 0} for k in KINDS}
    false_pos: list[tuple[int, str, str]] = []
    false_neg: list[tuple[int, str, str]] = []
    for gold in golds:
        found = mentions[gold.index]
        matched: set[int] = set()
        for mention in found:
            key = normalise_label(mention.label)
            hit = next((n for n, (kind, keys, _) in enumerate(gold.entries)
                        if n not in matched and kind == mention.kind and key in keys), None)
            if hit is None:
                counts[mention.kind]["fp"] += 1
                false_pos.append((gold.index, mention.kind, mention.label))
            else:
                matched.add(hit)
                counts[mention.kind]["tp"] += 1
        for n, (kind, _, label) in enumerate(gold.entries):
            if n not in matched:
                counts[kind]["fn"] += 1
                false_neg.append((gold.index, kind, label))
    kinds: dict[str, dict[str, float]] = {}
    for kind, c in counts.items():
        kinds[kind] = {**c, "precision": _ratio(c["tp"], c["tp"] + c["fp"]),
                       "recall": _ratio(c["tp"], c["tp"] + c["fn"])}
    tp = sum(c["tp"] for c in counts.values())
    fp = sum(c["fp"] for c in counts.values())
    fn = sum(c["fn"] for c in counts.values())
    overall = {"tp": tp, "fp": fp, "fn": fn, "precision": _ratio(tp, tp + fp),
               "recall": _ratio(tp, tp + fn)}
    return {"profiles": len(golds), "kinds": kinds, "overall": overall,
            "false_positives": false_pos, "false_negatives": false_neg}


def format_scores(scores: dict[str, Any]) -> str:
    """A plain-text table of the scores."""
    lines = [f"named mentions, {scores['profiles']} gold profiles",
             f"{'kind':<14}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}"]
    rows = [*scores["kinds"].items(), ("overall", scores["overall"])]
    for name, s in rows:
        lines.append(f"{name:<14}{s['tp']:>5}{s['fp']:>5}{s['fn']:>5}"
                     f"{s['precision']:>11.3f}{s['recall']:>8.3f}")
    return "\n".join(lines)
