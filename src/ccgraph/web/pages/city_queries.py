"""The queries of a city's page (``pages/city.py``); ``<$c>`` is the city. Rows are DISTINCT:
over a remote engine whose union default graph has bag semantics (Oxigraph server) a
triple in two graphs would otherwise show twice on the page."""

#: facts shown under a facility, event, creator or work on a city page, in this order.
DETAILS: dict[str, str] = {
    "schema:description": "About", "schema:foundingDate": "Founded",
    "schema:datePublished": "Published", "schema:maximumAttendeeCapacity": "Capacity",
    "schema:address": "Address", "schema:containedInPlace": "Part of",
    "schema:location": "Venue", "ccg:operatedBy": "Operated by", "schema:creator": "Creator",
    "schema:contributor": "Contributor", "schema:about": "About the work",
    "schema:applicationCategory": "Category",
}

BASE = """SELECT ?country ?cc ?description WHERE {
    OPTIONAL { <$c> schema:containedInPlace ?country }
    OPTIONAL { <$c> ccg:countryCode ?cc }
    OPTIONAL { <$c> schema:description ?description FILTER(lang(?description) = "en") }
    } LIMIT 1"""

NAMES = "SELECT DISTINCT ?l WHERE { <$c> rdfs:label ?l }"

MEMBERSHIPS = """SELECT DISTINCT ?m ?field ?year ?ended ?reason ?source WHERE {
    { <$c> ccg:membership ?m } UNION { ?m org:member <$c> }
    ?m ccg:field ?field .
    OPTIONAL { ?m ccg:yearDesignated ?year } OPTIONAL { ?m dcterms:source ?source }
    OPTIONAL { ?m ccg:yearEnded ?ended }
    OPTIONAL { ?m ccg:endReason ?reason FILTER(lang(?reason) = "en") } }"""

PLEDGES = """SELECT DISTINCT ?p ?field ?pos ?summary ?text ?theme WHERE {
    ?p ccg:commitmentOf <$c> ; ccg:position ?pos .
    OPTIONAL { ?p ccg:field ?field } OPTIONAL { ?p ccg:summary ?summary }
    OPTIONAL { ?p schema:text ?text } OPTIONAL { ?p ccg:theme ?theme } }"""

THINGS = """SELECT DISTINCT ?x ?rel ?type WHERE {
    { ?x ccg:locatedIn <$c> BIND("located" AS ?rel) }
    UNION { ?x ccg:basedIn <$c> BIND("based" AS ?rel) }
    UNION { ?x ccg:originatedIn <$c> BIND("origin" AS ?rel) }
    ?x a ?type }"""

THING_DETAILS = """SELECT DISTINCT ?x ?p ?o WHERE {
    { ?x ccg:locatedIn <$c> } UNION { ?x ccg:basedIn <$c> } UNION { ?x ccg:originatedIn <$c> }
    ?x ?p ?o
    FILTER(?p IN (""" + ", ".join(DETAILS) + """))
    FILTER(!isLiteral(?o) || lang(?o) = "" || lang(?o) = "en") }"""

INDUSTRIES = "SELECT DISTINCT ?i WHERE { <$c> ccg:industry ?i }"

CONTACTS = """SELECT DISTINCT ?cp ?name ?job ?dept ?email WHERE { <$c> ccg:contactPoint ?cp .
    OPTIONAL { ?cp schema:name ?name } OPTIONAL { ?cp schema:jobTitle ?job }
    OPTIONAL { ?cp ccg:department ?dept } OPTIONAL { ?cp schema:email ?email } }"""

REPORTS = """SELECT DISTINCT ?r ?year ?url WHERE { <$c> ccg:monitoringReport ?r .
    OPTIONAL { ?r ccg:year ?year } OPTIONAL { ?r schema:url ?url } }"""

PROFILES = """SELECT DISTINCT ?d WHERE { ?d ccg:describes <$c> }"""

NEAR_DUPLICATES = """SELECT DISTINCT ?d ?sim ?mine ?other ?city WHERE {
    ?d a ccg:NearDuplicate ; ccg:similarity ?sim ; ccg:passage ?mine , ?other .
    ?mine ccg:commitmentOf|oa:hasSource/ccg:describes <$c> .
    ?other ccg:commitmentOf|oa:hasSource/ccg:describes ?city .
    FILTER(?city != <$c>) }"""

#: the queries of resources the page mentions, with the variables that name them (their
#: labels and evidence are read in one go); NAMES and THING_DETAILS are read for the page too
PER_CITY: dict[str, tuple[str, ...]] = {
    "NAMES": (), "MEMBERSHIPS": ("m", "field"), "PLEDGES": ("p", "field", "theme"),
    "THINGS": ("x", "type"), "THING_DETAILS": ("o",), "INDUSTRIES": ("i",),
    "CONTACTS": ("cp",), "REPORTS": ("r",), "PROFILES": ("d",),
}
