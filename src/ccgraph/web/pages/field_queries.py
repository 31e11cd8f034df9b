"""The queries of a creative field's page (``pages/field.py``); ``<$f>`` is the field."""

MEMBERS = """SELECT DISTINCT ?m ?city ?country ?year ?ended WHERE {
    ?m a ccg:Membership ; ccg:field <$f> ; org:member ?city .
    OPTIONAL { ?m ccg:yearDesignated ?year } OPTIONAL { ?m ccg:yearEnded ?ended }
    OPTIONAL { ?city schema:containedInPlace ?country } }"""

THEMES = """SELECT ?theme (COUNT(DISTINCT ?c) AS ?n) WHERE {
    ?c a ccg:Commitment ; ccg:field <$f> ; ccg:theme ?theme } GROUP BY ?theme"""

INFO = """SELECT ?definition ?notation WHERE {
    OPTIONAL { <$f> skos:definition ?definition FILTER(lang(?definition) = "en") }
    OPTIONAL { <$f> skos:notation ?notation } } LIMIT 1"""

LABELS = "SELECT DISTINCT ?l WHERE { <$f> skos:prefLabel ?l }"
