"""The SPARQL 1.1 Service Description of ``/sparql`` (what a GET without a query answers:
RDF, or the service page for a browser), and the example query it and the workbench
start with."""

from __future__ import annotations

from flask import Response, render_template, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from ..namespaces import PREFIXES, SD, SH, XSD
from . import negotiate
from .negotiate import DOC_OFFERS, GRAPH_FORMATS, PAGE, RESULT_FORMATS
from .rdfbody import rdflib_triples
from .state import state

W3C_FORMATS = "http://www.w3.org/ns/formats/"
SD_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                     "SPARQL_Results_TSV", "Turtle", "JSON-LD", "N-Triples", "RDF_XML")
EXAMPLE_QUERY = """SELECT ?city ?label ?year WHERE {
  ?m a ccg:Membership ;
     org:member ?city ;
     ccg:field <%sid/field/media-arts> .
  FILTER NOT EXISTS { ?m ccg:yearEnded ?ended }  # current members only
  OPTIONAL { ?m ccg:yearDesignated ?year }
  ?city rdfs:label ?label .
  FILTER(LANG(?label) = "en")
}
ORDER BY ?year ?label
LIMIT 100"""

def example_query(base: str) -> str:
    """The query the service page and the workbench start with, for the data at ``base``."""
    return EXAMPLE_QUERY % base


def endpoint_url() -> str:
    public = state().settings.public_url
    if public:
        return public.rstrip("/") + "/sparql"
    return request.base_url


def describe_service(url: str, graphs: frozenset[str], base: str) -> Graph:
    """The SPARQL 1.1 Service Description of this endpoint."""
    g = Graph()
    service = URIRef(url)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.defaultEntailmentRegime,
           URIRef("http://www.w3.org/ns/entailment/Simple")))
    for name in SD_RESULT_FORMATS:
        g.add((service, SD.resultFormat, URIRef(W3C_FORMATS + name)))
    g.add((service, RDFS.label, _label("ccgraph SPARQL endpoint")))
    g.add((service, RDFS.comment, _label(
        "Read-only SPARQL 1.1 query service. The default graph is the union of the named "
        "graphs. SERVICE and graphs from outside the dataset are refused. The prefixes "
        "given with sh:declare are declared for every query, so a query may use them "
        "without PREFIX lines; a PREFIX line in the query overrides one.")))
    for prefix, namespace in PREFIXES.items():  # SHACL's vocabulary for prefix declarations
        declaration = BNode()
        g.add((service, SH.declare, declaration))
        g.add((declaration, SH.prefix, Literal(prefix)))
        g.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, DCTERMS.source, URIRef(base + "id/dataset")))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    for iri in sorted(graphs):
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(iri)))
    return g


def _label(text: str) -> Literal:
    return Literal(text, lang="en")


def service_description() -> Response:
    ext = state()
    reply = negotiate.reply(DOC_OFFERS, lambda f: "sd-" + f.name)
    if reply.fmt is PAGE:
        return reply.respond(render_template(
            "sparql.html", query=example_query(ext.base), result_formats=RESULT_FORMATS,
            graph_formats=GRAPH_FORMATS, timeout=ext.runner.timeout,
            cap=ext.settings.result_cap, graphs=sorted(ext.graphs)))
    graph = describe_service(endpoint_url(), ext.graphs, ext.base)
    return reply.graph(rdflib_triples(graph), ext.base)
