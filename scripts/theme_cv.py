"""Honest estimates of the pledge-theme methods (issue 13 item 4): grouped cross-validation.

Reads every development theme row (data/gold/themes/development.csv) and, only with
``--with-set NAME``, the rows of heldout.csv marked NAME (a held-out set that has been scored
and may be used as development data; without it heldout.csv is not opened). Prints:

1. the keyword rules (data/vocab/themes.ttl) on each annotation round apart, per theme, and
   why they err;
2. grouped cross-validation, two ways: 5 folds by profile (all pledges of a profile in one
   fold) and leave-one-field-out (each creative field in turn is the unseen part). The rules
   were written seeing every fold, so their plain score is optimistic; "supported cues only"
   keeps in a fold only the patterns that were right at least once in the other folds, as if
   the patterns had been written from them. Learned methods (ccgraph/theme_learn.py) are
   trained on the other folds only: the regression over words alone, joined to the supported
   rules, stacked on them (the rules' verdicts as features), as a veto on them, as the
   fallback when no rule fires, and with per-theme thresholds chosen on the other split;
3. the same methods trained on every round but the newest and scored on the newest.

    .venv/bin/python scripts/theme_cv.py            # ~3-5 min, deterministic
    .venv/bin/python scripts/theme_cv.py --errors   # every error of the rules, classified
    .venv/bin/python scripts/theme_cv.py --carry    # leave-one-profile/field-out estimate of
                                                    # the rules (ccgraph.theme_carry), < 5 s
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ccgraph import theme_carry
from ccgraph import theme_learn as learn
from ccgraph.extract.mention_eval import load_profiles
from ccgraph.gold_scores import load_theme_gold, theme_csv
from ccgraph.themes import ThemeRule, assign_themes, load_default_rules

BASE = "https://w3id.org/ccgraph/id/theme/"


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
    #: the profile's creative field (for leave-one-field-out)
    field: str = ""


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
    """The development rows, and the heldout.csv rows of the sets named in ``extra`` (the
    held-out file is not opened when ``extra`` is empty)."""
    rules = load_default_rules() if vocab is None else load_default_rules(vocab)
    profiles = load_profiles(corpus)
    rows: list[Row] = []
    parts = [("development", None)] + ([("heldout", set(extra))] if extra else [])
    for part, keep in parts:
        path = theme_csv(part)
        sets = [r["set"] for r in csv.DictReader(path.open(encoding="utf-8", newline=""))]
        for gold, name in zip(load_theme_gold(path, profiles), sets, strict=True):
            if keep is not None and name not in keep:
                continue
            fired = frozenset(str(t).removeprefix(BASE) for t in assign_themes(gold.text, rules))
            rows.append(Row(gold.index, name, gold.themes or frozenset({"other"}), fired,
                            learn.text_features(gold.text), gold.text,
                            cues_of(gold.text, rules), profiles[gold.index].field or "?"))
    return rows


def cues_of(text: str, rules: Sequence[ThemeRule]) -> frozenset[tuple[str, str]]:
    """Every (theme slug, pattern source) whose pattern matches ``text``."""
    return frozenset((str(r.theme).removeprefix(BASE), p.pattern) for r in rules
                     for p in r.patterns if r.search(p, text))


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


def supported(stats: CueStats, row: Row) -> frozenset[str]:
    """The themes of the row's cues that were right at least once in ``stats``' rows."""
    return frozenset(c[0] for c in row.cues if stats.get(c, (0, 0))[0] >= 1)


def cue_cv(rows: Sequence[Row], split: str, fold_of: Sequence[int],
           thresholds: Sequence[float]) -> None:
    """Cue strengths learned on the other folds: a theme is given when one of its matching
    patterns is right often enough there (``strength >= t``); t = 0 is the plain rules."""
    print(f"\n  cue strengths, {split} (pattern precision learned on the other folds, prior "
          "0.8 over 2 pledges; keep a theme when a matching cue >= t)")
    preds: dict[float, list[tuple[set[str], frozenset[str]]]] = {}
    for fold in sorted(set(fold_of)):
        stats = cue_stats([r for r, f in zip(rows, fold_of, strict=True) if f != fold])
        for r in (r for r, f in zip(rows, fold_of, strict=True) if f == fold):
            for t in (0.0, *thresholds):
                preds.setdefault(t, []).append((by_cues(stats, r, t), r.want))
    for t, pairs in sorted(preds.items()):
        print(f"    {'rules' if t == 0 else f'cue >= {t}':<40} " + micro(count(pairs)))


#: one pledge's out-of-fold verdicts: supported rule themes and each learned model's
#: probabilities (``text``: words only; ``stack``: words and the supported rules' verdicts)
Oof = tuple[Row, frozenset[str], dict[str, float], dict[str, float]]


def out_of_fold(rows: Sequence[Row], fold_of: Sequence[int], slugs: Sequence[str],
                options: learn.TrainOptions) -> list[Oof]:
    """Train on the other folds, predict each fold (rows in their original order)."""
    found: dict[int, Oof] = {}
    for fold in sorted(set(fold_of)):
        train = [r for r, f in zip(rows, fold_of, strict=True) if f != fold]
        stats = cue_stats(train)
        text = learn.train([(r.feats, r.want) for r in train], slugs, options)
        # the training rows' verdicts come from every pattern: they were written from them
        stack = learn.train([(learn.features(r.text, r.fired), r.want) for r in train], slugs,
                            options)
        for i, (r, f) in enumerate(zip(rows, fold_of, strict=True)):
            if f == fold:
                sup = supported(stats, r)
                found[i] = (r, sup, text.probabilities(r.feats),
                            stack.probabilities(learn.features(r.text, sup)))
        print(f"  fold {fold + 1} done", file=sys.stderr)
    return [found[i] for i in range(len(rows))]


Decide = Callable[[Oof], set[str]]


def _above(probs: dict[str, float], t: float) -> set[str]:
    return {s for s, p in probs.items() if p >= t}


def _best(probs: dict[str, float], floor: float) -> set[str]:
    top = max(sorted(probs), key=lambda s: probs[s])
    return {top} if probs[top] >= floor else set()


def _at(t: float) -> dict[str, Decide]:
    """The methods that take one threshold ``t``."""
    def words(o: Oof) -> set[str]:
        return _above(o[2], t)

    def rules_or_words(o: Oof) -> set[str]:
        return set(o[1]) | _above(o[2], t)

    def stacked(o: Oof) -> set[str]:
        return _above(o[3], t)

    def veto(o: Oof) -> set[str]:
        return {s for s in o[1] if o[3][s] >= t}

    def fallback(o: Oof) -> set[str]:
        return set(o[1]) or _best(o[3], t)

    return {f"words model >= {t}": words, f"supported rules | words >= {t}": rules_or_words,
            f"stacked >= {t}": stacked, f"supported rules, veto stacked < {t}": veto,
            f"supported rules, else stacked best >= {t}": fallback}


def _per_theme(th: dict[str, float]) -> Decide:
    def decide(o: Oof) -> set[str]:
        return {s for s, p in o[3].items() if p >= th[s]}
    return decide


def methods(thresholds: Sequence[float],
            per_theme: dict[str, dict[str, float]]) -> dict[str, Decide]:
    """The decisions compared (each from one pledge's out-of-fold verdicts)."""
    def every_pattern(o: Oof) -> set[str]:
        return set(o[0].fired)

    def supported_only(o: Oof) -> set[str]:
        return set(o[1])

    found: dict[str, Decide] = {"rules, every pattern (optimistic)": every_pattern,
                                "rules, supported cues only": supported_only}
    for t in thresholds:
        found.update(_at(t))
    for name, th in per_theme.items():
        found[f"stacked, per-theme thresholds {name}"] = _per_theme(th)
    return found


def per_theme_thresholds(oof: Sequence[Oof], slugs: Sequence[str]) -> dict[str, float]:
    """For each theme, the stacked model's threshold (0.05 .. 0.9) with the best F1 on
    ``oof``."""
    chosen: dict[str, float] = {}
    for s in slugs:
        scored = []
        for t in [i / 20 for i in range(1, 19)]:
            tp = sum(1 for o in oof if o[3][s] >= t and s in o[0].want)
            fp = sum(1 for o in oof if o[3][s] >= t and s not in o[0].want)
            fn = sum(1 for o in oof if o[3][s] < t and s in o[0].want)
            scored.append((2 * tp / (2 * tp + fp + fn) if tp else 0.0, -t))
        chosen[s] = -max(scored)[1]
    return chosen


def grouped_cv(rows: Sequence[Row], splits: dict[str, list[int]], slugs: Sequence[str],
               thresholds: Sequence[float]) -> None:
    """Section 2: every method under every split, side by side."""
    options = learn.TrainOptions()
    oofs = {name: out_of_fold(rows, fold_of, slugs, options) for name, fold_of in
            splits.items()}
    names = list(splits)
    # per-theme thresholds are chosen on one split's predictions and scored on the other's
    chosen = {name: per_theme_thresholds(oofs[name], slugs) for name in names}
    print("  per-theme thresholds of the stacked model: " + "; ".join(
        f"chosen on {n}: " + ", ".join(f"{s} {t:.2f}" for s, t in chosen[n].items())
        for n in names))
    scores: dict[str, list[str]] = {}
    for split in names:
        other = {f"(chosen on {n})": chosen[n] for n in names if n != split}
        for method, decide in methods(thresholds, other).items():
            key = method.replace(" (chosen on " + names[0] + ")", " (chosen on the other "
                                 "split)").replace(" (chosen on " + names[-1] + ")",
                                                   " (chosen on the other split)")
            p, r, f1 = prf(count([(decide(o), o[0].want) for o in oofs[split]]))
            scores.setdefault(key, []).append(f"{p:.3f} {r:.3f} {f1:.3f}")
    print(f"  {'method (micro P R F1)':<50}" + "".join(f"{n:>24}" for n in names))
    for method, cells in scores.items():
        print(f"  {method[:50]:<50}" + "".join(f"{c:>24}" for c in cells))
    for split in names:
        print(f"  per theme, rules with supported cues only, {split}:")
        print(*table(count([(set(o[1]), o[0].want) for o in oofs[split]])), sep="\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path,
                    default=Path("/work/shared/sources/uccn-profiles-2024-10-01.json"))
    ap.add_argument("--with-set", action="append", default=[],
                    help="also use heldout.csv rows of this set as development data")
    ap.add_argument("--vocab", type=Path, help="another themes.ttl (default: the shipped one)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--thresholds", default="0.1,0.2,0.3,0.5,0.7")
    ap.add_argument("--newest", default="", help="the newest round (default: the last set)")
    ap.add_argument("--errors", action="store_true",
                    help="list every error of the rules with its class, then stop")
    ap.add_argument("--no-model", action="store_true",
                    help="skip the learned methods (sections 2 and 3 but the cue strengths)")
    ap.add_argument("--cue-thresholds", default="0.5,0.6,0.7,0.8")
    ap.add_argument("--carry", action="store_true",
                    help="only the leave-one-profile-out and leave-one-field-out estimate of "
                         "the rules on development (ccgraph.theme_carry), then stop")
    ap.add_argument("--ablate", action="store_true",
                    help="with --carry: also what removing each cue changes in the estimate")
    ap.add_argument("--min-groups", type=int, default=1,
                    help="with --carry: other profiles/fields a cue must be right in (1)")
    args = ap.parse_args(argv)
    if args.carry:
        rules = load_default_rules() if args.vocab is None else load_default_rules(args.vocab)
        print(theme_carry.format_carry(theme_carry.development_pledges(args.corpus, rules),
                                       args.min_groups))
        if args.ablate:
            print(theme_carry.format_ablation(theme_carry.development_pledges(args.corpus, rules),
                                              args.min_groups))
        return 0
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
          + ", ".join(f"{p} {sum(r.part == p for r in rows)}" for p in parts)
          + "; fields: " + ", ".join(f"{f} {n}" for f, n in
                                     sorted(Counter(r.field for r in rows).items())))
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
    by_profile = {p: i % args.folds for i, p in enumerate(shuffled)}
    fields = sorted({r.field for r in rows})
    splits = {f"profile {args.folds}-fold": [by_profile[r.profile] for r in rows],
              "leave-one-field-out": [fields.index(r.field) for r in rows]}
    print("\n2. grouped cross-validation (learned on the other folds only)")
    for split, fold_of in splits.items():
        cue_cv(rows, split, fold_of, [float(t) for t in args.cue_thresholds.split(",")])
    if args.no_model:
        return 0
    grouped_cv(rows, splits, slugs, thresholds)
    print(f"\n3. trained on every round but {newest}, scored on {newest}")
    old = [r for r in rows if r.part != newest]
    new = [r for r in rows if r.part == newest]
    stats = cue_stats(old)
    model = learn.train([(r.feats, r.want) for r in old], slugs, learn.TrainOptions())
    stacked = learn.train([(learn.features(r.text, r.fired), r.want) for r in old], slugs,
                          learn.TrainOptions())
    print(f"  {'rules (written seeing it)':<40} "
          + micro(count([(r.fired, r.want) for r in new])))
    print(f"  {'rules, supported cues only':<40} "
          + micro(count([(supported(stats, r), r.want) for r in new])))
    for t in thresholds:
        print(f"  {f'words model >= {t}':<40} "
              + micro(count([(model.decide_at(r.feats, t), r.want) for r in new])))
        print(f"  {f'stacked on supported rules >= {t}':<40} " + micro(count([
            (stacked.decide_at(learn.features(r.text, supported(stats, r)), t), r.want)
            for r in new])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
