"""The query deadline carried to a remote engine (``ccgraph serve --backend``), and the
answers that must never pass for complete ones.

ccgraph gives a query ``query_timeout`` seconds and answers 503 when they are over; the
engine should stop working on it then too, and an engine that stops a query early must not
have its part of an answer served as the whole. Measured with the engines the tests run
(docs/deployment.md, "What happens to a query ccgraph gives up"):

* Virtuoso 7.2 takes a ``timeout`` form field (milliseconds, capped by its ini's
  ``MaxQueryExecutionTime``): at that deadline it stops the query ("anytime" query) and
  answers HTTP 200 (206 in later versions) with what it found so far and the headers
  ``X-SQL-State: S1TAT`` and ``X-SQL-Message``. :func:`incomplete` says so, and the store
  raises EngineTimeout (a 503, as when the embedded store runs out of time).
* Virtuoso's SPARQL compiler substitutes every ``BIND`` variable into the expressions that
  use it, so a chain of BINDs that each use the previous one twice (gallery query 23's
  Newton steps) compiles for hours, the anytime deadline does not interrupt compiling, and
  the engine answers no other query meanwhile (measured on query 23 cut short: 2,295
  substituted terms compiled in 1.4 s, 4,663 in 5.3 s, 9,399 in 21 s, 18,871 in more than
  40 s -- the whole query has 1.2 million; a simple SELECT got no answer in 30 s).
  :func:`inlined_terms` counts the terms such substitution makes; the store refuses to
  send a query over
  :data:`VIRTUOSO_MAX_INLINED` to Virtuoso (EngineTimeout, before anything is sent).
* Oxigraph server has no per-request deadline: ``oxigraph serve --timeout-s N`` cancels the
  queries running longer than N s where its evaluation checks for it -- while it streams
  the answer, which then ends in the middle with "The SPARQL operation has been cancelled"
  under HTTP 200 (:data:`OXIGRAPH_CANCELLED`) -- but not inside an aggregate over a huge
  join, and a closed connection stops nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import Message

#: the form field that gives Virtuoso its deadline, in milliseconds
VIRTUOSO_TIMEOUT = "timeout"
#: the smallest deadline Virtuoso takes as one (its "anytime" timeouts start at 1 s)
VIRTUOSO_MIN_MS = 1000
#: how Oxigraph server ends an answer it cancelled at its ``--timeout-s``
OXIGRAPH_CANCELLED = b"The SPARQL operation has been cancelled"
#: most terms of an expression after Virtuoso substitutes the BIND variables it uses (4,663
#: compiled in 5.3 s, 9,399 in 21 s: above the default 10 s deadline)
VIRTUOSO_MAX_INLINED = 5_000

BIND_START = re.compile(r"\bBIND\s*\(", re.IGNORECASE)
BIND_AS = re.compile(r"\bAS\s*[?$]([A-Za-z0-9_\u00b7-\uffff]+)\s*$", re.IGNORECASE)
VARIABLE = re.compile(r"[?$]([A-Za-z0-9_\u00b7-\uffff]+)")


def incomplete(status: int, headers: Message, body: bytes) -> str | None:
    """Why an engine's successful answer is not the whole answer, or None when it is."""
    state = headers.get("X-SQL-State")
    if state:
        message = " ".join((headers.get("X-SQL-Message") or "").split())[:200]
        return (f"the engine stopped the query at its deadline and answered only part of it "
                f"({state}: {message})")
    if status == 206:
        return "the engine answered only part of the query (206 Partial Content)"
    if body.rstrip().endswith(OXIGRAPH_CANCELLED):
        return "the engine cancelled the query at its timeout in the middle of its answer"
    return None


def inlined_terms(query: str) -> int:
    """The most terms of a ``BIND`` expression once every variable an earlier BIND gave is
    replaced by that BIND's expression (what Virtuoso's compiler does); 0 without BIND."""
    sizes: dict[str, int] = {}
    for expression, variable in binds(query):
        sizes[variable] = 1 + sum(sizes.get(name, 1) for name in VARIABLE.findall(expression))
    return max(sizes.values(), default=0)


def binds(query: str) -> Iterator[tuple[str, str]]:
    """``(expression, variable)`` of each ``BIND(expression AS ?variable)``, in order."""
    for start in BIND_START.finditer(query):
        end = _closing(query, start.end())
        if end is None:
            return
        inner = query[start.end():end]
        found = BIND_AS.search(inner)
        if found is not None:
            yield inner[:found.start()], found.group(1)


def _closing(text: str, i: int) -> int | None:
    """The index of the parenthesis that closes the one before ``i`` (strings skipped)."""
    depth = 1
    quote = ""
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None
