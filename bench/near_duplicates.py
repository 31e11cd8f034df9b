"""Near-duplicate passages on the whole network: the full distribution of similarities, the
pairs above the threshold, and the speed of the search the build uses.

    .venv/bin/python bench/near_duplicates.py [--sources DIR]    # about 4 minutes

Reads the profiles as ``ccgraph build`` does (the seed and the JSON corpus, resolved against
the members table), then aligns every pair of passages (pledges, descriptions) of two
different cities one by one: the histogram of all those similarities is what the threshold
(src/ccgraph/extract/duplicates.py, THRESHOLD) was read from, see docs/near-duplicates.md.
Also times the build's search (three runs) and checks that it finds exactly the pairs the
full comparison finds. Prints a Markdown report; writes nothing.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    from ccgraph.build import assemble
    from ccgraph.extract.duplicates import (
        BIN,
        THRESHOLD,
        find_near_duplicates,
        normaliser,
        similarity,
    )
    from ccgraph.members import read_members
    from ccgraph.near_duplicates import passages
    from ccgraph.settings import Settings, data_dir

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, default=ROOT.parent / "shared" / "sources")
    args = parser.parse_args(argv)
    settings = Settings.load({"store": ROOT / "build"})
    sources = [args.sources / "sapporo-profile.txt",
               args.sources / "uccn-profiles-2024-10-01.json"]
    assembled = assemble(sources, settings, near_duplicates=False)
    members = read_members(data_dir(settings) / "members.csv")
    code = {(m.city, m.field): m.country_code for m in members}
    located = [(p, code[(p.city, p.field)]) for p in assembled.profiles
               if code.get((p.city, p.field))]
    found, sources_of = passages(located)
    names = [m.city for m in members]

    runs = []
    for _ in range(3):
        report = find_near_duplicates(found, names)
        runs.append(report.seconds)
    words = normaliser(names)
    cached = {p.key: words(p.text) for p in found}
    started = time.perf_counter()
    histogram: dict[str, Counter[int]] = {}
    full: set[tuple[str, str, float]] = set()
    pairs: dict[str, int] = {}
    for kind in ("pledge", "description"):
        mine = sorted((p for p in found if p.kind == kind and cached[p.key]),
                      key=lambda p: p.key)
        counts: Counter[int] = Counter()
        n = 0
        for a, b in itertools.combinations(mine, 2):
            if a.city == b.city:
                continue
            n += 1
            score = similarity(cached[a.key], cached[b.key])
            counts[min(int(score / BIN + 1e-9), int(1 / BIN))] += 1
            if score >= THRESHOLD:
                full.add((a.key, b.key, round(score, 3)))
        histogram[kind], pairs[kind] = counts, n
    brute = time.perf_counter() - started
    fast = {(p.a.key, p.b.key, p.similarity) for p in report.pairs}

    print("# Near-duplicate passages: the whole network\n")
    print(f"{len(located)} profiles; " + ", ".join(
        f"{report.passages.get(k, 0)} {k}s ({pairs[k]:,} pairs of two cities)"
        for k in ("pledge", "description")) + "\n")
    print(f"Search as the build runs it: {min(runs):.2f} s (best of 3: "
          + ", ".join(f"{s:.2f}" for s in runs) + f"); {report.candidates:,} candidate pairs, "
          f"{report.aligned:,} aligned. Aligning every pair: {brute:.0f} s. Same pairs: "
          f"{'yes' if fast == full else 'NO'}.\n")
    print("| similarity from | pledge pairs | description pairs |\n|---|---|---|")
    for b in range(int(1 / BIN) + 1):
        print(f"| {b * BIN:.2f} | {histogram['pledge'][b]:,} | {histogram['description'][b]:,} |")
    print(f"\nPairs at or above {THRESHOLD}:\n")
    for p in report.pairs:
        print(f"- {p.similarity:.3f} {p.a.kind}: {sources_of[p.a.key].label} "
              f"/ {sources_of[p.b.key].label}")
    return 0 if fast == full else 1


if __name__ == "__main__":
    sys.exit(main())
