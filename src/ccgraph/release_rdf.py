"""Releases in RDF: one release's DCAT/VoID description, and the list of every release.

A release ``{base}release/{name}`` is a ``dcat:Dataset`` and ``void:Dataset``,
``dcterms:isVersionOf`` the dataset ``{base}id/dataset``, with ``dcat:version``,
``dcterms:issued``, ``dcat:previousVersion`` (the release before), ``dcat:landingPage``
(``{base}releases/{name}/``), ``prov:wasDerivedFrom`` each input file (size and SHA-256,
and its public address when known), rights per named graph (rights.py), and one
``dcat:Distribution`` per file: ``dcat:downloadURL``, ``dcat:mediaType``, ``dcat:byteSize``
and ``spdx:checksum`` (``spdx:algorithm spdx:checksumAlgorithm_sha256``,
``spdx:checksumValue``). The dataset lists its releases with ``dcterms:hasVersion`` (and
DCAT 3's ``dcat:hasVersion``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, RDFS, VOID, XSD

from . import iris, rights
from .namespaces import DCAT3, PREFIXES, SD, SPDX

if TYPE_CHECKING:
    from .release import Release

IANA = "https://www.iana.org/assignments/media-types/"
TITLE = "ccgraph: the UNESCO Creative Cities Network as linked data"


def _int(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def _site(base: str) -> str:
    return base if base.endswith("/") else base + "/"


def release_page(name: str, base: str) -> URIRef:
    """Where the release's files are listed (the canonical IRIs resolve to the service)."""
    return URIRef(f"{_site(base)}releases/{name}/")


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text).strip("-")


def describe_summary(g: Graph, release: Release, base: str) -> URIRef:
    """The few statements each listing repeats: type, version, date, page, previous."""
    node = iris.release(release.name, base)
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, RDF.type, VOID.Dataset))
    g.add((node, RDFS.label, Literal(f"ccgraph release {release.name}", lang="en")))
    g.add((node, DCTERMS.title, Literal(f"{TITLE}, release {release.name}", lang="en")))
    g.add((node, DCAT3.version, Literal(release.name)))
    g.add((node, DCTERMS.issued, Literal(release.issued, datatype=XSD.dateTime)))
    g.add((node, DCAT.landingPage, release_page(release.name, base)))
    g.add((node, DCTERMS.isVersionOf, iris.dataset(base)))
    g.add((node, DCTERMS.identifier, Literal(release.version)))
    if release.previous:
        g.add((node, DCAT3.previousVersion, iris.release(release.previous, base)))
    return node


def describe_release(release: Release, previous: Release | None = None) -> Graph:
    base = _site(release.base)
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g.bind("spdx", str(SPDX))
    node = describe_summary(g, release, base)
    g.add((node, DCTERMS.license, URIRef(rights.OPEN_LICENSE)))
    g.add((node, VOID.triples, _int(release.triples)))
    rights.describe_statements(g, node)
    for graph, count in release.graphs.items():
        tail = graph[len(base):] if graph.startswith(base) else graph
        sub = URIRef(f"{node}#graph-{_slug(tail)}")
        g.add((node, VOID.subset, sub))
        g.add((sub, RDF.type, SD.NamedGraph))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, SD.name, URIRef(graph)))
        g.add((sub, VOID.triples, _int(count)))
        rights.describe_subset(g, node, sub, graph, base)
    page = str(release_page(release.name, base))
    for f in release.files:
        dist = URIRef(f"{node}#file-{_slug(f.name)}")
        url = URIRef(page + f.name)
        g.add((node, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f.name)))
        g.add((dist, DCTERMS.description, Literal(f.description, lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.mediaType, URIRef(IANA + f.media_type)))
        g.add((dist, DCAT.byteSize, _int(f.bytes)))
        if f.compressed:
            g.add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
        _checksum(g, dist, f.sha256)
        if f.name.endswith(".nq.gz") or f.name.endswith((".ttl", ".nt.gz", ".jsonld")):
            g.add((node, VOID.dataDump, url))
        kind = "open" if f.name == "ccgraph-open.nq.gz" or not f.name.startswith(
            ("ccgraph.", "changes/")) else "quoted"
        g.add((dist, DCTERMS.rights, rights.statement(node, kind)))
        if kind == "open":
            g.add((dist, DCTERMS.license, URIRef(rights.OPEN_LICENSE)))
    for n, entry in enumerate(release.inputs, start=1):
        source = URIRef(f"{node}#input-{n}")
        g.add((node, PROV.wasDerivedFrom, source))
        g.add((source, RDF.type, PROV.Entity))
        g.add((source, RDFS.label, Literal(str(entry["name"]), lang="en")))
        g.add((source, DCTERMS.title, Literal(str(entry["name"]))))
        g.add((source, DCAT.byteSize, _int(int(entry["bytes"]))))
        _checksum(g, source, str(entry["sha256"]))
        if entry.get("url"):
            g.add((source, DCAT.downloadURL, URIRef(str(entry["url"]))))
    if previous is not None:
        describe_summary(g, previous, base)
    return g


def _checksum(g: Graph, subject: URIRef, sha256: str) -> None:
    checksum = URIRef(f"{subject}-sha256")
    g.add((subject, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))


def catalogue(releases: list[Release], base: str) -> Graph:
    """Every release (newest first in the list): the dataset ``dcterms:hasVersion`` each,
    each ``dcat:previousVersion`` the one before."""
    base = _site(base)
    g = Graph()
    dataset = iris.dataset(base)
    for release in releases:
        node = describe_summary(g, release, base)
        g.add((dataset, DCTERMS.hasVersion, node))
        g.add((dataset, DCAT3.hasVersion, node))
    return g
