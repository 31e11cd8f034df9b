"""What a span must say to prove a statement, and which statements rest on outside sources.

A membership's evidence span must state the designation: it names the city (one of its
labels) and the field as a title, "City of Media Arts", "Creative City of Gastronomy",
"Ville créative de …", "Ciudad Creativa de …". A year's evidence span (``ccg:yearEvidence``)
must contain the year. A statement with no such span cites its external source only
(``dcterms:source`` on the membership, from the members table or the curated data).

The same rules are written as SHACL-SPARQL in ``shapes/membership.ttl``
(``MembershipEvidenceShape``, ``MembershipYearEvidenceShape``): the model only attaches
spans that pass them, and the shapes refuse any that do not.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rdflib import Dataset, Literal
from rdflib.term import Node

from .namespaces import CCG, DCTERMS, RDF, RDFS

#: "City of", "Creative City for", "Ville créative de", "Ciudad Creativa de", "Cidade … de",
#: then the field's name as a whole word. Matched case-insensitively; the shapes use the
#: same words on the lower-cased quote (``[^a-z]`` for a separator).
DESIGNATION_HEAD = (r"(?<![a-z])(?:city|ville|ciudad|cidade)[^a-z]+"
                    r"(?:(?:creative|cr[eé]ative|creativa)[^a-z]+)?"
                    r"(?:of|for|de|du|des|d'|da|do)[^a-z]*(?:the[^a-z]+)?")


def states_designation(text: str, city_names: Iterable[str], field_names: Iterable[str]) -> bool:
    """True when ``text`` names one of ``city_names`` and one of ``field_names`` as a
    designation ("… Creative City of Media Arts, Sapporo …"), both case-insensitively."""
    lowered = text.lower()
    if not any(name.strip() and name.lower() in lowered for name in city_names):
        return False
    return any(re.search(DESIGNATION_HEAD + re.escape(name.lower()) + r"(?:[^a-z]|$)", lowered)
               for name in field_names if name.strip())


def states_year(text: str, year: int | str) -> bool:
    """True when ``text`` contains the year (four digits, not part of a longer number)."""
    return re.search(rf"(?<!\d){str(year)[:4]}(?!\d)", text) is not None


def external_only(dataset: Dataset | Iterable[tuple[Node, Node, Node]]) -> dict[str, Any]:
    """Counts and lists of statements that carry external sources only (no span).

    ``memberships_with_span_evidence``/``memberships_external_only``: memberships with and
    without a ``ccg:evidence`` span; ``years_with_span_evidence``/``years_external_only``:
    years of designation with and without a ``ccg:yearEvidence`` span. The lists name each
    statement and its sources (``dcterms:source``), across every named graph; ``dataset``
    may also be the triples of every named graph (as the build has them: much cheaper to
    read than an rdflib store)."""
    wanted = {RDF.type, RDFS.label, CCG.evidence, CCG.yearEvidence, CCG.yearDesignated,
              DCTERMS.source}
    triples: Iterable[tuple[Node, Node, Node]] = (
        ((s, p, o) for s, p, o, _g in dataset.quads((None, None, None, None)))
        if isinstance(dataset, Dataset) else dataset)
    found = [(s, p, o) for s, p, o in triples if p in wanted]
    is_a, membership = RDF.type, CCG.Membership
    members = {s for s, p, o in found if p == is_a and o == membership}
    facts: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
    for s, p, o in found:
        if s in members:
            facts[(s, p)].add(o)
    memberships = sorted(members, key=str)

    def entry(m: Node, what: str = "") -> str:
        english = [str(o) for o in facts[(m, RDFS.label)]
                   if isinstance(o, Literal) and o.language == "en"]
        sources = " ; ".join(sorted(str(s) for s in facts[(m, DCTERMS.source)]))
        return f"{min(english, default=str(m))}{what}: {sources or 'no source'}"

    with_span = [m for m in memberships if facts[(m, CCG.evidence)]]
    years = [m for m in memberships if facts[(m, CCG.yearDesignated)]]
    years_with = [m for m in years if facts[(m, CCG.yearEvidence)]]
    return {
        "memberships_with_span_evidence": len(with_span),
        "memberships_external_only": [entry(m) for m in memberships
                                      if not facts[(m, CCG.evidence)]],
        "years_with_span_evidence": len(years_with),
        "years_external_only": [
            entry(m, f" ({', '.join(sorted(map(str, facts[(m, CCG.yearDesignated)])))})")
            for m in years if not facts[(m, CCG.yearEvidence)]],
    }


__all__ = ["DESIGNATION_HEAD", "external_only", "states_designation", "states_year"]
