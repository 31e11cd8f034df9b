"""The human side of a release's change set: what changed, in words and counts.

Compares two stores (the previous release's and the new one's) with SPARQL: member cities
and memberships added or removed, pledges added, removed or whose text changed (named by
their label: the texts themselves are UNESCO's), instances per class, and quads added and
removed per named graph (from the change files). The result is plain data (JSON in the
release, ``changes.json``) and Markdown (``CHANGES.md``); the server renders the same data
as HTML on the release's page.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyoxigraph as ox

from .namespaces import CCG, RDFS, SCHEMA

_PROLOGUE = f"PREFIX ccg: <{CCG}>\nPREFIX rdfs: <{RDFS}>\nPREFIX schema: <{SCHEMA}>\n"
CITIES = _PROLOGUE + """SELECT ?s (SAMPLE(?l) AS ?label) WHERE {
  ?s a ccg:CreativeCity OPTIONAL { ?s rdfs:label ?l FILTER(LANG(?l) = "en") } } GROUP BY ?s"""
MEMBERSHIPS = _PROLOGUE + """SELECT ?s (SAMPLE(?l) AS ?label) WHERE {
  ?s a ccg:Membership OPTIONAL { ?s rdfs:label ?l FILTER(LANG(?l) = "en") } } GROUP BY ?s"""
PLEDGES = _PROLOGUE + """SELECT ?s (SAMPLE(?l) AS ?label) (SAMPLE(?t) AS ?text) WHERE {
  ?s a ccg:Commitment OPTIONAL { ?s rdfs:label ?l FILTER(LANG(?l) = "en") }
  OPTIONAL { ?s schema:text ?t } } GROUP BY ?s"""
CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c"


def _rows(store: ox.Store | None, query: str) -> list[ox.QuerySolution]:
    if store is None:
        return []
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _value(term: Any) -> str | None:
    return None if term is None else str(term.value)


def _labelled(store: ox.Store | None, query: str) -> dict[str, str]:
    return {str(r["s"].value): _value(r["label"]) or str(r["s"].value)
            for r in _rows(store, query) if isinstance(r["s"], ox.NamedNode)}


def _items(iris: set[str], labels: dict[str, str]) -> list[dict[str, str]]:
    return sorted(({"iri": i, "label": labels[i]} for i in iris), key=lambda x: x["label"])


def compare(old: ox.Store | None, new: ox.Store, graph_changes: dict[str, dict[str, int]]
            ) -> dict[str, Any]:
    """What changed from ``old`` (None: the first release) to ``new``."""
    out: dict[str, Any] = {"first": old is None}
    for key, query in (("cities", CITIES), ("memberships", MEMBERSHIPS)):
        before, after = _labelled(old, query), _labelled(new, query)
        out[key] = {"added": _items(set(after) - set(before), after),
                    "removed": _items(set(before) - set(after), before),
                    "before": len(before), "after": len(after)}
    texts: list[dict[str, dict[str, str | None]]] = []
    for store in (old, new):
        texts.append({str(r["s"].value): {"label": _value(r["label"]), "text": _value(r["text"])}
                      for r in _rows(store, PLEDGES) if isinstance(r["s"], ox.NamedNode)})
    before_p, after_p = texts
    labels = {i: v["label"] or i for i, v in {**before_p, **after_p}.items()}
    changed = {i for i in set(before_p) & set(after_p) if before_p[i]["text"] != after_p[i]["text"]}
    out["pledges"] = {"added": _items(set(after_p) - set(before_p), labels),
                      "removed": _items(set(before_p) - set(after_p), labels),
                      "text_changed": _items(changed, labels),
                      "before": len(before_p), "after": len(after_p)}
    counts: dict[str, Counter[str]] = {}
    for side, store in (("before", old), ("after", new)):
        for row in _rows(store, CLASSES):
            counts.setdefault(str(row["c"].value), Counter())[side] = int(row["n"].value)
    out["classes"] = [{"class": c, "before": n["before"], "after": n["after"]}
                      for c, n in sorted(counts.items())]
    out["graphs"] = [{"graph": g, **v} for g, v in sorted(graph_changes.items())]
    return out


def markdown(name: str, issued: str, previous: str | None, changes: dict[str, Any],
             notes: str | None = None) -> str:
    """CHANGES.md of a release."""
    lines = [f"# ccgraph release {name}", "", f"Issued {issued}."]
    if previous:
        lines.append(f"Changes since release {previous}.")
    else:
        lines.append("The first release: everything is new.")
    lines.append("")
    if notes:
        lines += ["## Notes", "", notes.strip(), ""]
    for key, title in (("cities", "Member cities"), ("memberships", "Memberships"),
                       ("pledges", "Pledges")):
        part = changes[key]
        lines += [f"## {title}", "", f"{part['before']} before, {part['after']} now.", ""]
        for kind in ("added", "removed", "text_changed"):
            items = part.get(kind)
            if items and not changes["first"]:
                what = "text changed" if kind == "text_changed" else kind
                lines.append(f"{what.capitalize()} ({len(items)}):")
                lines.append("")
                lines += [f"- {item['label']} <{item['iri']}>" for item in items]
                lines.append("")
    lines += ["## Instances per class", "", "| class | before | now |", "|---|---:|---:|"]
    lines += [f"| <{c['class']}> | {c['before']} | {c['after']} |" for c in changes["classes"]]
    lines.append("")
    if changes["graphs"]:
        lines += ["## Quads per named graph", "", "| graph | added | removed |", "|---|---:|---:|"]
        lines += [f"| <{g['graph']}> | {g['added']} | {g['removed']} |" for g in changes["graphs"]]
        lines.append("")
    return "\n".join(lines)
