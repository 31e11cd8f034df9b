"""Agreement between two annotators on the development gold (issue 13: the human ceiling).

A second annotator re-annotated a deterministic sample of the development gold blind (without
opening the gold rows of the sampled items), under docs/annotation.md and the theme
definitions of data/vocab/themes.ttl. This script picks the sample, prints the texts to
annotate, and compares the two annotations.

    python3 scripts/agreement.py pick CORPUS      # writes data/agreement/selection.csv (keys only)
    python3 scripts/agreement.py show CORPUS      # prints the About texts and pledges to annotate
    python3 scripts/agreement.py compare CORPUS   # agreement numbers and classified disagreements

The pick: random.Random(1307). Themes: every development theme pledge grouped by profile;
each field's profile indexes (sorted) are shuffled, then profiles are taken round-robin over
the fields in sorted order (all the pledges of a profile, in position order) until 100
pledges are reached (the last profile's pledges cut at 100). Mentions: each field's
development mention profiles (sorted) shuffled by the same generator, then taken round-robin
over the fields in sorted order, 12 profiles. The field is the corpus record's Category.

The second annotation: data/agreement/themes.csv (columns of data/gold/themes/development.csv)
and data/agreement/mentions/NNN-city.json (the gold mention format). The classification of
each disagreement (convention gap / slip / ambiguous) is a judgement written by hand in
data/agreement/disagreements.csv; `compare` joins it to the disagreements it finds and lists
any it finds unclassified.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "data" / "gold"
AGREE = ROOT / "data" / "agreement"
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


def _profiles(corpus: Path) -> dict[int, Any]:
    """The corpus as the build reads it (pledges split by ccgraph's splitter, nothing else)."""
    from ccgraph.extract.mention_eval import load_profiles
    return dict(load_profiles(corpus))


_ABOUT_END = re.compile(r"Added [Vv]alue|As an? (?:UNESCO )?Creative City")


def show(corpus: Path) -> None:
    """Print what the second annotator reads: each sampled pledge, each sampled About text."""
    profiles = _profiles(corpus)
    for row in read_selection():
        profile = profiles[int(row["index"])]
        if row["part"] == "themes":
            found = [p for p in profile.pledges
                     if first_words(p.span.text) == first_words(row["first_words"])]
            print(f"== {row['index']},{row['city']},{row['position']} :: {found[0].span.text}")
        else:
            text = profile.text
            m = _ABOUT_END.search(text)
            about = text[:m.start() if m else len(text)]
            print(f"\n#### {row['city']} ({row['field']})\n{about}\n")


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


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


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
        return _prf(self.tp, self.fp, self.fn)


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
        values.append(_prf(tp, fp, fn)[2])
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


def pair(gold: list[Entry], second: list[Entry], same: Any,
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
        return _prf(*self.counts[kind])


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
            about = abouts[index]
            pairs = pair(g, s, lambda a, b, about=about: overlap_match(a, b, about))
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


def about_text(record: dict[str, str]) -> str:
    text = record["Description"]
    m = _ABOUT_END.search(text)
    return text[:m.start() if m else len(text)]


def load_pair(corpus: Path, gold_root: Path = GOLD, agree: Path = AGREE) -> dict[str, Any]:
    """Both annotations of the sample, and the About texts of its mention profiles."""
    selection = read_selection(agree / "selection.csv")
    keys = {(int(r["index"]), int(r["position"])) for r in selection if r["part"] == "themes"}
    stems = {int(r["index"]): r["city"] for r in selection if r["part"] == "mentions"}
    records = json.loads(corpus.read_text(encoding="utf-8"))["0"]
    return {
        "themes_gold": read_themes(gold_root / "themes" / "development.csv", keys),
        "themes_second": read_themes(agree / "themes.csv", keys),
        "mentions_gold": {i: read_mentions(gold_root / "mentions" / "development" / f"{s}.json")
                          for i, s in stems.items()},
        "mentions_second": {i: read_mentions(agree / "mentions" / f"{s}.json")
                            for i, s in stems.items()},
        "abouts": {i: about_text(records[str(i)]) for i in stems},
    }


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


def disagreements(data: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Every disagreement as (part, index, item, side); side = who alone gave it ("gold" or
    "second"). Themes: item = "position:theme". Mentions: item = "kind:label"."""
    out = []
    tg, ts = data["themes_gold"], data["themes_second"]
    for key in sorted(tg):
        for theme in sorted(tg[key] - ts[key]):
            out.append(("themes", str(key[0]), f"{key[1]}:{theme}", "gold"))
        for theme in sorted(ts[key] - tg[key]):
            out.append(("themes", str(key[0]), f"{key[1]}:{theme}", "second"))
    mg, ms = data["mentions_gold"], data["mentions_second"]
    for index in sorted(mg):
        pairs = pair(mg[index], ms[index], exact_match)
        gi, sj = {i for i, _ in pairs}, {j for _, j in pairs}
        out += [("mentions", str(index), f"{e.kind}:{e.label}", "gold")
                for i, e in enumerate(mg[index]) if i not in gi]
        out += [("mentions", str(index), f"{e.kind}:{e.label}", "second")
                for j, e in enumerate(ms[index]) if j not in sj]
    return out


def report(corpus: Path) -> None:
    data = load_pair(corpus)
    ta = theme_agreement(data["themes_gold"], data["themes_second"])
    p, r, f = ta.prf
    print(f"Themes, {ta.pledges} pledges (second annotator against the gold): micro P {p:.3f} "
          f"R {r:.3f} F1 {f:.3f}; same set {ta.exact}/{ta.pledges}; "
          f"assignments gold {ta.tp + ta.fn}, second {ta.tp + ta.fp}, shared {ta.tp}")
    low, high = bootstrap_f1(data["themes_gold"], data["themes_second"])
    print(f"  95 % bootstrap interval of F1 (pledges resampled): {low:.3f}-{high:.3f}")
    unseen = {k for k in data["themes_gold"] if k not in SEEN_PLEDGES}
    tu = theme_agreement({k: data["themes_gold"][k] for k in unseen},
                         {k: data["themes_second"][k] for k in unseen})
    print(f"  without the {ta.pledges - tu.pledges} pledges whose gold was seen: "
          f"F1 {tu.prf[2]:.3f} ({tu.pledges} pledges)")
    rounds: dict[str, set[PledgeKey]] = defaultdict(set)
    with (GOLD / "themes" / "development.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (int(row["index"]), int(row["position"]))
            if key in data["themes_gold"]:
                rounds[row["set"]].add(key)
    for name, keys in sorted(rounds.items()):
        tr = theme_agreement({k: data["themes_gold"][k] for k in keys},
                             {k: data["themes_second"][k] for k in keys})
        print(f"  gold rows of {name:20} F1 {tr.prf[2]:.3f} ({tr.pledges} pledges)")
    print(f"  {'theme':32} {'kappa':>6} {'gold':>5} {'second':>6}")
    for theme in sorted(ta.kappa, key=lambda t: ta.kappa[t]):
        print(f"  {theme:32} {ta.kappa[theme]:6.3f} {ta.support[theme][0]:5d} "
              f"{ta.support[theme][1]:6d}")
    print(f"  mean kappa {sum(ta.kappa.values()) / len(ta.kappa):.3f}")
    n = sum(len(v) for v in data["mentions_gold"].values())
    m = sum(len(v) for v in data["mentions_second"].values())
    print(f"\nMentions, {len(data['mentions_gold'])} profiles: gold {n} names, second {m}")
    print(f"  {'mode':9} {'kind':13} {'P':>6} {'R':>6} {'F1':>6}   tp  fp  fn")
    for mode in ("exact", "lenient", "any-kind"):
        ma = mention_agreement(data["mentions_gold"], data["mentions_second"], data["abouts"], mode)
        for kind in (*KINDS, "overall"):
            p, r, f = ma.prf(kind)
            tp, fp, fn = ma.counts[kind]
            print(f"  {mode:9} {kind:13} {p:6.3f} {r:6.3f} {f:6.3f}  {tp:3d} {fp:3d} {fn:3d}")
    classes = read_classes()
    found = disagreements(data)
    print(f"\nDisagreements ({len(found)}; side = the annotator who alone gave it):")
    tally: Counter[tuple[str, str]] = Counter()
    for key in found:
        cls, note = classes.get(key, ("UNCLASSIFIED", ""))
        tally[(key[0], cls)] += 1
        print(f"  {key[0]:8} {key[1]:>3} {key[3]:6} {key[2]:60} {cls}: {note}")
    stale = sorted(set(classes) - set(found))
    for old in stale:
        print(f"  (classified but no longer a disagreement: {old})")
    print("\nBy class:")
    for (part, cls), count in sorted(tally.items()):
        print(f"  {part:8} {cls:15} {count}")
    gaps = Counter(key[3] for key in found
                   if key[0] == "themes" and classes.get(key, ("",))[0] == "convention gap")
    print(f"\nThemes F1 if every convention gap were settled (those {sum(gaps.values())} "
          f"disagreements dropped, no shared assignment added): "
          f"{_prf(ta.tp, ta.fp - gaps['second'], ta.fn - gaps['gold'])[2]:.3f}")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("pick", "show", "compare"):
        print(__doc__, file=sys.stderr)
        return 2
    command, corpus = argv[0], Path(argv[1])
    if command == "pick":
        rows = pick(corpus)
        write_selection(rows, AGREE / "selection.csv")
        parts = Counter(r["part"] for r in rows)
        profiles = {r["index"] for r in rows if r["part"] == "themes"}
        print(f"{parts['themes']} pledges of {len(profiles)} profiles, "
              f"{parts['mentions']} mention profiles -> {AGREE / 'selection.csv'}")
        for part in ("themes", "mentions"):
            print(part, dict(Counter(r["field"] for r in rows if r["part"] == part)))
        return 0
    if command == "show":
        show(corpus)
        return 0
    report(corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
