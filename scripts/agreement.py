"""Agreement between two annotators on the development gold (issue 13: the human ceiling).

A thin command line over :mod:`ccgraph.agreement` (the pick, the method and the result:
docs/annotation.md, "Agreement between annotators"):

    python3 scripts/agreement.py pick CORPUS      # writes data/agreement/selection.csv (keys only)
    python3 scripts/agreement.py show CORPUS      # prints the About texts and pledges to annotate
    python3 scripts/agreement.py compare CORPUS   # agreement numbers and classified disagreements

The second annotation: data/agreement/themes.csv (columns of data/gold/themes/development.csv)
and data/agreement/mentions/NNN-city.json (the gold mention format); the classification of
each disagreement (convention gap / slip / ambiguous), written by hand, in
data/agreement/disagreements.csv; the doubts noted while annotating in
docs/agreement-notes.md.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

from ccgraph.agreement import (
    AGREE,
    KINDS,
    SEEN_PLEDGES,
    about_part,
    bootstrap_f1,
    disagreements,
    first_words,
    load_pair,
    mention_agreement,
    pick,
    read_classes,
    read_selection,
    theme_agreement,
    write_selection,
)
from ccgraph.gold_scores import prf


def _profiles(corpus: Path) -> dict[int, Any]:
    """The corpus as the build reads it (pledges split by ccgraph's splitter, nothing else)."""
    from ccgraph.extract.mention_eval import load_profiles
    return dict(load_profiles(corpus))


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
            about = about_part(profile.text)
            print(f"\n#### {row['city']} ({row['field']})\n{about}\n")


def report(corpus: Path) -> None:
    data = load_pair(corpus)
    ta = theme_agreement(data.themes_gold, data.themes_second)
    p, r, f = ta.prf
    print(f"Themes, {ta.pledges} pledges (second annotator against the gold): micro P {p:.3f} "
          f"R {r:.3f} F1 {f:.3f}; same set {ta.exact}/{ta.pledges}; "
          f"assignments gold {ta.tp + ta.fn}, second {ta.tp + ta.fp}, shared {ta.tp}")
    low, high = bootstrap_f1(data.themes_gold, data.themes_second)
    print(f"  95 % bootstrap interval of F1 (pledges resampled): {low:.3f}-{high:.3f}")
    unseen = {k for k in data.themes_gold if k not in SEEN_PLEDGES}
    tu = theme_agreement({k: data.themes_gold[k] for k in unseen},
                         {k: data.themes_second[k] for k in unseen})
    print(f"  without the {ta.pledges - tu.pledges} pledges whose gold was seen: "
          f"F1 {tu.prf[2]:.3f} ({tu.pledges} pledges)")
    for name in sorted(set(data.rounds.values())):
        keys = {k for k, r in data.rounds.items() if r == name}
        tr = theme_agreement({k: data.themes_gold[k] for k in keys},
                             {k: data.themes_second[k] for k in keys})
        print(f"  gold rows of {name:20} F1 {tr.prf[2]:.3f} ({tr.pledges} pledges)")
    print(f"  {'theme':32} {'kappa':>6} {'gold':>5} {'second':>6}")
    for theme in sorted(ta.kappa, key=lambda t: ta.kappa[t]):
        print(f"  {theme:32} {ta.kappa[theme]:6.3f} {ta.support[theme][0]:5d} "
              f"{ta.support[theme][1]:6d}")
    print(f"  mean kappa {sum(ta.kappa.values()) / len(ta.kappa):.3f}")
    n = sum(len(v) for v in data.mentions_gold.values())
    m = sum(len(v) for v in data.mentions_second.values())
    print(f"\nMentions, {len(data.mentions_gold)} profiles: gold {n} names, second {m}")
    print(f"  {'mode':9} {'kind':13} {'P':>6} {'R':>6} {'F1':>6}   tp  fp  fn")
    for mode in ("exact", "lenient", "any-kind"):
        ma = mention_agreement(data.mentions_gold, data.mentions_second, data.abouts, mode)
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
          f"{prf(ta.tp, ta.fp - gaps['second'], ta.fn - gaps['gold'])[2]:.3f}")


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
