"""Pushing the result cap into a SELECT query as a ``LIMIT`` (``serve --backend``).

Over a remote engine the endpoint asks for at most ``cap + 1`` solutions, so that the
engine stops early and a capped answer is still recognised as truncated (a row more than
the cap came back). Wrapping the query (``SELECT * WHERE { { query } } LIMIT n``) is not
equivalent: a subquery cannot carry a prologue or a dataset clause, and the order of a
subquery's ORDER BY is not kept by the query around it. So the query's own top-level
solution modifiers are edited instead, with the lexer of :mod:`query_guard` (strings, IRIs,
comments and variables are whole tokens, so no ``LIMIT`` inside them is seen):

* a top-level ``LIMIT m`` (brace depth 0) becomes ``LIMIT min(m, n)``;
* otherwise ``LIMIT n`` goes after the other solution modifiers (GROUP BY, HAVING,
  ORDER BY, OFFSET: ``OFFSET k LIMIT n`` is valid) and before a trailing ``VALUES`` block,
  the only thing the grammar allows after them.

Engines may refuse a limit: Virtuoso 7.2 refuses a sorted one above its
``MaxSortedTopRows`` (10000 by default: "Sorted TOP clause specifies more then 10001
rows"). The remote store then sends the query as given, and stops limiting queries of that
kind (:func:`kind`: sorted or not).

Only SELECT is limited: a CONSTRUCT's cap counts triples, and one solution gives any
number of them (none, when the template's variables are unbound), so a LIMIT on solutions
could hide a truncation. ASK has one answer.
"""

from __future__ import annotations

import re

from .query_guard import TOKEN

DIGITS = re.compile(r"(?:\s+|#[^\n\r]*)*(\d+)")


def _top_level_words(query: str) -> list[tuple[str, int, int]]:
    """The keywords at brace depth 0 (outside the WHERE clause and any group), with their
    positions."""
    depth = 0
    out = []
    for match in TOKEN.finditer(query):
        kind, text = match.lastgroup, match.group()
        if kind == "other" and text == "{":
            depth += 1
        elif kind == "other" and text == "}":
            depth -= 1
        elif kind == "word" and depth == 0:
            out.append((text.upper(), match.start(), match.end()))
    return out


def kind(query: str) -> str:
    """``sorted`` for a query with a top-level ORDER BY, else ``plain``."""
    return "sorted" if any(w == "ORDER" for w, _, _ in _top_level_words(query)) else "plain"


def limited(query: str, limit: int) -> str:
    """``query`` (a SELECT, already checked by the guard) asking for at most ``limit``
    solutions; the same solutions in the same order as its first ``limit`` ones."""
    values_at: int | None = None
    limit_end: int | None = None
    for word, start, end in _top_level_words(query):
        if word == "VALUES":
            values_at = start
        elif word == "LIMIT":
            limit_end = end
    if limit_end is not None:
        number = DIGITS.match(query, limit_end)
        if number is None:  # the engine reports the syntax error
            return query
        if int(number.group(1)) <= limit:
            return query
        return query[:number.start(1)] + str(limit) + query[number.end(1):]
    at = len(query) if values_at is None else values_at
    return query[:at] + f"\nLIMIT {limit}\n" + query[at:]
