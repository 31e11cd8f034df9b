"""Train the mention model (:mod:`ccgraph.extract.mention_model`) and say whether it helps.

    .venv/bin/python scripts/train_mention_model.py CORPUS [--folds 5] [--write]

Prints the k-fold cross-validated scores of the rules alone beside the rules + the model
(each profile scored by a model trained without its fold; the profiles held out last apart),
then trains on every development gold profile and prints the model's size. With ``--write``
the weights are written to ``src/ccgraph/extract/mention_weights.json``, which the extractor
then uses (find_mentions, the build, explain-mention): write it only when the model's
cross-validated scores beat the rules alone. Deleting the file returns to the rules alone.
The file holds feature strings (single words, word pairs, shapes) and weights, never
sentences of the profiles.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ccgraph.extract.mention_cv import (
    Corpus,
    cross_validate,
    development_golds,
    format_cv,
)
from ccgraph.extract.mention_model import save

TARGET = Path(__file__).resolve().parent.parent / "src" / "ccgraph" / "extract" / (
    "mention_weights.json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("corpus", type=Path, help="the uccn-profiles JSON corpus")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--write", action="store_true",
                        help=f"write the trained weights to {TARGET}")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"train_mention_model: {args.corpus}: no such file", file=sys.stderr)
        return 2
    started = time.perf_counter()
    data = Corpus(args.corpus, development_golds())
    print(f"{len(data.golds)} development gold profiles, "
          f"{sum(len(c) for c in data.candidates)} candidates in the corpus")
    before = cross_validate(data, args.folds, learned=False)
    after = cross_validate(data, args.folds)
    print(format_cv(before, after, args.folds))
    model = data.train()
    print(f"model: {len(model.weights)} features, "
          f"{sum(len(row) for row in model.weights.values())} weights; "
          f"{time.perf_counter() - started:.1f} s")
    if args.write:
        save(model, TARGET)
        print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
