"""The model stage: extraction records -> RDF, one named graph per source document.

Every resource made from a profile says where it comes from: ``prov:wasDerivedFrom`` the
profile document and ``ccg:evidence`` a span of it (see docs/model.md, Provenance).
Curated resources meet extracted ones on the same IRIs: a curated resource that names the
words a source uses for it (``ccg:mentionedAs``, or its English label) gains evidence from
every profile of a city it is linked to. A membership's evidence is never a label found in
the text: only a span that states the designation, and a year's only one that states the
year (``evidence.py``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from . import iris
from .evidence import states_designation, states_year
from .members import field_label
from .namespaces import CCG, DCTERMS, OA, ORG, PROV, RDF, RDFS, SCHEMA, SKOS, XSD
from .records import Mention, Profile, Span
from .triple_buffer import Buffer, Triples

#: schema.org class for each mention subtype; kinds without a subtype fall back per kind.
MENTION_TYPES: dict[str, URIRef] = {
    "museum": SCHEMA.Museum,
    "concert-hall": SCHEMA.MusicVenue,
    "music-venue": SCHEMA.MusicVenue,
    "theatre": SCHEMA.PerformingArtsTheater,
    "cinema": SCHEMA.MovieTheater,
    "library": SCHEMA.Library,
    "park": SCHEMA.Park,
    "university": SCHEMA.CollegeOrUniversity,
    "school": SCHEMA.School,
    "centre": SCHEMA.CivicStructure,
    "gallery": SCHEMA.Museum,
    "market": SCHEMA.Place,
    "festival": SCHEMA.Festival,
    "biennale": SCHEMA.ExhibitionEvent,
    "exhibition": SCHEMA.ExhibitionEvent,
    "fair": SCHEMA.SaleEvent,
    "forum": SCHEMA.BusinessEvent,
    "competition": SCHEMA.Event,
    "orchestra": SCHEMA.MusicGroup,
}

_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _bnode(*parts: object) -> BNode:
    """A blank node whose id is derived from its content, so dumps are stable across builds."""
    digest = hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]
    return BNode(f"b{digest}")


# the terms of every evidence, made once (a Namespace attribute makes a new URIRef each time)
_TYPE, _LABEL, _DERIVED = RDF.type, RDFS.label, PROV.wasDerivedFrom
_SPECIFIC, _SOURCE, _SELECTOR = OA.SpecificResource, OA.hasSource, OA.hasSelector
_POSITION, _START, _END = OA.TextPositionSelector, OA.start, OA.end
_QUOTE, _EXACT, _INTEGER = OA.TextQuoteSelector, OA.exact, XSD.integer


def add_evidence(g: Triples, resource: URIRef, document: URIRef, span: Span,
                 prop: URIRef = CCG.evidence) -> URIRef:
    """Link ``resource`` to the span of ``document`` that supports it (by ``prop``:
    ``ccg:evidence``, or ``ccg:yearEvidence`` for a membership's year)."""
    ev = iris.evidence(document, span.start, span.end)
    g.add((resource, _DERIVED, document))
    g.add((resource, prop, ev))
    if (ev, _TYPE, _SPECIFIC) in g:
        return ev
    position = _bnode(ev, "position")
    quote = _bnode(ev, "quote")
    g.add((ev, _TYPE, _SPECIFIC))
    g.add((ev, _LABEL, Literal(f"characters {span.start}–{span.end}", lang="en")))
    g.add((ev, _SOURCE, document))
    g.add((ev, _SELECTOR, position))
    g.add((ev, _SELECTOR, quote))
    g.add((position, _TYPE, _POSITION))
    g.add((position, _START, Literal(span.start, datatype=_INTEGER)))
    g.add((position, _END, Literal(span.end, datatype=_INTEGER)))
    g.add((quote, _TYPE, _QUOTE))
    g.add((quote, _EXACT, Literal(span.text)))
    return ev


def find_span(text: str, phrase: str, start: int = 0) -> Span | None:
    """The first whole-word occurrence of ``phrase`` in ``text`` (case-sensitive): neither
    end touches a word character (a letter, digit or underscore, as regular expressions'
    ``\\w``)."""
    if not phrase.strip():
        return None
    at = text.find(phrase, start)
    while at >= 0:
        end = at + len(phrase)
        if not (at > 0 and _word(text[at - 1])) and not (end < len(text) and _word(text[end])):
            return Span(at, end, phrase)
        at = text.find(phrase, at + 1)
    return None


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


ThemeAssigner = Callable[[str], list[URIRef]]


def field_names(vocab: Graph) -> dict[str, list[str]]:
    """Every name of each field (slug -> skos:prefLabel and skos:altLabel values, all
    languages): what a designation statement may call it ("Crafts and Folk Arts")."""
    names: dict[str, list[str]] = {}
    for concept, notation in vocab.subject_objects(SKOS.notation):
        if (concept, RDF.type, CCG.CreativeField) in vocab:
            names[str(notation)] = _unique(
                str(o) for p in (SKOS.prefLabel, SKOS.altLabel) for o in vocab.objects(concept, p))
    return names


def profile_graph(profile: Profile, cc: str, base: str = iris.DEFAULT_BASE,
                  themes: ThemeAssigner | None = None,
                  curated: Graph | None = None, into: Graph | None = None,
                  names: dict[str, list[str]] | None = None,
                  aka: Sequence[str] = ()) -> Graph:
    """The named graph of one profile document (its IRI is iris.profile_graph(...)).

    Triples go into ``into`` when given (e.g. a graph of a Dataset), else a new Graph.
    They are gathered first and added in one go. ``names`` (see :func:`field_names`)
    gives the names a designation statement may use for each field; by default the
    English label made from the slug. ``aka``: other names of the city that a designation
    statement may use (its aliases, published as ``ccg:mentionedAs``)."""
    g = profile_triples(profile, cc, base, themes, curated, names, aka)
    target = Graph() if into is None else into
    if len(target):  # a graph with triples already: keep Graph.add's set semantics
        for triple in g:
            target.add(triple)
        return target
    return g.into(target)


def profile_triples(profile: Profile, cc: str, base: str = iris.DEFAULT_BASE,
                    themes: ThemeAssigner | None = None,
                    curated: Graph | None = None,
                    names: dict[str, list[str]] | None = None,
                    aka: Sequence[str] = ()) -> Buffer:
    """The triples of :func:`profile_graph`, each once, in the order they were made."""
    if profile.field is None:
        raise ValueError(f"{profile.source}: the profile names no creative field")
    city_name, field_slug = profile.city, profile.field
    g = Buffer()
    doc = iris.profile(cc, city_name, field_slug, base)
    city = iris.city(cc, city_name, base)
    field = iris.field(field_slug, base)
    membership = iris.membership(cc, city_name, field_slug, base)
    label = f"{city_name}, {field_label(field_slug)}"

    g.add((doc, RDF.type, CCG.ProfileDocument))
    g.add((doc, RDFS.label, Literal(f"UNESCO profile of {label}", lang="en")))
    g.add((doc, SCHEMA.text, Literal(profile.text)))
    g.add((doc, CCG.sha256, Literal(sha256(profile.text))))
    g.add((doc, CCG.describes, city))
    if profile.url:
        g.add((doc, SCHEMA.url, URIRef(profile.url)))
    if profile.retrieved:
        g.add((doc, DCTERMS.date, Literal(profile.retrieved.isoformat(), datatype=XSD.date)))

    g.add((city, RDF.type, CCG.CreativeCity))
    g.add((city, RDFS.label, Literal(city_name, lang="en")))
    g.add((city, CCG.countryCode, Literal(cc.upper())))
    g.add((city, SCHEMA.containedInPlace, iris.country(cc, base)))
    g.add((city, CCG.membership, membership))
    name_span = find_span(profile.text, city_name)
    if name_span is not None:
        add_evidence(g, city, doc, name_span)

    g.add((membership, RDF.type, CCG.Membership))
    g.add((membership, RDFS.label, Literal(label, lang="en")))
    g.add((membership, ORG.member, city))
    g.add((membership, ORG.organization, iris.network(base)))
    g.add((membership, CCG.field, field))
    # Evidence only where the span proves the claim (see evidence.py): the intro sentence
    # when it names the city and the field as a designation; "Member since:" when it holds
    # the year. Otherwise the statement rests on its dcterms:source (the members table).
    called = (names or {}).get(field_slug) or [field_label(field_slug)]
    if profile.intro is not None and states_designation(profile.intro.text,
                                                        (city_name, *aka), called):
        add_evidence(g, membership, doc, profile.intro)
    if profile.member_since is not None:
        year = _YEAR.search(profile.member_since.text)
        if year and states_year(profile.member_since.text, year.group(1)):
            g.add((membership, CCG.yearDesignated, Literal(year.group(1), datatype=XSD.gYear)))
            add_evidence(g, membership, doc, profile.member_since, CCG.yearEvidence)

    for pledge in profile.pledges:
        c = iris.commitment(cc, city_name, field_slug, pledge.position, base)
        g.add((c, RDF.type, CCG.Commitment))
        g.add((c, RDFS.label, Literal(f"{label}, pledge {pledge.position}", lang="en")))
        g.add((c, CCG.commitmentOf, city))
        g.add((c, CCG.field, field))
        g.add((c, CCG.position, Literal(pledge.position, datatype=XSD.integer)))
        g.add((c, SCHEMA.text, Literal(pledge.span.text, lang="en")))
        for theme in themes(pledge.span.text) if themes else []:
            g.add((c, CCG.theme, theme))
        add_evidence(g, c, doc, pledge.span)

    if profile.contact is not None:
        _add_contact(g, profile, cc, city, doc, base)

    for report_span in profile.monitoring_reports:
        year = _YEAR.search(report_span.text)
        if not year:
            continue
        r = iris.report(cc, city_name, field_slug, int(year.group(1)), base)
        g.add((city, CCG.monitoringReport, r))
        g.add((r, RDF.type, CCG.MonitoringReport))
        g.add((r, RDFS.label, Literal(f"Monitoring report {year.group(1)}, {label}", lang="en")))
        g.add((r, CCG.year, Literal(year.group(1), datatype=XSD.gYear)))
        add_evidence(g, r, doc, report_span)

    for mention in profile.mentions:
        _add_mention(g, mention, cc, city_name, city, doc, base)

    if curated is not None:
        add_curated_evidence(g, curated, city, doc, profile.text)
    return g


def _add_contact(g: Triples, profile: Profile, cc: str, city: URIRef, doc: URIRef,
                 base: str) -> None:
    contact = profile.contact
    assert contact is not None and profile.field is not None
    node = iris.contact(cc, profile.city, profile.field, base)
    g.add((city, CCG.contactPoint, node))
    g.add((node, RDF.type, SCHEMA.ContactPoint))
    g.add((node, RDFS.label, Literal(
        f"Contact for {profile.city}, {field_label(profile.field)}", lang="en")))
    for prop, part in ((SCHEMA.name, contact.name), (SCHEMA.jobTitle, contact.job_title),
                       (CCG.department, contact.department), (SCHEMA.email, contact.email)):
        if part is not None:
            g.add((node, prop, Literal(part.text)))
    add_evidence(g, node, doc, contact.line)


def _add_mention(g: Triples, mention: Mention, cc: str, city_name: str, city: URIRef,
                 doc: URIRef, base: str) -> None:
    label = Literal(mention.label, lang="en")
    extra = MENTION_TYPES.get(mention.subtype or "")
    node: URIRef
    if mention.kind == "facility":
        node = iris.facility(cc, city_name, mention.label, base)
        g.add((node, RDF.type, CCG.Facility))
        g.add((node, CCG.locatedIn, city))
        g.add((node, RDF.type, extra or SCHEMA.Place))
    elif mention.kind == "event":
        node = iris.event(cc, city_name, mention.label, base)
        g.add((node, RDF.type, CCG.Event))
        g.add((node, CCG.locatedIn, city))
        if extra is not None:
            g.add((node, RDF.type, extra))
    elif mention.kind == "organisation":
        node = iris.creator(mention.label, base)
        g.add((node, RDF.type, CCG.Creator))
        g.add((node, RDF.type, extra or SCHEMA.Organization))
        g.add((node, CCG.basedIn, city))
    else:
        raise ValueError(f"unknown mention kind {mention.kind!r}")
    g.add((node, RDFS.label, label))
    add_evidence(g, node, doc, mention.span)
    for alias in mention.aliases:  # an acronym, a translation: the same resource
        if alias.text != mention.label:
            g.add((node, SKOS.altLabel, Literal(alias.text)))
        add_evidence(g, node, doc, alias)


#: Properties that tie a curated resource to a city, in either direction.
_CITY_LINKS = (CCG.locatedIn, CCG.basedIn, CCG.originatedIn, CCG.commitmentOf, CCG.industry,
               ORG.member, CCG.contactPoint)


def linked_to_city(curated: Graph, city: URIRef) -> set[Node]:
    """Curated resources linked to ``city``: itself, and what points at it or it points at."""
    found: set[Node] = {city}
    for prop in _CITY_LINKS:
        found.update(curated.subjects(prop, city))
        found.update(curated.objects(city, prop))
    # one more hop: a museum inside a park located in the city; a work's creator
    for node in list(found):
        found.update(curated.subjects(SCHEMA.containedInPlace, node))
        found.update(curated.objects(node, SCHEMA.creator))
    return found


def add_curated_evidence(g: Triples, curated: Graph, city: URIRef, doc: URIRef,
                         text: str) -> None:
    """Evidence for curated resources: where the profile uses the words they name."""
    for resource in linked_to_city(curated, city):
        if not isinstance(resource, URIRef) or resource == city:
            continue
        if (resource, RDF.type, CCG.Membership) in curated:
            # a membership's label ("Sapporo, Media Arts") found in the text proves nothing:
            # its evidence is a designation statement, found by profile_graph
            continue
        phrases = [str(o) for o in curated.objects(resource, CCG.mentionedAs)]
        if not phrases:
            phrases = [str(o) for o in curated.objects(resource, RDFS.label)
                       if isinstance(o, Literal) and o.language == "en"]
        for phrase in _unique(phrases):
            span = find_span(text, phrase)
            if span is not None:
                add_evidence(g, resource, doc, span)


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
