#!/usr/bin/env python3
"""Write docs/data-dictionary.md: the data dictionary of src/ccgraph/dictionary.py.

Usage::

    .venv/bin/python scripts/data_dictionary.py [--store BUILD_DIR] [--out docs/data-dictionary.md]

The classes, properties and schemes come from ontology/, data/vocab/ and shapes/; the example
IRIs from a build. Without ``--store`` the script builds the Sapporo seed profile
(``$CCGRAPH_SOURCES/sapporo-profile.txt``, settings ``sources``) into a temporary directory
first, as the test that checks the committed file does (tests/test_data_dictionary.py), so the
output is the same bytes on every machine. Run it after changing the ontology, the
vocabularies or the shapes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ccgraph.build import build
from ccgraph.dictionary import load_dictionary
from ccgraph.dictionary_markdown import to_markdown
from ccgraph.settings import Settings
from ccgraph.store import open_build

ROOT = Path(__file__).resolve().parents[1]  # the project checkout

SEED = "sapporo-profile.txt"


def write(store_dir: Path, out: Path) -> None:
    built = open_build(store_dir)
    text = to_markdown(load_dictionary(built.store, built.meta.base))
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({len(text.splitlines())} lines)")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--store", type=Path, default=None, help="a build directory")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "data-dictionary.md")
    args = p.parse_args(argv)
    if args.store is not None:
        write(args.store, args.out)
        return 0
    settings = Settings.load({})
    seed = Path(settings.sources) / SEED
    if not seed.is_absolute():
        seed = (ROOT / seed).resolve()
    if not seed.is_file():
        print(f"no seed profile at {seed}: set CCGRAPH_SOURCES or give --store", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "build"
        build([seed], store, Settings.load({"store": store}))
        write(store, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
