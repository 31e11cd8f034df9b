"""The human way in: the home page, field and city pages, the source view of a profile, the
query workbench, and helpful 404s.

Field, city and profile pages are the HTML of their ``/doc/...`` resources: ``resources.py``
asks :func:`special_view` first and falls back on the generic description. Every page reads
the store with a few SPARQL queries; pages about the whole dataset (home, fields) are cached
per process, which holds one build, so the cache follows the build version. Templates escape
everything from the data (Jinja2 autoescape); charts are SVG drawn by :mod:`.charts`.
"""

from __future__ import annotations

import difflib
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, abort, current_app, redirect, render_template, request
from werkzeug.wrappers import Response as WerkzeugResponse

from .. import release as rel
from .. import void as void_module
from ..gallery import Example, load_gallery
from ..namespaces import PREFIXES, curie
from ..settings import project_root
from . import charts, http, releases, schemaorg
from .resources import (
    HTML_VIEWS,
    Description,
    View,
    alternates_for,
    labels_of,
    local_href,
    pick_label,
)

bp = Blueprint("pages", __name__)

CCG = PREFIXES["ccg"]
#: prefixes every page query declares (and the workbench pre-fills).
QUERY_PREFIXES = ("ccg", "schema", "org", "prov", "oa", "skos", "dcterms", "rdf", "rdfs", "xsd")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TOP_COUNTRIES = 25
#: facts shown under a facility, event, creator or work on a city page, in this order.
DETAILS: dict[str, str] = {
    "schema:description": "About", "schema:foundingDate": "Founded",
    "schema:datePublished": "Published", "schema:maximumAttendeeCapacity": "Capacity",
    "schema:address": "Address", "schema:containedInPlace": "Part of",
    "schema:location": "Venue", "ccg:operatedBy": "Operated by", "schema:creator": "Creator",
    "schema:contributor": "Contributor", "schema:about": "About the work",
    "schema:applicationCategory": "Category",
}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def _ext() -> Any:
    return current_app.extensions["ccgraph"]


def _prologue(base: str) -> str:
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in QUERY_PREFIXES) + f"BASE <{base}>\n"


def select(query: str, **iris: str) -> list[dict[str, Any]]:
    """Rows of a SELECT (variables -> pyoxigraph terms; unbound ones left out).

    ``iris`` are bound with VALUES-free textual substitution of ``<$name>`` by an IRI that
    the caller took from the store or minted from the URL path (checked to hold no ``>``).
    """
    ext = _ext()
    for name, iri in iris.items():
        if any(c in iri for c in '<>"{}|^`\\ \n'):
            raise ValueError(f"not an IRI: {iri!r}")
        query = query.replace(f"<${name}>", f"<{iri}>")
    result = ext.store.query(_prologue(ext.base) + query)
    names = [v.value for v in result.variables]
    return [{n: row[i] for i, n in enumerate(names) if row[i] is not None} for row in result]


def value(term: Any) -> str:
    return str(term.value) if term is not None else ""


def to_int(term: Any) -> int:
    try:
        return int(term.value)
    except (AttributeError, ValueError):
        return 0


def labels(iris: set[str]) -> dict[str, str]:
    """English (else any) label of each IRI, chosen the same way every time."""
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(iris))
    rows = select("SELECT ?s ?l WHERE { VALUES ?s { " + values + " } "
                  "?s rdfs:label|skos:prefLabel ?l }")
    found: dict[str, list[ox.Literal]] = defaultdict(list)
    for row in rows:
        found[row["s"].value].append(row["l"])
    out = {}
    for iri, lits in found.items():
        lits.sort(key=lambda lit: (lit.language or "", len(lit.value), lit.value))
        if (label := pick_label(lits)) is not None:
            out[iri] = label
    return out


def link(iri: str, names: dict[str, str]) -> dict[str, Any]:
    base = _ext().base
    return {"iri": iri, "href": local_href(iri, base), "text": names.get(iri) or curie(iri)}


def lit(term: Any) -> dict[str, Any]:
    """A literal for a template: its text and language tag."""
    if isinstance(term, ox.Literal):
        return {"text": term.value, "lang": term.language or ""}
    return {"text": value(term), "lang": ""}


# ------------------------------------------------------------------ evidence

@dataclass
class Evidence:
    iri: str
    href: str
    start: int
    end: int
    exact: str
    document: str


def evidence_for(resources: set[str]) -> dict[str, list[Evidence]]:
    """resource IRI -> its evidence spans (document order)."""
    if not resources:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(resources))
    rows = select("SELECT ?r ?ev ?doc ?start ?end ?exact WHERE { VALUES ?r { " + values + " } "
                  "?r ccg:evidence ?ev . ?ev oa:hasSource ?doc ; oa:hasSelector ?p . "
                  "?p oa:start ?start ; oa:end ?end . "
                  "OPTIONAL { ?ev oa:hasSelector ?q . ?q oa:exact ?exact } }")
    base = _ext().base
    out: dict[str, dict[str, Evidence]] = defaultdict(dict)
    for row in rows:
        ev = row["ev"].value
        out[row["r"].value][ev] = Evidence(ev, local_href(ev, base), to_int(row["start"]),
                                           to_int(row["end"]), value(row.get("exact")),
                                           row["doc"].value)
    return {r: sorted(spans.values(), key=lambda e: (e.start, e.end)) for r, spans in out.items()}


# ------------------------------------------------------------------ home

def home_data() -> dict[str, Any]:
    # Members are current memberships (no ccg:yearEnded); ended ones are history.
    counts = select("""SELECT
        (COUNT(DISTINCT ?city) AS ?cities) (COUNT(DISTINCT ?m) AS ?memberships)
        (COUNT(DISTINCT ?country) AS ?countries) WHERE {
          ?m a ccg:Membership ; org:member ?city . FILTER NOT EXISTS { ?m ccg:yearEnded ?e }
          OPTIONAL { ?city schema:containedInPlace ?country } }""")[0]
    ended = select("""SELECT (COUNT(DISTINCT ?m) AS ?ended) WHERE {
          ?m a ccg:Membership ; ccg:yearEnded ?e }""")[0]
    others = select("""SELECT
        (COUNT(DISTINCT ?doc) AS ?profiles) (COUNT(DISTINCT ?c) AS ?pledges)
        (COUNT(DISTINCT ?ev) AS ?spans) WHERE {
          { ?doc a ccg:ProfileDocument } UNION { ?c a ccg:Commitment }
          UNION { ?x ccg:evidence ?ev } }""")[0]
    size = select(void_module.COUNT_DEFAULT_GRAPH)[0]  # the counting convention: void.py
    fields = field_counts()
    years = select("""SELECT ?year ?f (COUNT(DISTINCT ?m) AS ?n) WHERE {
        ?m a ccg:Membership ; ccg:field ?f ; ccg:yearDesignated ?year }
        GROUP BY ?year ?f""")
    no_year = select("""SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ccg:Membership
        FILTER NOT EXISTS { ?m ccg:yearDesignated ?y } }""")[0]
    by_year: dict[str, dict[str, int]] = defaultdict(dict)
    for row in years:
        by_year[value(row["year"])[:4]][row["f"].value] = to_int(row["n"])
    year_list = [str(y) for y in range(int(min(by_year)), int(max(by_year)) + 1)] \
        if by_year else []
    series = [charts.Series(f["label"], [by_year.get(y, {}).get(f["iri"], 0) for y in year_list],
                            f["colour"]) for f in fields]
    year_table = [{"year": y, "counts": [by_year.get(y, {}).get(f["iri"], 0) for f in fields],
                   "total": sum(by_year.get(y, {}).values())} for y in year_list]
    countries = select("""SELECT ?country ?cc (COUNT(DISTINCT ?city) AS ?cities)
        (COUNT(DISTINCT ?m) AS ?memberships) WHERE {
          ?m a ccg:Membership ; org:member ?city . ?city schema:containedInPlace ?country .
          FILTER NOT EXISTS { ?m ccg:yearEnded ?e }
          OPTIONAL { ?country ccg:countryCode ?cc } }
        GROUP BY ?country ?cc""")
    names = labels({r["country"].value for r in countries})
    country_rows = sorted(({**link(r["country"].value, names), "cc": value(r.get("cc")),
                            "cities": to_int(r["cities"]), "memberships": to_int(r["memberships"])}
                           for r in countries), key=lambda r: (-r["memberships"], r["text"]))
    dataset = select("""SELECT ?title ?description ?license WHERE { <$d> ?p ?o
        OPTIONAL { <$d> dcterms:title ?title } OPTIONAL { <$d> dcterms:description ?description }
        OPTIONAL { <$d> dcterms:license ?license } } LIMIT 1""", d=_ext().base + "id/dataset")
    info = dataset[0] if dataset else {}
    return {
        "counts": {k: to_int(v) for k, v in
                   {**counts, **ended, **others, "triples": size["n"]}.items()},
        "counting": void_module.COUNTING_NOTE,
        "no_year": to_int(no_year.get("n")),
        "fields": fields,
        "years": year_list, "year_table": year_table,
        "year_chart": charts.stacked_columns(
            "joins", "Cities joining the network per year, by creative field",
            "Stacked columns, one per year of designation from "
            f"{year_list[0] if year_list else '-'} to {year_list[-1] if year_list else '-'}; "
            "each colour is a creative field. The table below gives the same numbers.",
            year_list, series) if year_list else None,
        "countries": country_rows,
        "country_chart": charts.horizontal_bars(
            "countries", f"The {TOP_COUNTRIES} countries with the most memberships",
            "Horizontal bars, one per country, longest first. The table below lists every "
            "country.", [(c["text"], c["memberships"]) for c in country_rows[:TOP_COUNTRIES]]),
        "linksets": linkset_counts(),
        "map": _map_pages().home_map(fields),
        "title": value(info.get("title")) or "ccgraph",
        "description": value(info.get("description")),
        "license": value(info.get("license")) or LICENSE,
    }


def _map_pages() -> Any:
    """The maps of the pages (web/map_pages.py, which builds on this module's queries)."""
    from . import map_pages

    return map_pages


def linkset_counts() -> list[dict[str, Any]]:
    """The VoID linksets of the build (linksets.py): target dataset and number of links."""
    rows = select("""SELECT ?title ?home ?n WHERE {
        ?ls a <http://rdfs.org/ns/void#Linkset> ;
            <http://rdfs.org/ns/void#objectsTarget> ?t ; <http://rdfs.org/ns/void#triples> ?n .
        ?t dcterms:title ?title OPTIONAL { ?t <http://xmlns.com/foaf/0.1/homepage> ?home } }""")
    return sorted(({"title": value(r["title"]), "href": value(r.get("home")),
                    "count": to_int(r["n"])} for r in rows), key=lambda r: r["title"])


def field_counts() -> list[dict[str, Any]]:
    rows = select("""SELECT ?f ?slug (COUNT(DISTINCT ?m) AS ?n) WHERE {
        ?f a ccg:CreativeField . OPTIONAL { ?f skos:notation ?slug }
        OPTIONAL { ?m a ccg:Membership ; ccg:field ?f FILTER NOT EXISTS { ?m ccg:yearEnded ?e } }
        } GROUP BY ?f ?slug""")
    names = labels({r["f"].value for r in rows})
    fields = sorted(({**link(r["f"].value, names), "slug": value(r.get("slug")),
                      "count": to_int(r["n"])} for r in rows), key=lambda f: f["text"])
    for i, f in enumerate(fields):
        f["label"] = f["text"]
        f["colour"] = charts.colour(i)
        f["index"] = i
    return fields


@bp.route("/")
def home() -> Response:
    tag = http.etag("home-" + releases.fingerprint())
    if (hit := http.not_modified(tag, vary_accept=False)) is not None:
        return hit
    ext = _ext()
    data = ext.cached("pages:home", home_data)
    body = render_template("home.html", title=data["title"], data=data,
                           examples=examples()[:6])
    return http.finish(Response(body, content_type=http.PAGE.content_type), tag,
                       vary_accept=False)


@bp.route("/field/<slug>")
def field_page(slug: str) -> WerkzeugResponse:
    return redirect("/doc/field/" + slug, code=301)


# ------------------------------------------------------------------ special /doc views

def special_view(iri: str, desc: Description) -> str | None:
    """The page for a field, city or profile document; None for other resources."""
    subject = ox.NamedNode(iri)
    types = {t.object.value for t in desc.triples
             if t.subject == subject and t.predicate.value == PREFIXES["rdf"] + "type"
             and isinstance(t.object, ox.NamedNode)}
    if CCG + "CreativeCity" in types:
        return city_page(iri, desc)
    if CCG + "CreativeField" in types:
        return field_doc_page(iri, desc)
    if CCG + "ProfileDocument" in types:
        return profile_page(iri, desc)
    return None


def statements(iri: str, desc: Description) -> dict[str, Any]:
    """The generic description, for the "all statements" part of a special page."""
    triples = list(desc.triples)
    inbound = list(desc.inbound)
    view = View(_ext().base, labels_of(triples + inbound))
    links = sorted(({"subject": view.term(t.subject), "predicate": view.term(t.predicate)}
                    for t in inbound), key=lambda r: (r["predicate"]["text"], r["subject"]["text"]))
    path = "/doc/" + iri[len(_ext().base) + 3:]
    return {"sections": view.sections(triples, desc.subjects), "inbound": links,
            "alternates": alternates_for(path), "iri": iri}


def field_data(iri: str) -> dict[str, Any]:
    rows = select("""SELECT ?m ?city ?country ?year ?ended WHERE {
        ?m a ccg:Membership ; ccg:field <$f> ; org:member ?city .
        OPTIONAL { ?m ccg:yearDesignated ?year } OPTIONAL { ?m ccg:yearEnded ?ended }
        OPTIONAL { ?city schema:containedInPlace ?country } }""", f=iri)
    names = labels({r["city"].value for r in rows} | {r["country"].value for r in rows
                                                      if "country" in r})
    members: list[dict[str, Any]] = sorted(({"city": link(r["city"].value, names),
                       "country": link(r["country"].value, names) if "country" in r else None,
                       "year": value(r.get("year"))[:4], "ended": value(r.get("ended"))[:4]}
                      for r in rows),
                     key=lambda m: (m["year"] or "9999", m["city"]["text"]))
    current = [m for m in members if not m["ended"]]
    per_year: dict[str, int] = defaultdict(int)
    for m in members:
        if m["year"]:
            per_year[m["year"]] += 1
    years = [str(y) for y in range(int(min(per_year)), int(max(per_year)) + 1)] \
        if per_year else []
    themes = select("""SELECT ?theme (COUNT(DISTINCT ?c) AS ?n) WHERE {
        ?c a ccg:Commitment ; ccg:field <$f> ; ccg:theme ?theme } GROUP BY ?theme""", f=iri)
    theme_names = labels({r["theme"].value for r in themes})
    info = select("""SELECT ?definition ?notation WHERE {
        OPTIONAL { <$f> skos:definition ?definition FILTER(lang(?definition) = "en") }
        OPTIONAL { <$f> skos:notation ?notation } } LIMIT 1""", f=iri)
    all_labels = select("SELECT ?l WHERE { <$f> skos:prefLabel ?l }", f=iri)
    return {
        "members": current, "former": [m for m in members if m["ended"]],
        "per_year": [(y, per_year.get(y, 0)) for y in years],
        "chart": charts.stacked_columns(
            "field-years", "Cities joining this field per year",
            f"Columns, one per year from {years[0]} to {years[-1]}; the height is the number "
            "of cities designated that year. The list below gives each city and year.",
            years, [charts.Series("members", [per_year.get(y, 0) for y in years])])
            if years else None,
        "themes": sorted(({**link(r["theme"].value, theme_names), "count": to_int(r["n"])}
                          for r in themes), key=lambda t: (-t["count"], t["text"])),
        "definition": value(info[0].get("definition")) if info else "",
        "labels": sorted((lit(r["l"]) for r in all_labels), key=lambda x: x["lang"]),
        "cities": len({m["city"]["iri"] for m in current}),
        "map": _map_pages().field_map(iri, field_counts()),
    }


def field_doc_page(iri: str, desc: Description) -> str:
    ext = _ext()
    data = ext.cached("pages:field:" + iri, lambda: field_data(iri))
    title = labels({iri}).get(iri) or curie(iri)
    return render_template("field.html", title=title, data=data, **statements(iri, desc))


def city_data(iri: str) -> dict[str, Any]:
    base = select("""SELECT ?country ?cc ?description WHERE {
        OPTIONAL { <$c> schema:containedInPlace ?country }
        OPTIONAL { <$c> ccg:countryCode ?cc }
        OPTIONAL { <$c> schema:description ?description FILTER(lang(?description) = "en") }
        } LIMIT 1""", c=iri)[0]
    names_all = select("SELECT ?l WHERE { <$c> rdfs:label ?l }", c=iri)
    memberships = select("""SELECT ?m ?field ?year ?ended ?reason ?source WHERE {
        { <$c> ccg:membership ?m } UNION { ?m org:member <$c> }
        ?m ccg:field ?field .
        OPTIONAL { ?m ccg:yearDesignated ?year } OPTIONAL { ?m dcterms:source ?source }
        OPTIONAL { ?m ccg:yearEnded ?ended }
        OPTIONAL { ?m ccg:endReason ?reason FILTER(lang(?reason) = "en") } }""",
                         c=iri)
    pledges = select("""SELECT ?p ?field ?pos ?summary ?text ?theme WHERE {
        ?p ccg:commitmentOf <$c> ; ccg:position ?pos .
        OPTIONAL { ?p ccg:field ?field } OPTIONAL { ?p ccg:summary ?summary }
        OPTIONAL { ?p schema:text ?text } OPTIONAL { ?p ccg:theme ?theme } }""", c=iri)
    things = select("""SELECT ?x ?rel ?type WHERE {
        { ?x ccg:locatedIn <$c> BIND("located" AS ?rel) }
        UNION { ?x ccg:basedIn <$c> BIND("based" AS ?rel) }
        UNION { ?x ccg:originatedIn <$c> BIND("origin" AS ?rel) }
        ?x a ?type }""", c=iri)
    details = select("""SELECT ?x ?p ?o WHERE {
        { ?x ccg:locatedIn <$c> } UNION { ?x ccg:basedIn <$c> } UNION { ?x ccg:originatedIn <$c> }
        ?x ?p ?o
        FILTER(?p IN (""" + ", ".join(DETAILS) + """))
        FILTER(!isLiteral(?o) || lang(?o) = "" || lang(?o) = "en") }""", c=iri)
    industries = select("SELECT ?i WHERE { <$c> ccg:industry ?i }", c=iri)
    contacts = select("""SELECT ?cp ?name ?job ?dept ?email WHERE { <$c> ccg:contactPoint ?cp .
        OPTIONAL { ?cp schema:name ?name } OPTIONAL { ?cp schema:jobTitle ?job }
        OPTIONAL { ?cp ccg:department ?dept } OPTIONAL { ?cp schema:email ?email } }""", c=iri)
    reports = select("""SELECT ?r ?year ?url WHERE { <$c> ccg:monitoringReport ?r .
        OPTIONAL { ?r ccg:year ?year } OPTIONAL { ?r schema:url ?url } }""", c=iri)
    profiles = select("""SELECT ?d WHERE { ?d ccg:describes <$c> }""", c=iri)

    mentioned: set[str] = {iri}
    for rows, keys in ((memberships, ("m", "field")), (pledges, ("p", "field", "theme")),
                       (things, ("x", "type")), (industries, ("i",)), (contacts, ("cp",)),
                       (reports, ("r",)), (profiles, ("d",))):
        for row in rows:
            mentioned.update(row[k].value for k in keys
                             if isinstance(row.get(k), ox.NamedNode))
    mentioned.update(r["o"].value for r in details if isinstance(r["o"], ox.NamedNode))
    if isinstance(base.get("country"), ox.NamedNode):
        mentioned.add(base["country"].value)
    names = labels(mentioned)
    evidence = evidence_for(mentioned)

    def item(x: str) -> dict[str, Any]:
        return {**link(x, names), "evidence": evidence.get(x, [])}

    membership_list: dict[str, dict[str, Any]] = {}
    for row in memberships:
        m = row["m"].value
        entry = membership_list.setdefault(m, {**item(m), "field": link(row["field"].value, names),
                                               "year": value(row.get("year"))[:4],
                                               "ended": value(row.get("ended"))[:4],
                                               "reason": value(row.get("reason")), "sources": []})
        if "source" in row and value(row["source"]) not in entry["sources"]:
            entry["sources"].append(value(row["source"]))
    pledge_map: dict[str, dict[str, Any]] = {}
    for row in pledges:
        p = row["p"].value
        entry = pledge_map.setdefault(p, {
            **item(p), "position": to_int(row["pos"]),
            "field": link(row["field"].value, names) if "field" in row else None,
            "summary": value(row.get("summary")), "quote": value(row.get("text")), "themes": []})
        if "theme" in row:
            theme = link(row["theme"].value, names)
            if theme not in entry["themes"]:
                entry["themes"].append(theme)
    for entry in pledge_map.values():
        entry["themes"].sort(key=lambda t: t["text"])
    pledge_groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in sorted(pledge_map.values(), key=lambda e: (e["field"]["text"] if e["field"]
                                                           else "", e["position"])):
        pledge_groups[entry["field"]["text"] if entry["field"] else ""].append(entry)

    extra: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in details:
        o = row["o"]
        shown = link(o.value, names) if isinstance(o, ox.NamedNode) else lit(o)
        extra[row["x"].value][curie(row["p"].value)].append(shown)
    order = list(DETAILS)
    facts = {x: [(DETAILS[p], props[p]) for p in sorted(props, key=order.index)]
             for x, props in extra.items()}
    kinds: dict[str, dict[str, Any]] = {}
    for row in things:
        x = row["x"].value
        entry = kinds.setdefault(x, {**item(x), "rel": value(row["rel"]), "types": [],
                                     "details": facts.get(x, [])})
        t = row["type"].value
        if not t.startswith(CCG):
            entry["types"].append(curie(t).partition(":")[2] or curie(t))
        entry.setdefault("ccg_types", set()).add(t)

    def of(kind: str) -> list[dict[str, Any]]:
        return sorted((e for e in kinds.values() if CCG + kind in e["ccg_types"]),
                      key=lambda e: e["text"])

    return {
        "city": item(iri),
        "names": sorted((lit(r["l"]) for r in names_all), key=lambda x: (x["lang"] != "en",
                                                                          x["lang"])),
        "country": link(base["country"].value, names) if "country" in base else None,
        "cc": value(base.get("cc")),
        "description": value(base.get("description")),
        "memberships": sorted(membership_list.values(), key=lambda m: (m["year"] or "9999",
                                                                       m["field"]["text"])),
        "pledge_groups": list(pledge_groups.items()),
        "facilities": of("Facility"), "events": of("Event"),
        "creators": of("Creator"), "works": of("CreativeWork"),
        "industries": sorted((link(r["i"].value, names) for r in industries),
                             key=lambda x: x["text"]),
        "contacts": [{**item(r["cp"].value), "name": value(r.get("name")),
                      "job": value(r.get("job")), "dept": value(r.get("dept")),
                      "email": value(r.get("email"))} for r in contacts],
        "reports": sorted(({**item(r["r"].value), "year": value(r.get("year"))[:4],
                            "url": value(r.get("url"))} for r in reports),
                          key=lambda r: r["year"]),
        "profiles": sorted((item(r["d"].value) for r in profiles), key=lambda p: p["text"]),
        "near_duplicates": near_duplicates_of(iri),
        "map": _map_pages().city_map(iri, names.get(iri) or curie(iri)),
    }


def near_duplicates_of(city: str) -> list[dict[str, Any]]:
    """The city's passages (pledges, description spans) that are near-duplicates of another
    city's, each with that city, its passage, the similarity and the record (graph
    ``near-duplicates``), most similar first."""
    rows = select("""SELECT ?d ?sim ?mine ?other ?city WHERE {
        ?d a ccg:NearDuplicate ; ccg:similarity ?sim ; ccg:passage ?mine , ?other .
        ?mine ccg:commitmentOf|oa:hasSource/ccg:describes <$c> .
        ?other ccg:commitmentOf|oa:hasSource/ccg:describes ?city .
        FILTER(?city != <$c>) }""", c=city)
    spans = {r[k].value for r in rows for k in ("mine", "other") if "#" in r[k].value}
    names = labels({r[k].value for r in rows for k in ("d", "mine", "other", "city")}
                   | {s.partition("#")[0] for s in spans})
    for span in spans:
        names[span] = "description in " + names.get(span.partition("#")[0], "the profile")
    notes = [{"record": link(r["d"].value, names), "mine": link(r["mine"].value, names),
              "other": link(r["other"].value, names), "city": link(r["city"].value, names),
              "similarity": f"{float(value(r['sim'])):.3f}"} for r in rows]
    return sorted(notes, key=lambda n: (-float(n["similarity"]), n["mine"]["text"],
                                        n["other"]["text"]))


def city_page(iri: str, desc: Description) -> str:
    data = city_data(iri)
    return render_template("city.html", title=data["city"]["text"], data=data,
                           **statements(iri, desc))


@dataclass
class EvidenceHighlight:
    """One evidence of a source document, as the page highlights it: its IRI, its offsets
    and quote, and the statements it supports."""

    iri: str
    start: int
    end: int
    exact: str
    supports: list[dict[str, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return self.iri.partition("#")[2]


def segments(text: str, spans: list[EvidenceHighlight]) -> list[dict[str, Any]]:
    """The text cut at every span boundary. A piece inside spans names the innermost one
    (the shortest) as its target, how deep it sits, and the spans that start there."""
    cuts = {0, len(text)}
    for s in spans:
        cuts.update((max(0, min(s.start, len(text))), max(0, min(s.end, len(text)))))
    points = sorted(cuts)
    out = []
    for a, b in itertools.pairwise(points):
        covering = [s for s in spans if s.start <= a and b <= s.end]
        covering.sort(key=lambda s: (s.end - s.start, s.start))
        out.append({"text": text[a:b], "span": covering[0] if covering else None,
                    "depth": min(len(covering), 3),
                    "starts": [s for s in spans if s.start == a]})
    return out


def profile_page(iri: str, desc: Description) -> str:
    info = select("""SELECT ?text ?url ?date ?sha ?city WHERE {
        OPTIONAL { <$d> schema:text ?text } OPTIONAL { <$d> schema:url ?url }
        OPTIONAL { <$d> dcterms:date ?date } OPTIONAL { <$d> ccg:sha256 ?sha }
        OPTIONAL { <$d> ccg:describes ?city } } LIMIT 1""", d=iri)[0]
    rows = select("""SELECT ?ev ?start ?end ?exact ?r WHERE {
        ?ev oa:hasSource <$d> ; oa:hasSelector ?p . ?p oa:start ?start ; oa:end ?end .
        OPTIONAL { ?ev oa:hasSelector ?q . ?q oa:exact ?exact }
        OPTIONAL { ?r ccg:evidence ?ev } }""", d=iri)
    names = labels({r["r"].value for r in rows if "r" in r} | {iri} | (
        {info["city"].value} if "city" in info else set()))
    spans: dict[str, EvidenceHighlight] = {}
    for row in rows:
        ev = row["ev"].value
        span = spans.setdefault(ev, EvidenceHighlight(ev, to_int(row["start"]),
                                                      to_int(row["end"]),
                                                      value(row.get("exact"))))
        if "r" in row:
            target = link(row["r"].value, names)
            if target not in span.supports:
                span.supports.append(target)
    ordered = sorted(spans.values(), key=lambda s: (s.start, -s.end))
    for s in ordered:
        s.supports.sort(key=lambda t: t["text"])
    text = value(info.get("text"))
    return render_template(
        "profile.html", title=names.get(iri) or curie(iri), text=text,
        pieces=segments(text, ordered) if text else [], spans=ordered,
        url=value(info.get("url")), date=value(info.get("date")), sha=value(info.get("sha")),
        city=link(info["city"].value, names) if "city" in info else None,
        **statements(iri, desc))


# ------------------------------------------------------------------ workbench

def examples() -> list[Example]:
    return _ext().cached("pages:examples",  # type: ignore[no-any-return]
                         lambda: load_gallery(project_root() / "queries"))


def default_query() -> str:
    """The workbench's first query: no PREFIX lines, the endpoint declares them."""
    from .sparql import EXAMPLE_QUERY

    base: str = _ext().base
    return ("# ccg:, org:, rdfs: … are declared by the endpoint: no PREFIX lines needed\n"
            + EXAMPLE_QUERY % base + "\n")


@bp.route("/query")
def workbench() -> Response:
    ext = _ext()
    chosen = request.args.get("example", "")
    query = request.args.get("query", "")
    if chosen:
        found = [e for e in examples() if e.slug == chosen]
        if not found:
            abort(404, description=f"no example query {chosen!r}")
        query = found[0].query
    pinned = None
    if request.args.get("release"):
        pinned = rel.find_release(Path(ext.settings.store).resolve(), request.args["release"])
        if pinned is None:
            abort(404, description=f"no release {request.args['release']!r}; see /releases/")
    body = render_template("workbench.html", title="Query workbench",
                           query=query or default_query(), chosen=chosen, pinned=pinned,
                           timeout=ext.runner.timeout, cap=ext.settings.result_cap)
    return Response(body, content_type=http.PAGE.content_type)


# ------------------------------------------------------------------ 404 help

def resource_paths() -> dict[str, list[str]]:
    """Local paths of every resource (no hash IRIs), by kind (first path segment)."""
    ext = _ext()

    def make() -> dict[str, list[str]]:
        space = ext.base + "id/"
        rows = ext.store.query(
            "SELECT DISTINCT ?s WHERE { ?s a ?t FILTER(isIRI(?s) && STRSTARTS(STR(?s), "
            f'"{space}") && !CONTAINS(STR(?s), "#")) }}')
        out: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            rest = row["s"].value[len(space):]
            out[rest.partition("/")[0]].append(rest)
        return dict(out)

    return ext.cached("pages:paths", make)  # type: ignore[no-any-return]


def suggestions(path: str) -> list[dict[str, str]]:
    """Resources whose path is close to ``path`` (``/doc/...`` or ``/id/...``)."""
    for prefix in ("/doc/", "/id/"):
        if path.startswith(prefix):
            rest = path[len(prefix):]
            break
    else:
        return []
    for suffix in (".html", ".ttl", ".jsonld", ".nt", ".rdf"):
        rest = rest.removesuffix(suffix)
    paths = resource_paths()
    kind = rest.partition("/")[0]
    pool = paths.get(kind) or [p for group in paths.values() for p in group]
    close = difflib.get_close_matches(rest, pool, n=6, cutoff=0.6)
    if not close:  # e.g. the right city under the wrong country code
        last = rest.rsplit("/", 1)[-1]
        close = [p for p in pool if p.rsplit("/", 1)[-1] == last][:6]
    base = _ext().base
    names = labels({base + "id/" + p for p in close})
    return [{"href": "/doc/" + p, "text": names.get(base + "id/" + p) or p, "path": p}
            for p in close]


def kinds() -> list[tuple[str, int]]:
    return sorted((k, len(v)) for k, v in resource_paths().items())


# ------------------------------------------------------------------ wiring

@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"resource_suggestions": suggestions, "resource_kinds": kinds,
            "example_queries": examples, "license_url": LICENSE,
            "site_prefixes": PREFIXES}


@bp.after_app_request
def _security_headers(resp: Response) -> Response:
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
    return resp


def install(app: Flask) -> None:
    """Register the pages and their /doc views."""
    if special_view not in HTML_VIEWS:
        HTML_VIEWS.append(special_view)
    app.register_blueprint(bp)
    schemaorg.install(app)
