"""Agreement between two annotators of the development gold (issue 13: the human ceiling).

A second annotator re-annotates a deterministic sample of the development gold blind, under
docs/annotation.md and the theme definitions; this module picks the sample and compares the
two annotations (`scripts/agreement.py` prints them; docs/annotation.md, "Agreement between
annotators", gives the method and the result).

The pick (:func:`pick`): random.Random(1307). Themes: the development theme pledges grouped
by profile; each field's profile indexes (sorted) are shuffled, then profiles are taken
round-robin over the fields in sorted order (all the pledges of a profile, in position order)
until 100 pledges (the last profile's pledges cut at 100). Mentions: each field's development
mention profiles (sorted) shuffled by the same generator, taken round-robin, 12 profiles. The
field is the corpus record's Category.

The comparison: theme micro-F1 of the second annotation against the gold and Cohen's kappa
per theme (:func:`theme_agreement`); mention P/R/F1 per kind (:func:`mention_agreement`),
exact (a written form in common, same kind), lenient (overlapping spans in the About text,
same kind) or kind ignored; every disagreement (:func:`disagreements`), joined to its hand
classification in data/agreement/disagreements.csv (:func:`read_classes`).
"""

from __future__ import annotations

import csv
import functools
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import shipped
from .gold_scores import prf

#: the gold sets, and the second annotation of the agreement sample
GOLD = shipped.gold()
AGREE = shipped.data() / "agreement"
#: the gold rows of the sample as they were when the study compared them (commit 50b3302),
#: in the layout of data/gold/: the development gold has since been corrected with the study's
#: findings, and comparing the second annotation with the corrected gold would no longer
#: measure agreement
GOLD_AT_STUDY = AGREE / "gold-at-study"
SEED = 1307
N_PLEDGES = 100
N_MENTION_PROFILES = 12
KINDS: tuple[str, ...] = ("facility", "event", "organisation")
CLASSES: tuple[str, ...] = ("convention gap", "slip", "ambiguous")
SELECTION_COLUMNS = ("part", "index", "city", "field", "position", "first_words")


_WORD = re.compile(r"[\w’'´-]+")


def first_words(text: str, n: int = 5) -> str:
    """The first ``n`` words, case-folded (as ccgraph.gold_scores names a pledge)."""
    return " ".join(w.casefold() for w in _WORD.findall(text)[:n])


def corpus_fields(corpus: Path) -> dict[int, str]:
    """The Category of every corpus record, by index."""
    data = json.loads(corpus.read_text(encoding="utf-8"))
    return {int(k): v["Category"] for k, v in data["0"].items()}


# --- the pick ---------------------------------------------------------------------------------

def _round_robin(by_field: dict[str, list[int]], rng: random.Random) -> list[int]:
    """Each field's indexes (sorted) shuffled, then interleaved over the fields in sorted order."""
    queues = {}
    for field in sorted(by_field):
        items = sorted(by_field[field])
        rng.shuffle(items)
        queues[field] = items
    out: list[int] = []
    while any(queues.values()):
        for field in sorted(queues):
            if queues[field]:
                out.append(queues[field].pop(0))
    return out


def pick(corpus: Path, gold: Path = GOLD) -> list[dict[str, str]]:
    """The selection rows (keys only, never a theme or a mention of the gold)."""
    fields = corpus_fields(corpus)
    rng = random.Random(SEED)
    pledges: dict[int, list[dict[str, str]]] = defaultdict(list)
    with (gold / "themes" / "development.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            keys = {k: row[k] for k in ("index", "city", "position", "first_words")}
            pledges[int(row["index"])].append(keys)
    by_field: dict[str, list[int]] = defaultdict(list)
    for index in pledges:
        by_field[fields[index]].append(index)
    rows: list[dict[str, str]] = []
    for index in _round_robin(by_field, rng):
        for keys in sorted(pledges[index], key=lambda r: int(r["position"])):
            if len(rows) < N_PLEDGES:
                rows.append({"part": "themes", "field": fields[index], **keys})
        if len(rows) >= N_PLEDGES:
            break
    files: dict[int, str] = {}
    for path in sorted((gold / "mentions" / "development").glob("*.json")):
        files[int(path.name.split("-", 1)[0])] = path.stem
    by_field = defaultdict(list)
    for index in files:
        by_field[fields[index]].append(index)
    for index in _round_robin(by_field, rng)[:N_MENTION_PROFILES]:
        rows.append({"part": "mentions", "index": str(index), "city": files[index],
                     "field": fields[index], "position": "", "first_words": ""})
    return rows


def write_selection(rows: list[dict[str, str]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, SELECTION_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def read_selection(path: Path = AGREE / "selection.csv") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


_ABOUT_END = re.compile(r"Added [Vv]alue|As an? (?:UNESCO )?Creative City")


# --- the comparison ---------------------------------------------------------------------------

#: sampled items whose gold reading was partly known to the second annotator before annotating
#: (written in docs/annotation.md or docs/themes.md, or the first row of development.csv, which
#: the brief had them look at for its format): agreement is also given without them
SEEN_PLEDGES: frozenset[tuple[int, int]] = frozenset({
    (319, 1), (319, 4), (116, 4), (246, 4), (176, 5), (154, 1), (121, 2), (157, 3)})

PledgeKey = tuple[int, int]


def read_themes(path: Path, keys: set[PledgeKey] | None = None) -> dict[PledgeKey, frozenset[str]]:
    """Theme sets by (index, position) from a CSV with development.csv's columns."""
    out: dict[PledgeKey, frozenset[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (int(row["index"]), int(row["position"]))
            if keys is None or key in keys:
                out[key] = frozenset(t for t in row["themes"].split("|") if t)
    return out


def cohen_kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's kappa of two yes/no judgements of the same items (1.0 when chance is 1)."""
    if len(a) != len(b) or not a:
        raise ValueError("kappa needs two equally long, non-empty lists")
    n = len(a)
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


@dataclass(frozen=True)
class ThemeAgreement:
    pledges: int
    tp: int
    fp: int  # given by the second annotator only
    fn: int  # given by the first (the gold) only
    exact: int
    kappa: dict[str, float]
    support: dict[str, tuple[int, int]]  # theme -> (pledges the gold gives it, the second gives it)

    @property
    def prf(self) -> tuple[float, float, float]:
        return prf(self.tp, self.fp, self.fn)


def theme_agreement(gold: dict[PledgeKey, frozenset[str]],
                    second: dict[PledgeKey, frozenset[str]]) -> ThemeAgreement:
    """Micro P/R/F1 of the second annotation against the first, and Cohen's kappa per theme."""
    keys = sorted(gold)
    if set(keys) != set(second):
        raise ValueError(f"the two annotations cover different pledges: "
                         f"{sorted(set(keys) ^ set(second))}")
    tp = fp = fn = exact = 0
    for key in keys:
        tp += len(gold[key] & second[key])
        fp += len(second[key] - gold[key])
        fn += len(gold[key] - second[key])
        exact += gold[key] == second[key]
    themes = sorted(set().union(*gold.values(), *second.values()))
    kappa = {t: cohen_kappa([t in gold[k] for k in keys], [t in second[k] for k in keys])
             for t in themes}
    support = {t: (sum(t in gold[k] for k in keys), sum(t in second[k] for k in keys))
               for t in themes}
    return ThemeAgreement(len(keys), tp, fp, fn, exact, kappa, support)


def bootstrap_f1(gold: dict[PledgeKey, frozenset[str]], second: dict[PledgeKey, frozenset[str]],
                 rounds: int = 2000, seed: int = SEED) -> tuple[float, float]:
    """A 95 % interval of the theme micro-F1, resampling pledges (percentile bootstrap)."""
    keys = sorted(gold)
    rng = random.Random(seed)
    values = []
    for _ in range(rounds):
        tp = fp = fn = 0
        for key in (keys[rng.randrange(len(keys))] for _ in keys):
            tp += len(gold[key] & second[key])
            fp += len(second[key] - gold[key])
            fn += len(gold[key] - second[key])
        values.append(prf(tp, fp, fn)[2])
    values.sort()
    return values[int(0.025 * rounds)], values[int(0.975 * rounds) - 1]


@dataclass(frozen=True)
class Entry:
    kind: str
    label: str
    forms: tuple[str, ...]  # the label and its aliases


def read_mentions(path: Path) -> list[Entry]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for item in data["mentions"]:
        if item["kind"] not in KINDS:
            raise ValueError(f"{path}: unknown kind {item['kind']!r}; use one of {KINDS}")
        out.append(Entry(item["kind"], item["label"],
                         (item["label"], *item.get("aliases", []))))
    return out


def normalise(form: str) -> str:
    """A label as the scorer compares it: quotes and apostrophes unified, case and a leading
    "the" ignored, spaces collapsed."""
    form = re.sub(r"[’‘´`]", "'", form)
    form = re.sub(r"[“”«»\"]", "", form)
    form = " ".join(form.split()).casefold()
    return form.removeprefix("the ")


def _spans(entry: Entry, about: str) -> list[tuple[int, int]]:
    low = about.casefold()
    out = []
    for form in entry.forms:
        needle = form.casefold()
        start = low.find(needle)
        while needle and start >= 0:
            out.append((start, start + len(needle)))
            start = low.find(needle, start + 1)
    return out


def exact_match(a: Entry, b: Entry) -> bool:
    """The same name: a written form in common."""
    return bool({normalise(f) for f in a.forms} & {normalise(f) for f in b.forms})


def overlap_match(a: Entry, b: Entry, about: str) -> bool:
    """Overlapping spans in the About text (or one form inside the other when not found)."""
    sa, sb = _spans(a, about), _spans(b, about)
    if sa and sb:
        return any(x0 < y1 and y0 < x1 for x0, x1 in sa for y0, y1 in sb)
    na, nb = {normalise(f) for f in a.forms}, {normalise(f) for f in b.forms}
    return any(x in y or y in x for x in na for y in nb)


def pair(gold: list[Entry], second: list[Entry], same: Callable[[Entry, Entry], bool],
         kinds: bool = True) -> list[tuple[int, int]]:
    """One-to-one pairs (gold position, second position), greedily in gold order."""
    used: set[int] = set()
    pairs = []
    for i, g in enumerate(gold):
        for j, s in enumerate(second):
            if j not in used and (not kinds or g.kind == s.kind) and same(g, s):
                used.add(j)
                pairs.append((i, j))
                break
    return pairs


@dataclass(frozen=True)
class MentionAgreement:
    counts: dict[str, tuple[int, int, int]]  # kind or "overall" -> (tp, fp, fn)

    def prf(self, kind: str = "overall") -> tuple[float, float, float]:
        return prf(*self.counts[kind])


def mention_agreement(gold: dict[int, list[Entry]], second: dict[int, list[Entry]],
                      abouts: dict[int, str], mode: str = "exact") -> MentionAgreement:
    """P/R/F1 per kind of the second annotation against the first. ``mode``: "exact" (a
    written form in common, same kind), "lenient" (overlapping spans, same kind) or "any-kind"
    (a written form in common, kind ignored)."""
    if set(gold) != set(second):
        raise ValueError(f"the two annotations cover different profiles: "
                         f"{sorted(set(gold) ^ set(second))}")
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for index in sorted(gold):
        g, s = gold[index], second[index]
        if mode == "lenient":
            pairs = pair(g, s, functools.partial(overlap_match, about=abouts[index]))
        else:
            pairs = pair(g, s, exact_match, kinds=mode != "any-kind")
        gi = {i for i, _ in pairs}
        sj = {j for _, j in pairs}
        for i, _ in pairs:
            tp[g[i].kind] += 1
        for i, e in enumerate(g):
            if i not in gi:
                fn[e.kind] += 1
        for j, e in enumerate(s):
            if j not in sj:
                fp[e.kind] += 1
    counts = {k: (tp[k], fp[k], fn[k]) for k in KINDS}
    counts["overall"] = (sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return MentionAgreement(counts)


def about_part(text: str) -> str:
    """The About part of a Description, cut where the mention scorer cuts it."""
    m = _ABOUT_END.search(text)
    return text[:m.start() if m else len(text)]


def about_text(record: dict[str, str]) -> str:
    return about_part(record["Description"])


@dataclass(frozen=True)
class Sample:
    """Both annotations of the sample, and the About texts of its mention profiles."""

    themes_gold: dict[PledgeKey, frozenset[str]]
    themes_second: dict[PledgeKey, frozenset[str]]
    mentions_gold: dict[int, list[Entry]]
    mentions_second: dict[int, list[Entry]]
    abouts: dict[int, str]
    rounds: dict[PledgeKey, str]  # the gold row's `set`


def load_pair(corpus: Path, gold_root: Path = GOLD_AT_STUDY, agree: Path = AGREE) -> Sample:
    """Both annotations of the sample, and the About texts of its mention profiles; the gold
    as it was at the study (:data:`GOLD_AT_STUDY`) unless ``gold_root`` names another."""
    selection = read_selection(agree / "selection.csv")
    keys = {(int(r["index"]), int(r["position"])) for r in selection if r["part"] == "themes"}
    stems = {int(r["index"]): r["city"] for r in selection if r["part"] == "mentions"}
    records = json.loads(corpus.read_text(encoding="utf-8"))["0"]
    rounds: dict[PledgeKey, str] = {}
    with (gold_root / "themes" / "development.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (int(row["index"]), int(row["position"]))
            if key in keys:
                rounds[key] = row["set"]
    return Sample(
        themes_gold=read_themes(gold_root / "themes" / "development.csv", keys),
        themes_second=read_themes(agree / "themes.csv", keys),
        mentions_gold={i: read_mentions(gold_root / "mentions" / "development" / f"{s}.json")
                       for i, s in stems.items()},
        mentions_second={i: read_mentions(agree / "mentions" / f"{s}.json")
                         for i, s in stems.items()},
        abouts={i: about_text(records[str(i)]) for i in stems},
        rounds=rounds,
    )


Classes = dict[tuple[str, ...], tuple[str, str]]


def read_classes(path: Path = AGREE / "disagreements.csv") -> Classes:
    """Hand classification: (part, index, item, side) -> (class, note)."""
    out: Classes = {}
    if not path.exists():
        return out
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if row["class"] not in CLASSES:
                raise ValueError(f"{path}:{line}: class {row['class']!r} is not one of {CLASSES}")
            out[(row["part"], row["index"], row["item"], row["side"])] = (row["class"], row["note"])
    return out


def disagreements(data: Sample) -> list[tuple[str, str, str, str]]:
    """Every disagreement as (part, index, item, side); side = who alone gave it ("gold" or
    "second"). Themes: item = "position:theme". Mentions: item = "kind:label"."""
    out = []
    tg, ts = data.themes_gold, data.themes_second
    for key in sorted(tg):
        for theme in sorted(tg[key] - ts[key]):
            out.append(("themes", str(key[0]), f"{key[1]}:{theme}", "gold"))
        for theme in sorted(ts[key] - tg[key]):
            out.append(("themes", str(key[0]), f"{key[1]}:{theme}", "second"))
    mg, ms = data.mentions_gold, data.mentions_second
    for index in sorted(mg):
        pairs = pair(mg[index], ms[index], exact_match)
        gi, sj = {i for i, _ in pairs}, {j for _, j in pairs}
        out += [("mentions", str(index), f"{e.kind}:{e.label}", "gold")
                for i, e in enumerate(mg[index]) if i not in gi]
        out += [("mentions", str(index), f"{e.kind}:{e.label}", "second")
                for j, e in enumerate(ms[index]) if j not in sj]
    return out
