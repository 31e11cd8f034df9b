"""Reading the store for the pages: SELECT with the pages' prefixes, labels, links and
evidence spans, as plain values for the templates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ...namespaces import PREFIXES, curie
from ..resources import local_href, pick_label
from ..state import state

CCG = PREFIXES["ccg"]
#: prefixes every page query declares (and the workbench pre-fills).
QUERY_PREFIXES = ("ccg", "schema", "org", "prov", "oa", "skos", "dcterms", "rdf", "rdfs", "xsd")


def _prologue(base: str) -> str:
    # BASE first: Virtuoso (a --backend engine) refuses a BASE after a PREFIX
    return f"BASE <{base}>\n" + "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in QUERY_PREFIXES)


def select(query: str, **iris: str) -> list[dict[str, Any]]:
    """Rows of a SELECT (variables -> pyoxigraph terms; unbound ones left out).

    ``iris`` are bound with VALUES-free textual substitution of ``<$name>`` by an IRI that
    the caller took from the store or minted from the URL path (checked to hold no ``>``).
    """
    ext = state()
    for name, iri in iris.items():
        if any(c in iri for c in '<>"{}|^`\\ \n'):
            raise ValueError(f"not an IRI: {iri!r}")
        query = query.replace(f"<${name}>", f"<{iri}>")
    result = ext.solutions(_prologue(ext.base) + query)
    names = [v.value for v in result.variables]
    return [{n: row[i] for i, n in enumerate(names) if row[i] is not None} for row in result]


def value(term: Any) -> str:
    return str(term.value) if term is not None else ""


def to_int(term: Any) -> int:
    try:
        return int(term.value)
    except (AttributeError, ValueError):
        return 0


def labels(iris: set[str]) -> dict[str, str]:
    """English (else any) label of each IRI, chosen the same way every time."""
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(iris))
    rows = select("SELECT ?s ?l WHERE { VALUES ?s { " + values + " } "
                  "?s rdfs:label|skos:prefLabel ?l }")
    found: dict[str, list[ox.Literal]] = defaultdict(list)
    for row in rows:
        found[row["s"].value].append(row["l"])
    out = {}
    for iri, lits in found.items():
        lits.sort(key=lambda lit: (lit.language or "", len(lit.value), lit.value))
        if (label := pick_label(lits)) is not None:
            out[iri] = label
    return out


def link(iri: str, names: dict[str, str]) -> dict[str, Any]:
    base = state().base
    return {"iri": iri, "href": local_href(iri, base), "text": names.get(iri) or curie(iri)}


def lit(term: Any) -> dict[str, Any]:
    """A literal for a template: its text and language tag."""
    if isinstance(term, ox.Literal):
        return {"text": term.value, "lang": term.language or ""}
    return {"text": value(term), "lang": ""}


@dataclass
class Evidence:
    iri: str
    href: str
    start: int
    end: int
    exact: str
    document: str


def evidence_for(resources: set[str]) -> dict[str, list[Evidence]]:
    """resource IRI -> its evidence spans (document order)."""
    if not resources:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(resources))
    rows = select("SELECT ?r ?ev ?doc ?start ?end ?exact WHERE { VALUES ?r { " + values + " } "
                  "?r ccg:evidence ?ev . ?ev oa:hasSource ?doc ; oa:hasSelector ?p . "
                  "?p oa:start ?start ; oa:end ?end . "
                  "OPTIONAL { ?ev oa:hasSelector ?q . ?q oa:exact ?exact } }")
    base = state().base
    out: dict[str, dict[str, Evidence]] = defaultdict(dict)
    for row in rows:
        ev = row["ev"].value
        out[row["r"].value][ev] = Evidence(ev, local_href(ev, base), to_int(row["start"]),
                                           to_int(row["end"]), value(row.get("exact")),
                                           row["doc"].value)
    return {r: sorted(spans.values(), key=lambda e: (e.start, e.end)) for r, spans in out.items()}
