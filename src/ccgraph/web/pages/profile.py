"""A profile document's page: its text with every evidence span marked, and what each
span supports."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from flask import render_template

from ...namespaces import curie
from ..resources import Description
from .data import labels, link, select_many, to_int, value
from .statements import statements

#: the queries of the page; ``<$d>`` is the document
INFO = """SELECT ?text ?url ?date ?sha ?city WHERE {
    OPTIONAL { <$d> schema:text ?text } OPTIONAL { <$d> schema:url ?url }
    OPTIONAL { <$d> dcterms:date ?date } OPTIONAL { <$d> ccg:sha256 ?sha }
    OPTIONAL { <$d> ccg:describes ?city } } LIMIT 1"""
SPANS = """SELECT DISTINCT ?ev ?start ?end ?exact ?r WHERE {
    ?ev oa:hasSource <$d> ; oa:hasSelector ?p . ?p oa:start ?start ; oa:end ?end .
    OPTIONAL { ?ev oa:hasSelector ?q . ?q oa:exact ?exact }
    OPTIONAL { ?r ccg:evidence ?ev } }"""


@dataclass
class EvidenceHighlight:
    """One evidence of a source document, as the page highlights it: its IRI, its offsets
    and quote, and the statements it supports."""

    iri: str
    start: int
    end: int
    exact: str
    supports: list[dict[str, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return self.iri.partition("#")[2]


def segments(text: str, spans: list[EvidenceHighlight]) -> list[dict[str, Any]]:
    """The text cut at every span boundary. A piece inside spans names the innermost one
    (the shortest) as its target, how deep it sits, and the spans that start there."""
    cuts = {0, len(text)}
    for s in spans:
        cuts.update((max(0, min(s.start, len(text))), max(0, min(s.end, len(text)))))
    points = sorted(cuts)
    out = []
    for a, b in itertools.pairwise(points):
        covering = [s for s in spans if s.start <= a and b <= s.end]
        covering.sort(key=lambda s: (s.end - s.start, s.start))
        out.append({"text": text[a:b], "span": covering[0] if covering else None,
                    "depth": min(len(covering), 3),
                    "starts": [s for s in spans if s.start == a]})
    return out


def profile_page(iri: str, desc: Description) -> str:
    parts = select_many({"INFO": INFO, "SPANS": SPANS}, d=iri)
    info = parts["INFO"][0] if parts["INFO"] else {}
    rows = parts["SPANS"]
    names = labels({r["r"].value for r in rows if "r" in r} | {iri} | (
        {info["city"].value} if "city" in info else set()))
    spans: dict[str, EvidenceHighlight] = {}
    for row in rows:
        ev = row["ev"].value
        span = spans.setdefault(ev, EvidenceHighlight(ev, to_int(row["start"]), to_int(row["end"]),
                                         value(row.get("exact"))))
        if "r" in row:
            target = link(row["r"].value, names)
            if target not in span.supports:
                span.supports.append(target)
    ordered = sorted(spans.values(), key=lambda s: (s.start, -s.end))
    for s in ordered:
        s.supports.sort(key=lambda t: t["text"])
    text = value(info.get("text"))
    return render_template(
        "profile.html", title=names.get(iri) or curie(iri), text=text,
        pieces=segments(text, ordered) if text else [], spans=ordered,
        url=value(info.get("url")), date=value(info.get("date")), sha=value(info.get("sha")),
        city=link(info["city"].value, names) if "city" in info else None,
        **statements(iri, desc))
