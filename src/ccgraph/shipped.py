"""The files the package ships beside its code: ontology, shapes, gallery queries, curated data.

They live in the project's top-level folders (``ontology/``, ``shapes/``, ``queries/``,
``data/``), which pyproject.toml maps into the package as ``ccgraph.ontology``,
``ccgraph.shapes``, ``ccgraph.queries`` and ``ccgraph.data``: an installed wheel carries
them, and an editable install (``pip install -e .``) reads the folders themselves, so a
curator's edit is seen by the next build. Found with :mod:`importlib.resources`, never by a
path relative to this file.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


class NotShipped(RuntimeError):
    """The shipped files cannot be found: an install older than the mapping, or a zip."""


def _folder(package: str) -> Path:
    try:
        found = files(package)
    except ModuleNotFoundError:
        raise NotShipped(f"{package} is not installed: this install of ccgraph predates the "
                         "shipped files; install it again (`pip install -e .` in the checkout, "
                         "or `python3 dev.py setup`)") from None
    if not isinstance(found, Path) or not found.is_dir():
        raise NotShipped(f"{package} is not a folder on disk ({found}): install ccgraph with "
                         "pip (a wheel or `pip install -e .`), not as a zip file")
    return found


def ontology() -> Path:
    """The ontology's Turtle files (``ontology/*.ttl``)."""
    return _folder("ccgraph.ontology")


def shapes() -> Path:
    """The SHACL shapes (``shapes/*.ttl``)."""
    return _folder("ccgraph.shapes")


def queries() -> Path:
    """The gallery's example queries (``queries/*.rq``)."""
    return _folder("ccgraph.queries")


def data() -> Path:
    """The curated data: members and curators' tables, ``vocab/``, ``curated/``, ``gold/``,
    the sources manifest ``sources.csv``. The ``data`` setting may name another folder
    (settings.data_dir)."""
    return _folder("ccgraph.data")


def vocab() -> Path:
    """The SKOS vocabularies (``data/vocab/*.ttl``): fields, industries, themes."""
    return data() / "vocab"


def gold() -> Path:
    """The hand-annotated gold sets (``data/gold/``, conventions: docs/annotation.md)."""
    return data() / "gold"


__all__ = ["NotShipped", "data", "gold", "ontology", "queries", "shapes", "vocab"]
