"""The one table of the build's dump files (``<build>/dumps/``): what each holds, its media
type, whether it is gzipped. Publishing writes them, ``/dumps/`` serves them, VoID and DCAT
describe them, ``ccgraph export`` copies them, and schema.org lists them — all from here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dump:
    name: str  # the file name in dumps/
    #: the IANA media type of the content (uncompressed); None where none is registered
    media_type: str | None
    compressed: bool
    description: str
    #: an RDF dump: the format's short name (formats.py, ``ccgraph export --format``); a file
    #: of framed documents: None
    rdf: str | None = None
    #: a file of framed documents: (export format, frame) and the specification it follows
    framed: tuple[str, str] | None = None
    spec: str | None = None
    #: the content's type where no IANA type exists (schema.org ``encodingFormat``)
    informal_type: str | None = None

    @property
    def served_type(self) -> str:
        """The Content-Type ``/dumps/`` answers with."""
        if self.compressed:
            return "application/gzip"
        return self.media_type or "application/octet-stream"

    @property
    def content_type(self) -> str:
        """The type of what the file holds, once uncompressed."""
        return self.media_type or self.informal_type or "application/octet-stream"


DUMPS: tuple[Dump, ...] = (
    Dump("ccgraph.ttl", "text/turtle", False, "union of all graphs, Turtle", rdf="ttl"),
    Dump("ccgraph.nt.gz", "application/n-triples", True,
         "union of all graphs, N-Triples, gzip", rdf="nt"),
    Dump("ccgraph.nq.gz", "application/n-quads", True, "every named graph, N-Quads, gzip",
         rdf="nq"),
    Dump("ccgraph.jsonld", "application/ld+json", False, "union of all graphs, JSON-LD",
         rdf="jsonld"),
    Dump("cities.jsonl.gz", None, True,
         "every city, framed JSON-LD (context v1), one per line, gzip",
         framed=("jsonl", "city"), spec="https://jsonlines.org/",
         informal_type="application/jsonl"),
    Dump("cities.geojson", "application/geo+json", False,
         "every city as a GeoJSON point, the framed city as its properties",
         framed=("geojson", "city"), spec="https://www.rfc-editor.org/rfc/rfc7946"),
)
BY_NAME: dict[str, Dump] = {d.name: d for d in DUMPS}
RDF_DUMPS: tuple[Dump, ...] = tuple(d for d in DUMPS if d.rdf is not None)
FRAMED_FILES: tuple[Dump, ...] = tuple(d for d in DUMPS if d.framed is not None)


def framed_file(fmt: str, frame: str) -> str:
    """The file of framed ``frame`` documents in ``fmt`` (KeyError: none)."""
    for d in FRAMED_FILES:
        if d.framed == (fmt, frame):
            return d.name
    raise KeyError((fmt, frame))
