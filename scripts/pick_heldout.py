"""Pick the held-out gold profiles (issue 13). Run once; the result is committed.

Rule: from the 2024-10-01 profiles corpus, drop the broken record, the duplicated cities
(links ending "-0") and every index already in a development gold set (mentions or themes).
Shuffle each field's remaining indexes with random.Random(13) (indexes sorted first) and take
the first 6 of each field (7 fields -> 42 profiles). For themes, the first 2 of each field in
that seeded order (14 profiles) give the held-out pledges. Naming languages: when no picked
profile comes from a country of one of the languages below (ISO codes from uccn-members.csv),
the first unpicked profile of such a country in the seeded order (fields in sorted order) is
added, so French, Spanish, Portuguese, Korean and Chinese names all occur.

With --dev-extension, it prints instead the next 4 of each field in the seeded order
(skipping the held-out picks): the profiles added to the development set afterwards, to give
the rules more examples to learn from (they were never held out).

The held-out picks were made against the 22 original development files and the theme gold of
commit 35be8ef; the development extension was added afterwards, so to reproduce the held-out
list run the script on that commit's gold files.

Second round (--round2, 2026-12-01): the first held-out sets had been seen (their errors were
listed) and were demoted to development. A fresh held-out set is drawn by the same rule with
random.Random(1302) instead of 13, excluding every index already in any gold set (pass the
development folder after the demotion and its theme CSV; both now hold the old held-out sets).
Themes: the first 2 of each field (all of them are in no theme set); as these 14 profiles give
69 pledges (< 70), the third profile of the first field in sorted order (Crafts and Folk Art:
Suzhou, index 285) was added by hand to the theme set: 74 pledges from 15 profiles.

Third round (--round3, 2026-12-01): the second held-out sets had been scored and were demoted
to development in turn. A fresh held-out set is drawn by the same rule with random.Random(1303),
excluding every index of any gold set, and every record whose text is that of a gold record
(index 0 repeats Ashgabat's index 44), (the development folder and theme CSV after the demotion
hold both earlier held-out sets). Film (3) and Media Arts (1) have fewer than 6 unused profiles
left, so the set is topped up to 40: the next unpicked profile of each field in sorted field
order, round after round. Themes: the first 2 of each field (14 profiles), then, while
the pledges number fewer than 70, the third profile of each field in sorted field order.

Fourth round (--round4, 2026-12-01): the third held-out sets had been scored and were demoted
to development. The same rule as round 3 with random.Random(1304): every index of any gold set
and every record repeating a gold record's text excluded, 6 per field where there are, the
naming-language rule, then topped up round-robin to 40. Themes: as in round 3 (the first 2 of
each field, then the third of each field in sorted field order while fewer than 70 pledges).

Fifth round (--round5, 2026-12-01): the fourth held-out sets had been scored and were demoted
to development. The same rule as rounds 3-4 with random.Random(1305). Themes: as in round 4.

Sixth round (--round6, 2026-12-02): the fifth held-out sets had been scored and were demoted
to development. The same rule as rounds 3-5 with random.Random(1306). Themes: as in round 5
(the first 2 of each field, then the third, then the fourth of each field in sorted field
order while fewer than 70 pledges).

Seventh round (--round7, 2026-12-02): the sixth held-out sets are still held out (scored once,
not demoted), and only 26 profiles are outside every gold set (Music 20, Crafts and Folk Art 6),
so the seventh set is all of them. Excluded: every index of every gold set, development and
held-out (every JSON under the parent folder of DEV_MENTIONS_DIR, every CSV beside
DEV_THEMES_CSV, except the seventh set's own heldout7/ and heldout7.csv, so that the pick can
be re-run after the set is filed), and every record repeating a gold record's text. Order: each
field's indexes sorted, shuffled with random.Random(1307), fields in sorted order, then
taken round-robin (Crafts, Music, Crafts, Music, ...; Music alone once Crafts is exhausted).
Themes: the first 12 profiles in that order are marked "themes" (6 of each field), the
minimum the round asks; all 26 were annotated in the end (docs/annotation.md).

Usage: python3 scripts/pick_heldout.py CORPUS MEMBERS_CSV DEV_MENTIONS_DIR DEV_THEMES_CSV
       [--round2|--round3|--round4|--round5|--round6|--round7]
"""

from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

PER_FIELD = 6
THEMES_PER_FIELD = 2
#: the seed of each later round (the first round used 13)
SEEDS = {"--round2": 1302, "--round3": 1303, "--round4": 1304, "--round5": 1305,
         "--round6": 1306, "--round7": 1307}
#: round 7: profiles whose pledges are annotated for themes at least
THEMES_ROUND7 = 12
MINIMUM = 40  # rounds 3-6: Film and Media Arts have too few unused profiles left for 6 each
LANGUAGES = {
    "French": {"FR", "BE", "CH", "SN", "MA", "TN", "CI", "BF", "TG", "BJ", "CM", "ML", "LB", "HT"},
    "Spanish": {"ES", "MX", "CO", "AR", "EC", "PE", "CL", "BO", "VE", "UY", "CU", "PA", "GT"},
    "Portuguese": {"PT", "BR", "MZ", "AO", "CV"},
    "Korean": {"KR"},
    "Chinese": {"CN", "TW", "MO", "HK"},
}


def main(corpus: Path, members: Path, dev_mentions: Path, dev_themes: Path,
         extension: bool = False, seed: int = 13) -> None:
    with members.open(encoding="utf-8", newline="") as handle:
        country = {row["city"]: row["iso3166_alpha2"] for row in csv.DictReader(handle)}
    records = json.loads(corpus.read_text(encoding="utf-8"))["0"]
    mention_files = [p for p in dev_mentions.parent.glob("*/*.json")
                     if p.parent.name != "heldout7"] if seed >= 1307 else \
        list(dev_mentions.glob("*.json"))
    used = {int(json.loads(p.read_text(encoding="utf-8"))["index"]) for p in mention_files}
    for theme_file in ([p for p in sorted(dev_themes.parent.glob("*.csv"))
                        if p.name != "heldout7.csv"] if seed >= 1307 else [dev_themes]):
        with theme_file.open(encoding="utf-8", newline="") as handle:
            used |= {int(row["index"]) for row in csv.DictReader(handle)}
    used_texts = {records[str(i)]["Description"] for i in used if str(i) in records}
    by_field: dict[str, list[int]] = {}
    for key, record in records.items():
        index = int(key)
        if index in used or record["Link"].endswith("-0") or "not found" in record["City Name"]:
            continue
        if seed >= 1303 and record["Description"] in used_texts:
            continue  # rounds 3-6: the same text as a gold profile (Ashgabat, index 0 = 44)
        by_field.setdefault(record["Category"], []).append(index)
    if seed >= 1307:
        round7(records, country, by_field, seed)
        return
    rng = random.Random(seed)
    order: dict[str, list[int]] = {}
    rows: list[tuple[int, str, str]] = []
    for field in sorted(by_field):
        indexes = sorted(by_field[field])
        rng.shuffle(indexes)
        order[field] = indexes
        for n, index in enumerate(indexes[:PER_FIELD]):
            rows.append((index, field, "themes" if n < THEMES_PER_FIELD else ""))
    for language, codes in LANGUAGES.items():
        def of_language(index: int, codes: set[str] = codes) -> bool:
            return country.get(records[str(index)]["City Name"]) in codes
        if any(of_language(index) for index, _, _ in rows):
            continue
        for field in sorted(order):
            extra = [i for i in order[field][PER_FIELD:] if of_language(i)]
            if extra:
                rows.append((extra[0], field, f"added for {language}"))
                break
    while seed >= 1303 and len(rows) < MINIMUM:
        picked = {index for index, _, _ in rows}
        before = len(rows)
        for field in sorted(order):
            rest = [i for i in order[field] if i not in picked]
            if rest and len(rows) < MINIMUM:
                rows.append((rest[0], field, "topped up to 40"))
        if len(rows) == before:
            break
    if extension:
        picked = {index for index, _, _ in rows}
        rows = []
        for field in sorted(order):
            rest = [i for i in order[field][PER_FIELD:] if i not in picked]
            rows.extend((index, field, "development extension") for index in rest[:4])
    for index, field, note in rows:
        city = records[str(index)]["City Name"]
        print(index, field, city, country.get(city, "?"), note, sep="\t")


def round7(records: dict[str, dict[str, str]], country: dict[str, str],
           by_field: dict[str, list[int]], seed: int) -> None:
    """Every remaining profile: each field shuffled, then the fields taken round-robin."""
    rng = random.Random(seed)
    queues: list[list[int]] = []
    fields: list[str] = []
    for field in sorted(by_field):
        indexes = sorted(by_field[field])
        rng.shuffle(indexes)
        queues.append(indexes)
        fields.append(field)
    rows: list[tuple[int, str]] = []
    while any(queues):
        for field, queue in zip(fields, queues, strict=True):
            if queue:
                rows.append((queue.pop(0), field))
    for n, (index, field) in enumerate(rows, start=1):
        city = records[str(index)]["City Name"]
        note = "themes" if n <= THEMES_ROUND7 else ""
        print(n, index, field, city, country.get(city, "?"), note, sep="\t")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]),
         "--dev-extension" in sys.argv[5:],
         SEEDS.get(next((a for a in sys.argv[5:] if a in SEEDS), ""), 13))
