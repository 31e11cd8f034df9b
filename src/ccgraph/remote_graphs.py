"""ccgraph's own queries to a remote engine with their graphs filtered in the query, not
listed in the request (``serve --backend``; remote_dataset.py says why a list is needed
for the clients' queries).

The dataset asked for with ``GRAPH`` is the engine's named graphs less the union graph and
the engine's graphs that are not the dataset's. Listing the 357 named graphs of the network
build with ``named-graph-uri`` made Oxigraph server look every bound subject up in each of
them: the first query of a ``/doc`` page took 2.9 s, and 0.18 s sent with no dataset and
``FILTER(?g NOT IN (<union>))`` after its ``GRAPH ?g { … }`` groups (the same 231 rows;
median of 5, load average 8.6); 18 ``/doc`` pages (Turtle and HTML of 9 resources) took
11.7 s instead of 67.9 s (median of 3 rounds alternating, load average 11.8). Virtuoso
keeps its ``input:named-graph-exclude`` pragmas (remote_dataset.py): filtered, that query
alone ran faster (1.4 s against 3.9 s, load average 16), but the 18 pages slower (54.7 s
against 42.4 s, load average 14.5), so its ``Dataset`` names no ``excluded``.

:func:`filtered` rewrites a query whose every ``GRAPH`` is a variable's (the shapes of
web/describe.py and remote_store.py): each ``GRAPH ?v { … }`` group is followed by
``FILTER(?v NOT IN (…excluded…))``, which keeps the same solutions as the dataset whose
named graphs are the engine's less those excluded. A query of any other shape (``GRAPH
<iri>``, a brace it cannot match) gets None: it is sent with the dataset listed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

GRAPH_WORD = re.compile(r"\bGRAPH\b", re.IGNORECASE)
GRAPH_VARIABLE = re.compile(r"\bGRAPH\s+[?$]([A-Za-z_][A-Za-z0-9_]*)\s*\{", re.IGNORECASE)
IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
#: most engine graphs outside the dataset that a filter names (else the dataset is listed)
MAX_EXCLUDED = 50


def filtered(query: str, excluded: Sequence[str]) -> str | None:
    """``query`` with a ``FILTER(?v NOT IN (excluded))`` after each of its ``GRAPH ?v { … }``
    groups, or None when one of its ``GRAPH`` is not of that shape or ``excluded`` is empty
    or too long."""
    if not excluded or len(excluded) > MAX_EXCLUDED:
        return None
    words = GRAPH_WORD.findall(query)
    groups = list(GRAPH_VARIABLE.finditer(query))
    if not words or len(groups) != len(words):
        return None
    names = ", ".join(f"<{g}>" for g in excluded)
    inserts: list[tuple[int, str]] = []
    for group in groups:
        end = _closing(query, group.end())
        if end is None:
            return None
        inserts.append((end + 1, f" FILTER(?{group.group(1)} NOT IN ({names}))"))
    out = query
    for at, text in sorted(inserts, reverse=True):
        out = out[:at] + text + out[at:]
    return out


def _closing(text: str, i: int) -> int | None:
    """The index of the ``}`` that closes the ``{`` just before ``i`` (IRIs and strings
    skipped)."""
    depth = 1
    while i < len(text):
        c = text[i]
        if c == "<" and (iri := IRI.match(text, i)) is not None:
            i = iri.end()
            continue
        if c == '"' and (string := STRING.match(text, i)) is not None:
            i = string.end()
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None
