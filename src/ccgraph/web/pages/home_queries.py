"""The queries of the home page (``pages/home.py``). Members are current memberships (no
``ccg:yearEnded``); ended ones are history."""

COUNTS = """SELECT
    (COUNT(DISTINCT ?city) AS ?cities) (COUNT(DISTINCT ?m) AS ?memberships)
    (COUNT(DISTINCT ?country) AS ?countries) WHERE {
      ?m a ccg:Membership ; org:member ?city . FILTER NOT EXISTS { ?m ccg:yearEnded ?e }
      OPTIONAL { ?city schema:containedInPlace ?country } }"""

ENDED = """SELECT (COUNT(DISTINCT ?m) AS ?ended) WHERE {
      ?m a ccg:Membership ; ccg:yearEnded ?e }"""

OTHERS = """SELECT
    (COUNT(DISTINCT ?doc) AS ?profiles) (COUNT(DISTINCT ?c) AS ?pledges)
    (COUNT(DISTINCT ?ev) AS ?spans) WHERE {
      { ?doc a ccg:ProfileDocument } UNION { ?c a ccg:Commitment }
      UNION { ?x ccg:evidence ?ev } }"""

YEARS = """SELECT ?year ?f (COUNT(DISTINCT ?m) AS ?n) WHERE {
    ?m a ccg:Membership ; ccg:field ?f ; ccg:yearDesignated ?year }
    GROUP BY ?year ?f"""

NO_YEAR = """SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ccg:Membership
    FILTER NOT EXISTS { ?m ccg:yearDesignated ?y } }"""

COUNTRIES = """SELECT ?country ?cc (COUNT(DISTINCT ?city) AS ?cities)
    (COUNT(DISTINCT ?m) AS ?memberships) WHERE {
      ?m a ccg:Membership ; org:member ?city . ?city schema:containedInPlace ?country .
      FILTER NOT EXISTS { ?m ccg:yearEnded ?e }
      OPTIONAL { ?country ccg:countryCode ?cc } }
    GROUP BY ?country ?cc"""

#: ``<$d>``: the dataset
DATASET = """SELECT ?title ?description ?license WHERE { <$d> ?p ?o
    OPTIONAL { <$d> dcterms:title ?title } OPTIONAL { <$d> dcterms:description ?description }
    OPTIONAL { <$d> dcterms:license ?license } } LIMIT 1"""

LINKSETS = """SELECT DISTINCT ?title ?home ?n WHERE {
    ?ls a <http://rdfs.org/ns/void#Linkset> ;
        <http://rdfs.org/ns/void#objectsTarget> ?t ; <http://rdfs.org/ns/void#triples> ?n .
    ?t dcterms:title ?title OPTIONAL { ?t <http://xmlns.com/foaf/0.1/homepage> ?home } }"""

FIELDS = """SELECT ?f ?slug (COUNT(DISTINCT ?m) AS ?n) WHERE {
    ?f a ccg:CreativeField . OPTIONAL { ?f skos:notation ?slug }
    OPTIONAL { ?m a ccg:Membership ; ccg:field ?f FILTER NOT EXISTS { ?m ccg:yearEnded ?e } }
    } GROUP BY ?f ?slug"""
