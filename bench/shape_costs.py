"""CPU seconds of each top-level node shape alone on the network build: the numbers behind
validate/split.py's SHAPE_COSTS (the weights that balance a split validation).

    CCGRAPH_SOURCES=/work/shared/sources .venv/bin/python bench/shape_costs.py [--plain]

Each shape runs in its own pyshacl pass over the union of the assembled network (the frozen
union a build validates, validate/frozen.py), its SPARQL and class targets resolved first as
a build resolves them (validate/targets.py), pyshacl run lean as a build runs it
(validate/lean_pass.py; ``--plain``: pyshacl unpatched, the reference); prints one line per
shape, the total and a JSON object, costliest first.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from rdflib import URIRef

from ccgraph import build, validate
from ccgraph.namespaces import RDF, SH
from ccgraph.settings import Settings
from ccgraph.validate.frozen import frozen_union
from ccgraph.validate.pyshacl_pass import run_pyshacl
from ccgraph.validate.split import shapes_subgraph
from ccgraph.validate.targets import narrow_class_targets, resolve_sparql_targets

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(os.environ.get("CCGRAPH_SOURCES", ROOT.parent / "shared" / "sources"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plain", action="store_true",
                        help="run pyshacl unpatched (the reference), not lean")
    lean = not parser.parse_args().plain
    with tempfile.TemporaryDirectory() as tmp:
        assembled = build.assemble([SOURCES], Settings.load({"store": Path(tmp)}), None)
    # what a build validates (build.validate_and_publish)
    target = frozen_union(t for triples in assembled.triples.values() for t in triples)
    shapes = narrow_class_targets(resolve_sparql_targets(validate.load_shapes(), target),
                                  target)
    tops = sorted({s for s in shapes.subjects(RDF.type, SH.NodeShape)
                   if isinstance(s, URIRef)}, key=str)
    run_pyshacl(target, shapes_subgraph(shapes, tops[:1]), True, lean)  # imports, caches
    costs: dict[str, float] = {}
    for shape in tops:
        name = str(shape).rpartition("#")[2]
        started = time.process_time()
        run_pyshacl(target, shapes_subgraph(shapes, [shape]), True, lean)
        costs[name] = round(time.process_time() - started, 3)
        print(f"{name} {costs[name]}", flush=True)
    print(f"total {sum(costs.values()):.2f} CPU s ({'lean' if lean else 'plain'} pyshacl)")
    print(json.dumps(dict(sorted(costs.items(), key=lambda kv: -kv[1]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
