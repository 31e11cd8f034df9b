"""Right and false names per rule of the rules of an earlier commit, on a demoted set that was
blind for them, beside the profiles they had been written on (docs/annotation.md, round 7).

    python scripts/blind_rule_counts.py COMMIT GROUP CORPUS [--exclude GROUP ...] [--names]

COMMIT is the commit whose rules scored GROUP (a group of ``mention_cv.GROUPS``) blind, e.g.
``93a6c83`` (round 4, held-out 4) or ``f222add`` (round 5, held-out 5); ``--exclude`` leaves
out profiles demoted later (unseen then, but not blind). The rules of COMMIT run in a
subprocess from ``git archive COMMIT src``; the gold is the development folder of this
checkout only (never a held-out file). ``--names`` also prints the false names of the blind
set, by rule (the set is development data now: what a rule got wrong on text it never saw).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: run with the old rules' package first on the path: prints {index: [[rule, kind, label]]}
_CHILD = """
import json, sys
from pathlib import Path
from ccgraph.extract.mention_eval import corpus_mentions
found = corpus_mentions(Path(sys.argv[1]))
json.dump({i: [[m.rule, m.kind, m.label] for m in ms] for i, ms in found.items()}, sys.stdout)
"""


def old_mentions(commit: str, corpus: Path) -> dict[int, list[list[str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        out = subprocess.run([sys.executable, "-c", _CHILD, str(corpus.resolve())],
                             check=True, capture_output=True, text=True, cwd=tmp,
                             env={"PYTHONPATH": str(Path(tmp) / "src"), "PATH": "/usr/bin:/bin"})
    return {int(k): v for k, v in json.loads(out.stdout).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("commit")
    parser.add_argument("group")
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--names", action="store_true",
                        help="print the false names of the blind set, by rule")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    from ccgraph.extract.mention_cv import GROUPS
    from ccgraph.extract.mention_eval import load_gold
    from ccgraph.extract.mentions import normalise_label
    from ccgraph.gold_scores import mention_dir

    blind = GROUPS[args.group]
    later = frozenset().union(*(GROUPS[g] for g in args.exclude))
    found = old_mentions(args.commit, args.corpus)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    false_names: list[tuple[str, int, str, str]] = []
    for gold in load_gold(mention_dir("development")):
        if gold.index in later:
            continue
        part = "blind" if gold.index in blind else "written on"
        matched: set[int] = set()
        for rule, kind, label in found.get(gold.index, []):
            key = normalise_label(label)
            hit = next((n for n, (k, keys, _) in enumerate(gold.entries)
                        if n not in matched and k == kind and key in keys), None)
            if hit is not None:
                matched.add(hit)
            cell = counts.setdefault((part, rule), {"tp": 0, "fp": 0})
            cell["tp" if hit is not None else "fp"] += 1
            if hit is None and part == "blind":
                false_names.append((rule, gold.index, kind, label))
        cell = counts.setdefault((part, "(missed)"), {"tp": 0, "fp": 0})
        cell["fp"] += len(gold.entries) - len(matched)
    print(f"rules of {args.commit}: right / false names per rule ({args.group} blind)")
    for (part, rule), c in sorted(counts.items()):
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        extra = "" if rule == "(missed)" else f"  precision {precision:.3f}"
        print(f"{part:<12}{rule:<16}{c['tp']:>5} / {c['fp']:<5}{extra}")
    if args.names:
        print("false names of the blind set (rule, index, kind, label)")
        for rule, index, kind, label in sorted(false_names):
            print(f"  {rule:<16}{index:>4}  {kind:<13}{label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
