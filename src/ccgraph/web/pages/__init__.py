"""The human way in: the home page, field and city pages, the source view of a profile, the
query workbench, and helpful 404s.

Field, city and profile pages are the HTML of their ``/doc/...`` resources: ``create_app``
registers :data:`HTML_VIEWS` on the app's state, and ``resources.py`` asks them before it
falls back on the generic description. Every page reads the store with a few SPARQL
queries, kept in one query module per page (``home_queries``, ``field_queries``,
``city_queries``; the profile page's two at the top of ``profile.py``); pages about the whole
dataset (home, fields) are cached per process, which holds one build, so the cache follows
the build version. Templates escape everything from the data (Jinja2 autoescape); charts
are SVG drawn by :mod:`..charts`. The pages' security headers are set with the app's other
headers (``http.py``).
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Flask

from ...namespaces import PREFIXES
from .. import schemaorg
from ..resources import Description
from ..state import HtmlView
from . import home, workbench
from .city import city_page
from .data import CCG
from .field import field_doc_page
from .home import LICENSE
from .notfound import kinds, suggestions
from .profile import EvidenceHighlight, profile_page, segments
from .workbench import examples

__all__ = ["BLUEPRINTS", "HTML_VIEWS", "EvidenceHighlight", "install", "segments", "special_view"]


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


#: the HTML views of particular kinds of resource, for the app's state
HTML_VIEWS: tuple[HtmlView, ...] = (special_view,)
BLUEPRINTS: tuple[Blueprint, ...] = (home.bp, workbench.bp)


def _helpers() -> dict[str, Any]:
    return {"resource_suggestions": suggestions, "resource_kinds": kinds,
            "example_queries": examples, "license_url": LICENSE,
            "site_prefixes": PREFIXES}


def install(app: Flask) -> None:
    """The templates' helpers: 404 suggestions, example queries, schema.org data blocks."""
    app.context_processor(_helpers)
    schemaorg.install(app)
