"""A researcher's client: ``ccgraph query SPARQL [--endpoint URL] [--format table|csv|json]``.

Works against any SPARQL 1.1 endpoint (SPARQLWrapper). SELECT and ASK answers come as a
text table, CSV or SPARQL-results JSON; CONSTRUCT and DESCRIBE answers as Turtle (table,
csv) or JSON-LD (json).
"""

from __future__ import annotations

import json
from typing import Any

from SPARQLWrapper import (
    CONSTRUCT,
    CSV,
    DESCRIBE,
    GET,
    JSON,
    JSONLD,
    POST,
    TURTLE,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from . import __version__
from .namespaces import PREFIXES
from .settings import Settings

FORMATS = ("table", "csv", "json")
LONG_QUERY = 1500  # characters; longer queries are POSTed
TIMEOUT = 60


class QueryFailed(Exception):
    """The endpoint refused or failed the query; the message is the endpoint's."""


def default_endpoint(settings: Settings | None = None) -> str:
    s = settings or Settings.load()
    host = "127.0.0.1" if s.host in ("0.0.0.0", "::", "") else s.host
    return f"http://{host}:{s.port}/sparql"


def run_query(endpoint: str | None, query: str, fmt: str = "table") -> str:
    """Send ``query`` to ``endpoint`` and return the answer as text in ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    sw = SPARQLWrapper(endpoint or default_endpoint(), agent=f"ccgraph-client/{__version__}")
    sw.setQuery(query)
    sw.setOnlyConneg(True)
    sw.setTimeout(TIMEOUT)
    sw.setMethod(POST if len(query) > LONG_QUERY else GET)
    kind = sw.queryType
    graph_query = kind in (CONSTRUCT, DESCRIBE)
    if graph_query:
        sw.setReturnFormat(JSONLD if fmt == "json" else TURTLE)
    elif fmt == "csv":
        sw.setReturnFormat(CSV)
    else:
        sw.setReturnFormat(JSON)
    try:
        result = sw.query()
        try:
            body = result.response.read()
        finally:
            result.response.close()
    except SPARQLWrapperException as exc:
        raise QueryFailed(_message(exc)) from None
    except OSError as exc:  # urllib: refused connections, other HTTP errors
        detail = exc.read().decode("utf-8", "replace") if hasattr(exc, "read") else ""
        raise QueryFailed(f"{endpoint}: {exc} {detail}".strip()) from None
    text = body.decode("utf-8")
    if not graph_query and fmt == "table":
        text = render_table(json.loads(text))
    return text if text.endswith("\n") else text + "\n"


def _message(exc: SPARQLWrapperException) -> str:
    text = str(exc)
    return text.replace("\\n", "\n")


def _cell(term: dict[str, Any] | None) -> str:
    if term is None:
        return ""
    value = str(term.get("value", ""))
    if term.get("type") == "uri":
        for prefix, ns in PREFIXES.items():
            if value.startswith(ns) and len(value) > len(ns):
                return f"{prefix}:{value[len(ns):]}"
        return f"<{value}>"
    if term.get("type") == "bnode":
        return "_:" + value
    if "xml:lang" in term:
        return f"{value}@{term['xml:lang']}"
    return value


def render_table(doc: dict[str, Any]) -> str:
    """SPARQL-results JSON as an aligned text table (or true/false for ASK)."""
    if "boolean" in doc:
        return "true" if doc["boolean"] else "false"
    names: list[str] = doc.get("head", {}).get("vars", [])
    rows = [[_cell(b.get(n)) for n in names] for b in doc.get("results", {}).get("bindings", [])]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = [" | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip(),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)
