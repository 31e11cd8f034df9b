#!/usr/bin/env python3
"""Count memberships and years with span evidence, and spans that do not prove their claim.

Usage::

    .venv/bin/python scripts/evidence_counts.py BUILD/dumps/ccgraph.nq.gz

Reads a build's N-Quads dump (any version of ccgraph, so builds before and after a change
can be compared) and applies today's rules (``ccgraph.evidence``) with today's field names
(``data/vocab/fields.ttl``) and the city names the dump carries (``rdfs:label``,
``ccg:mentionedAs``). Prints one line per kind of statement.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from ccgraph.evidence import states_designation, states_year
from ccgraph.model import field_names

ROOT = Path(__file__).resolve().parents[1]  # the project checkout

PREFIXES = """PREFIX ccg: <https://w3id.org/ccgraph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def rows(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def counts(dump: Path) -> list[str]:
    store = ox.Store()
    with gzip.open(dump) as handle:
        store.load(handle.read(), format=ox.RdfFormat.N_QUADS)
    base = "https://w3id.org/ccgraph/id/field/"
    fields = {base + slug: names for slug, names in
              field_names(Graph().parse(ROOT / "data" / "vocab" / "fields.ttl")).items()}
    year = {r["m"]: r.get("y", "") for r in rows(store, """SELECT DISTINCT ?m ?y WHERE {
        ?m a ccg:Membership OPTIONAL { ?m ccg:yearDesignated ?y } }""")}
    city_names: dict[str, list[str]] = {}
    for r in rows(store, """SELECT DISTINCT ?m ?n WHERE { ?m a ccg:Membership ; org:member ?c .
                           { ?c rdfs:label ?n } UNION { ?c ccg:mentionedAs ?n } }"""):
        city_names.setdefault(r["m"], []).append(r["n"])
    spans = rows(store, """SELECT DISTINCT ?m ?p ?exact ?f WHERE {
        ?m a ccg:Membership ; ?p ?ev ; ccg:field ?f . FILTER(?p IN (ccg:evidence, ccg:yearEvidence))
        ?ev oa:hasSelector ?s . ?s oa:exact ?exact }""")
    evidence = [r for r in spans if r["p"].endswith("#evidence")]
    year_evidence = [r for r in spans if r["p"].endswith("#yearEvidence")]
    proving = [r for r in evidence if states_designation(
        r["exact"], city_names.get(r["m"], []), fields.get(r["f"], []))]
    with_span = {r["m"] for r in evidence}
    years = {m for m, y in year.items() if y}
    year_spans = {r["m"] for r in year_evidence}
    year_ok = {r["m"] for r in year_evidence if year.get(r["m"])
               and states_year(r["exact"], year[r["m"]])}
    return [
        f"memberships {len(year)}: with span evidence {len(with_span)}, "
        f"external sources only {len(year) - len(with_span)}",
        f"membership spans {len(evidence)}: stating the designation {len(proving)}, "
        f"not {len(evidence) - len(proving)}",
        f"years {len(years)}: with ccg:yearEvidence {len(year_spans)} (stating the year "
        f"{len(year_ok)}), external sources only {len(years - year_spans)}; years on a "
        f"membership that has a span {len(years & with_span)}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", type=Path, help="a build's dumps/ccgraph.nq.gz")
    args = parser.parse_args(argv)
    try:
        lines = counts(args.dump)
    except OSError as exc:
        print(f"{args.dump}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
