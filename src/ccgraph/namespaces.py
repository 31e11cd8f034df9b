"""The RDF namespaces ccgraph uses, in one place, with the prefixes it publishes."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

CCG = Namespace("https://w3id.org/ccgraph/ontology#")
SCHEMA = Namespace("http://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
#: DCAT 3 terms rdflib's closed DCAT namespace lacks (version, hasVersion, previousVersion)
DCAT3 = Namespace(str(DCAT))

#: prefix -> namespace IRI, used for Turtle output, the JSON-LD context and the query page.
PREFIXES: dict[str, str] = {
    "ccg": str(CCG),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "prov": str(PROV),
    "oa": str(OA),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "sh": str(SH),
    "void": str(VOID),
    "dcat": str(DCAT),
    "foaf": str(FOAF),
    "sd": str(SD),
    "geo": str(GEO),
}

def curie(iri: str) -> str:
    """``ccg:CreativeCity`` for an IRI in a known namespace (the longest that leaves a
    plain local name), else the IRI itself."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            local = iri[len(ns):]
            if local and all(c.isalnum() or c in "_-." for c in local):
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


__all__ = [
    "CCG",
    "DCAT",
    "DCAT3",
    "DCTERMS",
    "FOAF",
    "GEO",
    "OA",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SD",
    "SH",
    "SKOS",
    "SPDX",
    "VOID",
    "XSD",
    "curie",
]
