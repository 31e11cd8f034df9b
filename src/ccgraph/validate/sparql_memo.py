"""A patch of rdflib for the length of a validation: each distinct SPARQL text is parsed
and translated once (:func:`remembered_sparql`)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

_translate_lock = threading.Lock()


@contextlib.contextmanager
def remembered_sparql(memo: dict[Any, Any] | None = None) -> Iterator[None]:
    """While inside, rdflib parses and translates each distinct SPARQL text once (across
    calls too when the caller passes the same ``memo`` dict each time).

    pyshacl asks the same constraint query once per focus node (``$this`` goes in as an
    initial binding, the text does not change) and rdflib parses it every time: ~25 ms a
    parse, the largest cost of a SPARQL constraint with a few dozen focus nodes. A
    translated query is reusable with other bindings (rdflib's own prepareQuery relies on
    that), so the cache changes no answer."""
    from rdflib.plugins.sparql import processor
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    original = processor.SPARQLProcessor.query
    if memo is None:
        memo = {}

    def query(self: Any, strOrQuery: Any, initBindings: Any = None,
              initNs: Any = None, base: str | None = None, DEBUG: bool = False) -> Any:
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            translated = memo.get(key)
            if translated is None:
                translated = translateQuery(parseQuery(strOrQuery), base, initNs)
                memo[key] = translated
            strOrQuery = translated
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    with _translate_lock:
        processor.SPARQLProcessor.query = query  # type: ignore[method-assign]
        try:
            yield
        finally:
            processor.SPARQLProcessor.query = original  # type: ignore[method-assign]
