"""Do two build directories publish the same thing? For changes that should only make the
build faster.

    .venv/bin/python bench/compare_builds.py BUILD_A BUILD_B

Compares, and prints one line each (exit status 1 when any differs):

* the named graphs (``dumps/ccgraph.nq.gz``) and the union (``dumps/ccgraph.nt.gz``,
  ``dumps/ccgraph.ttl``, ``dumps/ccgraph.jsonld``): isomorphic, the VoID graph's
  ``dcterms:modified`` (the build time) left out;
* the framed cities (``dumps/cities.jsonl.gz``, ``dumps/cities.geojson``): equal JSON;
* the validation report (``reports/validation.ttl``): isomorphic; ``reports/validation.json``:
  the same results, in any order; ``quality.json``: equal JSON but for ``seconds``;
* ``build.json``: equal but for ``created`` and ``version`` (the version is the hash of the
  data, which holds the build time through the VoID graph).
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

FORMATS = {"nq": ox.RdfFormat.N_QUADS, "nt": ox.RdfFormat.N_TRIPLES,
           "ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}
MODIFIED = ox.NamedNode(str(DCTERMS.modified))
BNODE = re.compile(rb"_:[A-Za-z0-9_\-.]+")


def _lines(path: Path) -> set[bytes]:
    """The file's statements as N-Quads lines (the build time left out)."""
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    fmt = FORMATS[path.name.split(".")[1]]
    quads = [q for q in ox.parse(data, format=fmt) if q.predicate != MODIFIED]
    return set((ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"").splitlines())


def same_rdf(a: Path, b: Path) -> bool:
    """Isomorphic: the lines both hold are the same; the lines only one holds (blank nodes
    labelled at random, e.g. VoID partitions) must be isomorphic, and their blank nodes
    must occur nowhere else."""
    la, lb = _lines(a), _lines(b)
    common = la & lb
    only_a, only_b = la - common, lb - common
    if not only_a and not only_b:
        return True
    used = {m for line in common for m in BNODE.findall(line)}
    if any(m in used for line in only_a | only_b for m in BNODE.findall(line)):
        return False
    ga, gb = Graph(), Graph()
    for g, lines in ((ga, only_a), (gb, only_b)):
        ds = Dataset()
        ds.parse(data=b"\n".join(sorted(lines)) + b"\n", format="nquads")
        for s_, p_, o_, name in ds.quads((None, None, None, None)):
            g.add((s_, p_, o_))
            g.add((s_, DCTERMS.isPartOf, name))  # type: ignore[arg-type]
    return isomorphic(ga, gb)


def _json_lines(path: Path) -> list[Any]:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    if path.suffix == ".gz":
        return [json.loads(line) for line in data.splitlines() if line.strip()]
    return [json.loads(data)]


def _timeless(value: Any) -> Any:
    """``value`` without its ``seconds`` keys (how long a stage took)."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def compare(a: Path, b: Path) -> list[tuple[str, bool]]:
    checks: list[tuple[str, bool]] = []
    checks.append(("named graphs (ccgraph.nq.gz)",
                   same_rdf(a / "dumps/ccgraph.nq.gz", b / "dumps/ccgraph.nq.gz")))
    for name in ("ccgraph.nt.gz", "ccgraph.ttl", "ccgraph.jsonld"):
        checks.append((f"union ({name})", same_rdf(a / "dumps" / name, b / "dumps" / name)))
    for name in ("cities.jsonl.gz", "cities.geojson"):
        checks.append((name, _json_lines(a / "dumps" / name) == _json_lines(b / "dumps" / name)))
    checks.append(("validation report (validation.ttl)",
                   same_rdf(a / "reports/validation.ttl", b / "reports/validation.ttl")))
    results = [sorted(json.dumps(r, sort_keys=True) for r in
                      json.loads((d / "reports/validation.json").read_text())) for d in (a, b)]
    checks.append(("validation.json (results in any order)", results[0] == results[1]))
    quality = [_timeless(json.loads((d / "reports/quality.json").read_text())) for d in (a, b)]
    checks.append(("quality.json (but seconds)", quality[0] == quality[1]))
    meta = [json.loads((d / "build.json").read_text()) for d in (a, b)]
    for m in meta:
        m.pop("created", None)
        m.pop("version", None)
    checks.append(("build.json (but created, version)", meta[0] == meta[1]))
    return checks


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        print(__doc__.split("\n\n")[1].strip(), file=sys.stderr)
        return 2
    checks = compare(Path(args[0]), Path(args[1]))
    for what, same in checks:
        print(f"{'same     ' if same else 'DIFFERENT'}  {what}")
    return 0 if all(same for _, same in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
