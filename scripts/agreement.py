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
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
