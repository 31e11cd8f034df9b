"""The one module that mints ccgraph IRIs (see docs/design.md, Identifiers).

IRIs are derived from slugs only, so they are stable across rebuilds. The base is
configurable at build time; every function takes it as an optional argument.
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import URIRef

DEFAULT_BASE = "https://w3id.org/ccgraph/"

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """NFKD, strip diacritics, lowercase ASCII, runs of other characters to ``-``.

    >>> slugify("Łódź – Film")
    'lodz-film'
    >>> slugify("São João del-Rei")
    'sao-joao-del-rei'
    """
    # Letters that NFKD does not decompose into ASCII + combining mark.
    text = text.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_only = ascii_only.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_SLUG.sub("-", ascii_only).strip("-")
    if not slug:
        raise ValueError(f"cannot make a slug from {text!r}: no letters or digits")
    return slug


_SPECIAL = str.maketrans({
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae",
    "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
})


def _cc(country_code: str) -> str:
    code = country_code.strip().lower()
    if not re.fullmatch(r"[a-z]{2}", code):
        raise ValueError(f"not an ISO 3166-1 alpha-2 code: {country_code!r}")
    return code


def _iri(base: str, path: str) -> URIRef:
    if not base.endswith("/"):
        base += "/"
    return URIRef(base + path)


def city(cc: str, name: str, base: str = DEFAULT_BASE) -> URIRef:
    return _iri(base, f"id/city/{_cc(cc)}/{slugify(name)}")


class _ByName:
    """IRIs of things known by their name alone: ``{path}/{slug of name}``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __call__(self, name: str, base: str = DEFAULT_BASE) -> URIRef:
        return _iri(base, f"{self.path}/{slugify(name)}")


creator = _ByName("id/creator")
work = _ByName("id/work")
field = _ByName("id/field")  # a creative field (SKOS concept)
industry = _ByName("id/industry")
theme = _ByName("id/theme")


class _InCity:
    """IRIs of things of a member city: ``{path}/{cc}/{slug of the city}/{slug of name}``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __call__(self, cc: str, city_name: str, name: str, base: str = DEFAULT_BASE) -> URIRef:
        return _iri(base, f"{self.path}/{_cc(cc)}/{slugify(city_name)}/{slugify(name)}")


facility = _InCity("id/facility")
event = _InCity("id/event")


class _OfMembership:
    """IRIs of a city's membership in a field and what hangs on it:
    ``{path}/{cc}/{slug of the city}/{slug of the field}``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __call__(self, cc: str, name: str, field: str, base: str = DEFAULT_BASE) -> URIRef:
        return _iri(base, f"{self.path}/{_cc(cc)}/{slugify(name)}/{slugify(field)}")


membership = _OfMembership("id/membership")
profile = _OfMembership("id/profile")  # the profile document
contact = _OfMembership("id/contact")
profile_graph = _OfMembership("graph/profile")  # the named graph made from the profile


def commitment(cc: str, name: str, field: str, position: int, base: str = DEFAULT_BASE) -> URIRef:
    if position < 1:
        raise ValueError(f"pledge positions start at 1, not {position}")
    return _iri(base, f"id/commitment/{_cc(cc)}/{slugify(name)}/{slugify(field)}/{position}")


def scheme(kind: str, base: str = DEFAULT_BASE) -> URIRef:
    """The SKOS concept scheme ``id/field``, ``id/industry`` or ``id/theme``."""
    return _iri(base, f"id/{slugify(kind)}")


def country(cc: str, base: str = DEFAULT_BASE) -> URIRef:
    return _iri(base, f"id/country/{_cc(cc)}")


def network(base: str = DEFAULT_BASE) -> URIRef:
    return _iri(base, "id/org/uccn")


def evidence(document: URIRef, start: int, end: int) -> URIRef:
    """A span of a source document, as an RFC 5147 fragment of the document's IRI."""
    if not 0 <= start <= end:
        raise ValueError(f"bad span {start}..{end}")
    return URIRef(f"{document}#char={start},{end}")


def report(cc: str, name: str, field: str, year: int, base: str = DEFAULT_BASE) -> URIRef:
    return _iri(base, f"id/report/{_cc(cc)}/{slugify(name)}/{slugify(field)}/{year}")


def graph(name: str, base: str = DEFAULT_BASE) -> URIRef:
    """Named graphs: ``ontology``, ``vocab``, ``curated``, ``members``, ``void``."""
    return _iri(base, f"graph/{name}")


def dataset(base: str = DEFAULT_BASE) -> URIRef:
    return _iri(base, "id/dataset")


def near_duplicate(kind: str, a: str, b: str, base: str = DEFAULT_BASE) -> URIRef:
    """A pair of near-duplicate passages: ``id/near-duplicate/{kind}/{a}--{b}``, ``a`` and
    ``b`` the slugs of the two passages (``pt-leiria-music-1``) in sorted order, so the pair
    has one IRI whichever way round it is named."""
    first, second = sorted((slugify(a), slugify(b)))
    return _iri(base, f"id/near-duplicate/{slugify(kind)}/{first}--{second}")


def activity(name: str, base: str = DEFAULT_BASE) -> URIRef:
    """A process of the build that made data (``prov:Activity``): ``id/activity/{name}``."""
    return _iri(base, f"id/activity/{slugify(name)}")


# --- Outside the dataset: the link targets (see links.py) ------------------------------------

GEONAMES = "https://sws.geonames.org/"
WIKIDATA = "http://www.wikidata.org/entity/"


def geonames(geonames_id: int) -> URIRef:
    """A GeoNames feature, as GeoNames' own linked-data IRI: ``https://sws.geonames.org/{id}/``."""
    if geonames_id <= 0:
        raise ValueError(f"not a GeoNames id: {geonames_id}")
    return URIRef(f"{GEONAMES}{geonames_id}/")


def wikidata(qid: str) -> URIRef:
    """A Wikidata entity: ``http://www.wikidata.org/entity/Q…`` (the concept IRI, not the page)."""
    if not re.fullmatch(r"Q[1-9][0-9]*", qid):
        raise ValueError(f"not a Wikidata id: {qid!r}")
    return URIRef(f"{WIKIDATA}{qid}")


def coordinates(cc: str, name: str, base: str = DEFAULT_BASE) -> URIRef:
    """A member city's coordinates (``schema:GeoCoordinates``): ``id/city/{cc}/{slug}#geo``."""
    return URIRef(f"{city(cc, name, base)}#geo")


def linkset(target: str, base: str = DEFAULT_BASE) -> URIRef:
    """A VoID linkset of the dataset to one target: ``id/dataset#linkset-{target}``."""
    return URIRef(f"{dataset(base)}#linkset-{slugify(target)}")


def profile_for_graph(graph_iri: str, base: str = DEFAULT_BASE) -> URIRef | None:
    """The profile document a ``graph/profile/…`` graph describes (None for other graphs)."""
    prefix = str(graph("profile", base)) + "/"
    if not graph_iri.startswith(prefix):
        return None
    return _iri(base, "id/profile/" + graph_iri[len(prefix):])


def release(name: str, base: str = DEFAULT_BASE) -> URIRef:
    """A release of the dataset (``ccgraph release --name NAME``)."""
    return _iri(base, f"release/{name}")
