"""The one table of RDF and SPARQL-results formats: media type, rdflib, pyoxigraph, suffix."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    name: str  # short name used on the command line and in ``format=``
    media_type: str
    suffix: str  # file suffix, with the dot
    kind: str  # "graph", "dataset", "results" or "page"
    rdflib: str | None = None  # rdflib parser/serializer name
    oxigraph: ox.RdfFormat | ox.QueryResultsFormat | None = None
    aliases: tuple[str, ...] = ()  # other media types that mean the same

    @property
    def content_type(self) -> str:
        return content_type(self.media_type)


def content_type(media_type: str) -> str:
    """The Content-Type header for ``media_type``: textual types say ``charset=utf-8``, once
    (a type that already names its charset is returned as it is)."""
    if "charset=" in media_type.lower():
        return media_type
    if media_type.startswith("text/") or media_type.endswith(("+json", "+xml")) \
            or media_type in ("application/n-triples", "application/n-quads"):
        return f"{media_type}; charset=utf-8"
    return media_type


FORMATS: tuple[Format, ...] = (
    Format("ttl", "text/turtle", ".ttl", "graph", "turtle", ox.RdfFormat.TURTLE,
           ("application/x-turtle",)),
    Format("jsonld", "application/ld+json", ".jsonld", "graph", "json-ld", ox.RdfFormat.JSON_LD,
           ("application/json",)),
    Format("nt", "application/n-triples", ".nt", "graph", "nt", ox.RdfFormat.N_TRIPLES,
           ("text/plain",)),
    Format("rdf", "application/rdf+xml", ".rdf", "graph", "xml", ox.RdfFormat.RDF_XML,
           ("application/xml", "text/xml")),
    Format("nq", "application/n-quads", ".nq", "dataset", "nquads", ox.RdfFormat.N_QUADS),
    Format("trig", "application/trig", ".trig", "dataset", "trig", ox.RdfFormat.TRIG),
    Format("html", "text/html", ".html", "page", aliases=("application/xhtml+xml",)),
    Format("json", "application/sparql-results+json", ".srj", "results",
           oxigraph=ox.QueryResultsFormat.JSON, aliases=("application/json",)),
    Format("xml", "application/sparql-results+xml", ".srx", "results",
           oxigraph=ox.QueryResultsFormat.XML, aliases=("application/xml", "text/xml")),
    Format("csv", "text/csv", ".csv", "results", oxigraph=ox.QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", ".tsv", "results",
           oxigraph=ox.QueryResultsFormat.TSV),
)

BY_NAME: dict[str, Format] = {f.name: f for f in FORMATS}


def by_name(name: str) -> Format:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; one of {', '.join(BY_NAME)}") from None


def by_suffix(suffix: str) -> Format | None:
    for f in FORMATS:
        if f.suffix == suffix:
            return f
    return None


def of_kind(*kinds: str) -> list[Format]:
    return [f for f in FORMATS if f.kind in kinds]
