"""Reading the store for the pages: SELECT with the pages' prefixes, labels, links and
evidence spans, as plain values for the templates.

A page asks its independent queries together with :func:`select_many`: the embedded store
runs them one by one (each takes well under a millisecond), a remote engine gets them as
one query, a ``UNION`` of the queries as subqueries, each row tagged with the name of its
query. A page then needs two requests to the engine: its own queries, and the labels and
evidence of what those found (:func:`names_and_evidence`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ...namespaces import PREFIXES, curie
from ...remote_store import RemoteStore
from ..resources import local_href, pick_label
from ..state import state

CCG = PREFIXES["ccg"]
Row = dict[str, Any]
#: the variable that tags each row of a batched query with the name of its query
PART = "ccgraph_part"
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
    return _rows(ext.solutions(_prologue(ext.base) + _bind(query, iris)))


def select_many(queries: Mapping[str, str], **iris: str) -> dict[str, list[Row]]:
    """The rows of each of ``queries`` (SELECTs, ``<$name>`` bound as by :func:`select`),
    by name: one request to a remote engine, the queries one by one on the embedded store.
    """
    ext = state()
    if not isinstance(ext.store, RemoteStore) or len(queries) < 2:
        return {name: select(query, **iris) for name, query in queries.items()}
    parts = [f'{{ {{ {_bind(query, iris)} }} BIND("{name}" AS ?{PART}) }}'
             for name, query in queries.items()]
    out: dict[str, list[Row]] = {name: [] for name in queries}
    for row in _rows(ext.solutions(_prologue(ext.base) + "SELECT * WHERE { "
                                   + " UNION ".join(parts) + " }")):
        out[row.pop(PART).value].append(row)
    return out


def _bind(query: str, iris: Mapping[str, str]) -> str:
    for name, iri in iris.items():
        if any(c in iri for c in '<>"{}|^`\\ \n'):
            raise ValueError(f"not an IRI: {iri!r}")
        query = query.replace(f"<${name}>", f"<{iri}>")
    return query


def _rows(result: ox.QuerySolutions) -> list[Row]:
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
    return labels_from(select(labels_query(iris)))


def labels_query(iris: set[str]) -> str:
    """The query of :func:`labels` (for :func:`select_many`); ``iris`` not empty."""
    values = " ".join(f"<{i}>" for i in sorted(iris))
    return ("SELECT DISTINCT ?s ?l WHERE { VALUES ?s { " + values + " } "
            "?s rdfs:label|skos:prefLabel ?l }")


def labels_from(rows: list[Row]) -> dict[str, str]:
    """The labels of :func:`labels` from the rows of :func:`labels_query`."""
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
    return evidence_from(select(evidence_query(resources)))


def evidence_query(resources: set[str] | frozenset[str]) -> str:
    """The query of :func:`evidence_for`; ``resources`` not empty."""
    values = " ".join(f"<{i}>" for i in sorted(resources))
    return ("SELECT DISTINCT ?r ?ev ?doc ?start ?end ?exact WHERE { VALUES ?r { " + values + " } "
            "?r ccg:evidence ?ev . ?ev oa:hasSource ?doc ; oa:hasSelector ?p . "
            "?p oa:start ?start ; oa:end ?end . "
            "OPTIONAL { ?ev oa:hasSelector ?q . ?q oa:exact ?exact } }")


def names_and_evidence(named: set[str], cited: set[str] | frozenset[str] = frozenset()
                       ) -> tuple[dict[str, str], dict[str, list[Evidence]]]:
    """:func:`labels` of ``named`` and :func:`evidence_for` ``cited``, in one batch."""
    queries = {}
    if named:
        queries["labels"] = labels_query(named)
    if cited:
        queries["evidence"] = evidence_query(cited)
    rows = select_many(queries)
    return labels_from(rows.get("labels", [])), evidence_from(rows.get("evidence", []))


def evidence_from(rows: list[Row]) -> dict[str, list[Evidence]]:
    """The spans of :func:`evidence_for` from the rows of :func:`evidence_query`."""
    base = state().base
    out: dict[str, dict[str, Evidence]] = defaultdict(dict)
    for row in rows:
        ev = row["ev"].value
        out[row["r"].value][ev] = Evidence(ev, local_href(ev, base), to_int(row["start"]),
                                           to_int(row["end"]), value(row.get("exact")),
                                           row["doc"].value)
    return {r: sorted(spans.values(), key=lambda e: (e.start, e.end)) for r, spans in out.items()}
