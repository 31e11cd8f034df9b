"""Near-duplicate pledges and descriptions across profiles, as a named graph and a report.

:func:`detect` takes the modelled profiles (each with its country code), finds the pairs of
passages of two cities that are near-duplicates (``extract/duplicates.py`` says how), and
returns the graph ``{base}graph/near-duplicates`` and the lines of the quality report. The
facts stay as published: the graph only adds, for each pair, a ``ccg:NearDuplicate`` node::

    <id/near-duplicate/pledge/es-lliria-music-1--pt-leiria-music-1> a ccg:NearDuplicate ;
        rdfs:label "Near-duplicate pledges: Leiria, Music, pledge 1 and Llíria, …"@en ;
        ccg:passage <id/commitment/pt/leiria/music/1> , <id/commitment/es/lliria/music/1> ;
        ccg:similarity 1.000 ;
        prov:wasGeneratedBy <id/activity/near-duplicate-detection> ;
        prov:wasDerivedFrom <the two profile documents> ; ccg:evidence <the two spans> .
    <id/commitment/pt/leiria/music/1> ccg:similarTo <id/commitment/es/lliria/music/1> .  # both ways

A pledge's passage is its commitment; a description's (the "About" text) is its span of the
profile document (an ``oa:SpecificResource``). The activity says how the pairs were computed
(method, threshold) and which documents were compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef

from . import iris
from .extract.duplicates import THRESHOLD, DuplicateReport, Passage, find_near_duplicates
from .members import field_label
from .model import add_evidence
from .namespaces import CCG, PROV, RDF, RDFS, XSD
from .records import Profile, Span
from .triple_buffer import Buffer

ACTIVITY = "near-duplicate-detection"
METHOD = (
    "Pledges, and descriptions (the 'About' texts), of every two different cities are "
    "compared word by word: after Unicode folding (accents dropped), every name of a "
    "network city written capitalised becomes the word 'city', the text is lower-cased and "
    "split into words of letters and digits; the similarity is 2M / (n1 + n2), M the words "
    "in the Ratcliff/Obershelp alignment of the two word lists (Python's difflib, no junk "
    "heuristic), n1 and n2 their lengths. Pairs at or above the threshold are near-duplicates. "
    "The threshold was read off the distribution of the whole network's similarities: none "
    "falls between 0.80 and 0.85.")
KIND_NAMES = {"pledge": "pledges", "description": "descriptions"}


@dataclass(frozen=True)
class Source:
    """Where a passage lives: the resource that stands for it (a commitment, or a span of
    the document), its document and span, a label and a slug for IRIs."""

    passage: URIRef
    document: URIRef
    span: Span
    label: str
    slug: str


@dataclass
class Detected:
    graph: Graph
    report: DuplicateReport
    sources: dict[str, Source]

    def quality(self) -> dict[str, Any]:
        """``near_duplicates`` (one entry per pair) and ``near_duplicate_detection``."""
        pairs = []
        for pair in self.report.pairs:
            a, b = self.sources[pair.a.key], self.sources[pair.b.key]
            pairs.append({"kind": pair.a.kind, "similarity": pair.similarity,
                          "a": a.label, "b": b.label,
                          "a_iri": str(a.passage), "b_iri": str(b.passage)})
        return {"near_duplicates": pairs,
                "near_duplicate_detection": self.report.summary()}


def passages(located: Iterable[tuple[Profile, str]],
             base: str = iris.DEFAULT_BASE) -> tuple[list[Passage], dict[str, Source]]:
    """The pledges and descriptions of modelled profiles (each with its country code)."""
    found: list[Passage] = []
    sources: dict[str, Source] = {}
    for profile, cc in located:
        if profile.field is None:
            continue
        city, field = profile.city, profile.field
        doc = iris.profile(cc, city, field, base)
        label = f"{city}, {field_label(field)}"
        slug = f"{cc}-{city}-{field}"
        parts: list[tuple[str, URIRef, Span, str, str]] = [
            ("pledge", iris.commitment(cc, city, field, p.position, base), p.span,
             f"{label}, pledge {p.position}", f"{slug}-{p.position}") for p in profile.pledges]
        if profile.about is not None:
            parts.append(("description", iris.evidence(doc, profile.about.start,
                                                       profile.about.end), profile.about,
                          f"{label}, description", f"{slug}-description"))
        for kind, passage, span, text_label, passage_slug in parts:
            key = str(passage)
            found.append(Passage(key, kind, f"{cc}/{iris.slugify(city)}", span.text))
            sources[key] = Source(passage, doc, span, text_label, iris.slugify(passage_slug))
    return found, sources


def detect(located: Iterable[tuple[Profile, str]], city_names: Iterable[str],
           base: str = iris.DEFAULT_BASE, threshold: float = THRESHOLD) -> Detected:
    """Find the near-duplicates among the profiles and model them (see the module doc)."""
    found, sources = passages(located, base)
    report = find_near_duplicates(found, city_names, threshold)
    return Detected(graph_of(report, sources, base), report, sources)


def graph_of(report: DuplicateReport, sources: dict[str, Source],
             base: str = iris.DEFAULT_BASE) -> Graph:
    """The named graph of the pairs, with the activity that found them."""
    g = Buffer()
    activity = iris.activity(ACTIVITY, base)
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, Literal("Near-duplicate detection", lang="en")))
    g.add((activity, RDFS.comment, Literal(METHOD, lang="en")))
    g.add((activity, CCG.threshold, _decimal(report.threshold)))
    for document in sorted({s.document for s in sources.values()}):
        g.add((activity, PROV.used, document))
    for pair in report.pairs:
        a, b = sources[pair.a.key], sources[pair.b.key]
        node = iris.near_duplicate(pair.a.kind, a.slug, b.slug, base)
        g.add((node, RDF.type, CCG.NearDuplicate))
        g.add((node, RDFS.label, Literal(
            f"Near-duplicate {KIND_NAMES.get(pair.a.kind, pair.a.kind)}: "
            f"{a.label} and {b.label}", lang="en")))
        g.add((node, CCG.similarity, _decimal(pair.similarity)))
        g.add((node, PROV.wasGeneratedBy, activity))
        for one, other in ((a, b), (b, a)):
            g.add((node, CCG.passage, one.passage))
            g.add((one.passage, CCG.similarTo, other.passage))
            add_evidence(g, node, one.document, one.span)
    return g.into(Graph())


def _decimal(value: float) -> Literal:
    """Three decimals at most, written as the store writes them (``1``, ``0.85``), so that
    the dumps and the store hold the same literal."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return Literal(text, datatype=XSD.decimal)
