"""Honest estimates of the pledge-theme methods (issue 13 item 4): cross-validation by profile.

Reads every development theme row (data/gold/themes/development.csv) and, with
``--with-set NAME``, the rows of heldout.csv marked NAME (e.g. ``held-out-4`` once a round's
held-out set has been scored and may be used as development data). Prints:

1. the keyword rules (data/vocab/themes.ttl) on each annotation round apart: every round but
   the newest guided the rules, so only the newest round is an honest estimate for them;
2. ``--folds K`` cross-validation by profile (all pledges of a profile fall in one fold) of
   a learned method, per-theme logistic regressions over stemmed words and word pairs
   (full-batch gradient descent from zero weights: deterministic), alone and joined to the
   rules (rules OR model probability >= threshold), trained on the other folds only;
3. the same methods trained on every round but the newest and scored on the newest.

The rules cannot be cross-validated (they were written on all the older rows), so their
cross-validated score is their development score, optimistic by construction.

    .venv/bin/python scripts/theme_cv.py --with-set held-out-4
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ccgraph.extract.mention_eval import load_profiles
from ccgraph.gold_scores import load_theme_gold, theme_csv
from ccgraph.themes import ThemeRule, assign_themes, load_default_rules

BASE = "https://w3id.org/ccgraph/id/theme/"
_TOKEN = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*")
_STOP = frozenset([
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "by", "as", "at",
    "from", "into", "its", "their", "our", "this", "that", "these", "those", "is", "are", "be",
    "been", "being", "will", "shall", "can", "would", "should", "it", "which", "who", "whom",
    "also", "such", "through", "between", "both", "all", "other", "more", "most", "well",
    "within", "across", "among", "via"])


def _stem(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: len(word) - len(suffix)] + repl
    return word


def features(text: str) -> list[str]:
    """Stemmed words (``w:``) and neighbouring pairs once stop words are left out (``p:``)."""
    stems = [_stem(w) for w in _TOKEN.findall(text.casefold()) if w not in _STOP]
    found = {f"w:{s}" for s in stems} | {f"p:{a}_{b}" for a, b in itertools.pairwise(stems)}
    return sorted(found)


@dataclass(frozen=True)
class Row:
    profile: int
    part: str
    want: frozenset[str]
    fired: frozenset[str]
    feats: list[str]
    text: str = ""
    #: every (theme slug, pattern) of the vocabulary that matches the text (not only the first)
    cues: frozenset[tuple[str, str]] = frozenset()


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def train(rows: Sequence[Row], slug: str, l2: float = 0.3, epochs: int = 300,
          rate: float = 2.0) -> tuple[float, dict[str, float]]:
    """A logistic regression for one theme (features seen in at least two pledges)."""
    counts = Counter(f for r in rows for f in r.feats)
    vocab = sorted(f for f, c in counts.items() if c >= 2)
    index = {f: i for i, f in enumerate(vocab)}
    xs = [[index[f] for f in r.feats if f in index] for r in rows]
    ys = [1.0 if slug in r.want else 0.0 for r in rows]
    w, b, n = [0.0] * len(vocab), 0.0, max(1, len(rows))
    for _ in range(epochs):
        grad, gb = [0.0] * len(vocab), 0.0
        for x, y in zip(xs, ys, strict=True):
            d = _sigmoid(b + sum(w[i] for i in x)) - y
            gb += d
            for i in x:
                grad[i] += d
        w = [wi - rate * (g / n + l2 * wi / n) for wi, g in zip(w, grad, strict=True)]
        b -= rate * gb / n
    return b, {f: w[i] for f, i in index.items()}


Model = dict[str, tuple[float, dict[str, float]]]


def fit(rows: Sequence[Row], slugs: Sequence[str]) -> Model:
    return {slug: train(rows, slug) for slug in slugs}


def predict(model: Model, row: Row, threshold: float, with_rules: bool) -> set[str]:
    got = {slug for slug, (b, w) in model.items()
           if _sigmoid(b + sum(w.get(f, 0.0) for f in row.feats)) >= threshold}
    return got | set(row.fired) if with_rules else got


Counts = tuple[Counter[str], Counter[str], Counter[str]]


def count(pairs: Sequence[tuple[set[str] | frozenset[str], frozenset[str]]]) -> Counts:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for got, want in pairs:
        got = set(got) or {"other"}
        tp.update(got & want)
        fp.update(got - want)
        fn.update(want - got)
    return tp, fp, fn


def prf(c: Counts) -> tuple[float, float, float]:
    t, f, n = (sum(x.values()) for x in c)
    p = t / (t + f) if t + f else 1.0
    r = t / (t + n) if t + n else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def micro(c: Counts) -> str:
    p, r, f1 = prf(c)
    return f"micro P {p:.3f} R {r:.3f} F1 {f1:.3f}"


def table(c: Counts) -> list[str]:
    tp, fp, fn = c
    lines = [f"  {'theme':<31}{'tp':>4}{'fp':>4}{'fn':>4}{'prec':>7}{'rec':>7}"]
    for s in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[s] / (tp[s] + fp[s]) if tp[s] + fp[s] else 1.0
        r = tp[s] / (tp[s] + fn[s]) if tp[s] + fn[s] else 1.0
        lines.append(f"  {s:<31}{tp[s]:>4}{fp[s]:>4}{fn[s]:>4}{p:>7.2f}{r:>7.2f}")
    return lines


def load(corpus: Path, extra: list[str], vocab: Path | None = None) -> list[Row]:
    rules = load_default_rules() if vocab is None else load_default_rules(vocab)
    profiles = load_profiles(corpus)
    rows: list[Row] = []
    for part, keep in (("development", None), ("heldout", set(extra))):
        path = theme_csv(part)
        sets = [r["set"] for r in csv.DictReader(path.open(encoding="utf-8", newline=""))]
        for gold, name in zip(load_theme_gold(path, profiles), sets, strict=True):
            if keep is not None and name not in keep:
                continue
            fired = frozenset(str(t).removeprefix(BASE) for t in assign_themes(gold.text, rules))
            rows.append(Row(gold.index, name, gold.themes or frozenset({"other"}), fired,
                            features(gold.text), gold.text, cues_of(gold.text, rules)))
    return rows


def cues_of(text: str, rules: Sequence[ThemeRule]) -> frozenset[tuple[str, str]]:
    """Every (theme slug, pattern source) whose pattern matches ``text``."""
    return frozenset((str(r.theme).removeprefix(BASE), p.pattern) for r in rules
                     for p in r.patterns if p.search(text))


CueStats = dict[tuple[str, str], tuple[int, int]]


def cue_stats(rows: Sequence[Row]) -> CueStats:
    """Per cue (theme, pattern): in how many pledges it fires, and how many of them the gold
    gives that theme."""
    fired: Counter[tuple[str, str]] = Counter()
    right: Counter[tuple[str, str]] = Counter()
    for r in rows:
        for cue in r.cues:
            fired[cue] += 1
            right[cue] += cue[0] in r.want
    return {cue: (right[cue], n) for cue, n in fired.items()}


#: the prior of a cue's strength (a pattern written from the theme's definition is right about
#: four times in five) and its weight in pledges: strength = (right + 0.8 k) / (fired + k)
PRIOR, PRIOR_WEIGHT = 0.8, 2.0


def strength(stats: CueStats, cue: tuple[str, str]) -> float:
    right, n = stats.get(cue, (0, 0))
    return (right + PRIOR * PRIOR_WEIGHT) / (n + PRIOR_WEIGHT)


def by_cues(stats: CueStats, row: Row, threshold: float) -> set[str]:
    """The themes with at least one matching cue whose strength is >= ``threshold``."""
    return {cue[0] for cue in row.cues if strength(stats, cue) >= threshold}


def why(rows: Sequence[Row], stats: CueStats) -> tuple[Counter[tuple[str, str]], list[str]]:
    """Each error of the rules, per theme, put in one class (see docs/themes.md):
    FP ``broad``: the first matching pattern is right in under 3/4 of the pledges it fires in;
    FP ``reading``: it is right at least 3/4 of the time, so the gold reads the same words
    differently in this pledge; FP ``gold-other``: the gold gives the pledge no theme at all;
    FN ``narrow``: no pattern of the theme matches, the pledge has at most two gold themes;
    FN ``several``: the same, in a pledge with three or more gold themes (a secondary theme);
    FN ``other``: the gold gives no theme and the rules gave some (counted under ``other``)."""
    counts: Counter[tuple[str, str]] = Counter()
    lines: list[str] = []
    for r in rows:
        got = set(r.fired) or {"other"}
        for slug in sorted(got - r.want):
            if r.want == {"other"}:
                kind, shown = "gold-other", ""
            elif slug == "other":
                kind, shown = "no-cue", ""
            else:
                first = sorted(p for s, p in r.cues if s == slug)[0]
                kind = "broad" if strength(stats, (slug, first)) < 0.75 else "reading"
                shown = f" /{first}/"
            counts[("FP " + kind, slug)] += 1
            lines.append(f"FP {kind:<10} {slug:<30} [{r.part} {r.profile}]{shown} {r.text}")
        for slug in sorted(r.want - got):
            kind = "other" if slug == "other" else "several" if len(r.want) >= 3 else "narrow"
            counts[("FN " + kind, slug)] += 1
            lines.append(f"FN {kind:<10} {slug:<30} [{r.part} {r.profile}] {r.text}")
    return counts, lines


def why_table(counts: Counter[tuple[str, str]]) -> list[str]:
    kinds = sorted({k for k, _ in counts})
    slugs = sorted({s for _, s in counts})
    lines = [f"  {'theme':<31}" + "".join(f"{k:>14}" for k in kinds)]
    for s in slugs:
        lines.append(f"  {s:<31}" + "".join(f"{counts[(k, s)]:>14}" for k in kinds))
    lines.append(f"  {'all':<31}" + "".join(
        f"{sum(v for (k2, _), v in counts.items() if k2 == k):>14}" for k in kinds))
    return lines


def cue_cv(rows: Sequence[Row], folds: dict[int, int], k: int,
           thresholds: Sequence[float]) -> None:
    """Cue strengths learned on the other folds: a theme is given when one of its matching
    patterns is right often enough there (``strength >= t``); t = 0 is the plain rules."""
    print(f"\n1b. {k}-fold CV by profile of cue strengths (pattern precision learned on the "
          "other folds, prior 0.8 over 2 pledges; keep a theme when a matching cue >= t)")
    preds: dict[float, list[tuple[set[str], frozenset[str]]]] = {}
    for fold in range(k):
        stats = cue_stats([r for r in rows if folds[r.profile] != fold])
        for r in (r for r in rows if folds[r.profile] == fold):
            for t in (0.0, *thresholds):
                preds.setdefault(t, []).append((by_cues(stats, r, t), r.want))
    for t, pairs in sorted(preds.items()):
        print(f"  {'rules' if t == 0 else f'cue >= {t}':<24} " + micro(count(pairs)))
    # a pessimistic estimate for unseen wordings: only the patterns that were right at least
    # once in the other folds' profiles (as if each pattern had been written from them alone)
    supported: list[tuple[set[str], frozenset[str]]] = []
    for fold in range(k):
        stats = cue_stats([r for r in rows if folds[r.profile] != fold])
        for r in (r for r in rows if folds[r.profile] == fold):
            supported.append(({c[0] for c in r.cues if stats.get(c, (0, 0))[0] >= 1}, r.want))
    print(f"  {'supported cues only':<24} " + micro(count(supported)))
    print("  per theme, supported cues only:")
    print(*table(count(supported)), sep="\n")
    best = max(sorted(preds), key=lambda t: prf(count(preds[t]))[2])
    print(f"  per theme, {'rules' if best == 0 else f'cue >= {best}'}:")
    print(*table(count(preds[best])), sep="\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path,
                    default=Path("/work/shared/sources/uccn-profiles-2024-10-01.json"))
    ap.add_argument("--with-set", action="append", default=[],
                    help="also use heldout.csv rows of this set as development data")
    ap.add_argument("--vocab", type=Path, help="another themes.ttl (default: the shipped one)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--thresholds", default="0.2,0.3,0.5,0.7")
    ap.add_argument("--newest", default="", help="the newest round (default: the last set)")
    ap.add_argument("--errors", action="store_true",
                    help="list every error of the rules with its class, then stop")
    ap.add_argument("--no-model", action="store_true",
                    help="skip the logistic regression (sections 2 and 3)")
    ap.add_argument("--cue-thresholds", default="0.5,0.6,0.7,0.75,0.8")
    args = ap.parse_args(argv)
    rows = load(args.corpus, args.with_set, args.vocab)
    if args.errors:
        counts, lines = why(rows, cue_stats(rows))
        print(*lines, sep="\n")
        print(*why_table(counts), sep="\n")
        return 0
    slugs = sorted({s for r in rows for s in r.want} - {"other"})
    parts = list(dict.fromkeys(r.part for r in rows))
    newest = args.newest or parts[-1]
    print(f"{len(rows)} pledges, {len({r.profile for r in rows})} profiles; rounds: "
          + ", ".join(f"{p} {sum(r.part == p for r in rows)}" for p in parts))
    print("\n1. keyword rules, per annotation round (only the newest is honest for them)")
    for part in parts:
        print(f"  {part:<20} " + micro(count([(r.fired, r.want) for r in rows
                                                if r.part == part])))
    everything = count([(r.fired, r.want) for r in rows])
    print(f"  {'all':<20} " + micro(everything))
    print(*table(everything), sep="\n")
    print("\n   why the rules err (classes: see why() in this script)")
    print(*why_table(why(rows, cue_stats(rows))[0]), sep="\n")
    thresholds = [float(t) for t in args.thresholds.split(",")]
    shuffled = sorted({r.profile for r in rows}, key=lambda p: (p * 2654435761) % 2**32)
    folds = {p: i % args.folds for i, p in enumerate(shuffled)}
    cue_cv(rows, folds, args.folds, [float(t) for t in args.cue_thresholds.split(",")])
    if args.no_model:
        return 0
    print(f"\n2. {args.folds}-fold cross-validation by profile, learned on the other folds")
    preds: dict[tuple[str, float], list[tuple[set[str], frozenset[str]]]] = {}
    for k in range(args.folds):
        model = fit([r for r in rows if folds[r.profile] != k], slugs)
        for r in (r for r in rows if folds[r.profile] == k):
            for t in thresholds:
                for name, with_rules in (("model", False), ("rules+model", True)):
                    preds.setdefault((name, t), []).append((predict(model, r, t, with_rules),
                                                            r.want))
        print(f"  fold {k + 1}/{args.folds} done", file=sys.stderr)
    print(f"  {'rules (fixed)':<24} " + micro(everything))
    best = max(sorted(preds), key=lambda key: prf(count(preds[key]))[2])
    for (name, t), pairs in sorted(preds.items()):
        print(f"  {name + f' >= {t}':<24} " + micro(count(pairs)))
    print(f"  per theme, {best[0]} >= {best[1]}:")
    print(*table(count(preds[best])), sep="\n")
    print(f"\n3. trained on every round but {newest}, scored on {newest}")
    old = [r for r in rows if r.part != newest]
    new = [r for r in rows if r.part == newest]
    model = fit(old, slugs)
    print(f"  {'rules':<24} " + micro(count([(r.fired, r.want) for r in new])))
    for t in thresholds:
        for name, with_rules in (("model", False), ("rules+model", True)):
            print(f"  {name + f' >= {t}':<24} "
                  + micro(count([(predict(model, r, t, with_rules), r.want) for r in new])))
    print(*table(count([(r.fired, r.want) for r in new])), sep="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
