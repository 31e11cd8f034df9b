"""A query for a remote engine is parsed here first, by the parser the embedded store
uses, so that a malformed query gets the same 400 (line, column, what was expected;
query_errors.py) over every backend, and costs the engine nothing. Engines' own messages
count lines differently (the predeclared prefixes are sent before the query).

The parse runs the query on an empty in-memory store: results are lazy (nothing is
evaluated until read, and nothing is read here); an ASK on nothing is answered at once.
The query guard has refused SERVICE before this runs."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

_EMPTY = ox.Store()


def check_syntax(query: str, prefixes: Mapping[str, str] | None = None) -> None:
    """Raise SyntaxError, as the embedded store would, when ``query`` does not parse."""
    _EMPTY.query(query, prefixes=dict(prefixes or {}))
