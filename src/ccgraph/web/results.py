"""SPARQL answers as bytes: boolean and solution answers written by pyoxigraph in every
result format (:func:`results_bytes`; the SPARQL JSON of answers too large to hold is
streamed in pieces by :func:`results_json_chunks`), graphs through :func:`serialize_triples`;
a capped answer says so in the body where the format has room."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

import pyoxigraph as ox

from ..formats import Format
from .rdfbody import serialize_triples
from .runner import Outcome, rows_of

STREAM_CHUNK = 500


def term_json(term: Any) -> dict[str, Any]:
    """A term in the SPARQL 1.1 Query Results JSON format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def _dumps(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def results_json_chunks(outcome: Outcome, chunk: int = STREAM_CHUNK,
                        link: str | None = None) -> Iterator[bytes]:
    """SPARQL JSON results in pieces of ``chunk`` rows; joined, they are results_json.
    ``link``: an IRI for the ``head`` (said when the answer was capped)."""
    if outcome.kind == "boolean":
        yield _dumps({"head": {}, "boolean": outcome.boolean})
        return
    names = outcome.variables
    head: dict[str, Any] = {"vars": names}
    if link is not None:
        head["link"] = [link]
    yield b'{"head":' + _dumps(head) + b',"results":{"bindings":['
    rows = rows_of(outcome).rows
    for start in range(0, len(rows), chunk):
        bindings = [{name: term_json(value) for name, value in zip(names, row, strict=True)
                     if value is not None} for row in rows[start:start + chunk]]
        piece = _dumps(bindings)[1:-1]
        yield (b"," + piece) if start and piece else piece
    yield b"]}}"


def results_json(outcome: Outcome, link: str | None = None) -> bytes:
    return b"".join(results_json_chunks(outcome, link=link))


def serialize_outcome(outcome: Outcome, fmt: Format, base: str,
                      cap_link: str | None = None) -> bytes:
    """The answer in ``fmt``; ``cap_link`` (for a capped answer) goes into the body where
    the format has room for it."""
    link = cap_link if outcome.truncated else None
    if outcome.kind == "triples":
        body = serialize_triples(outcome.triples, fmt, base)
        if link is not None and fmt.name in ("ttl", "nt"):
            note = (f"# Truncated: only the first {len(outcome.triples)} triples of the answer; "
                    f"see <{link}>\n")
            body = note.encode("utf-8") + body
        return body
    assert isinstance(fmt.oxigraph, ox.QueryResultsFormat)
    if outcome.tsv is not None:  # written by pyoxigraph already (runner.execute_select)
        out = outcome.tsv if fmt.oxigraph == ox.QueryResultsFormat.TSV else bytes(
            ox.parse_query_results(outcome.tsv, format=ox.QueryResultsFormat.TSV)
            .serialize(format=fmt.oxigraph) or b"")
    else:
        out = results_bytes(outcome, fmt.oxigraph)
    if link is not None and fmt.name == "xml":
        out = _xml_head_link(out, link)
    elif link is not None and fmt.name == "json":
        out = _json_head_link(out, link)
    return out


def _tsv_cell(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):  # pyoxigraph's TSV parser reads no triple terms
        raise _NotTsv
    return str(term)


class _NotTsv(Exception):
    pass


def results_bytes(outcome: Outcome, fmt: ox.QueryResultsFormat) -> bytes:
    """A boolean or solutions outcome serialised by pyoxigraph in ``fmt``.

    The rows already pulled (and capped) in Python are written once as SPARQL TSV, one
    ``str()`` per term (pyoxigraph prints terms in N-Triples syntax, which TSV takes, with
    tabs and newlines escaped), and pyoxigraph parses that and writes ``fmt``: no per-term
    dictionaries, no ``json.dumps``, no second JSON parse."""
    parsed: Any = None
    if outcome.kind == "solutions" and outcome.variables:
        cell = _tsv_cell
        lines = ["\t".join("?" + name for name in outcome.variables)]
        try:
            lines.extend(["\t".join(map(cell, row)) for row in outcome.rows])
        except _NotTsv:
            pass
        else:
            data = ("\n".join(lines) + "\n").encode("utf-8")
            parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV)
    if parsed is None:
        # ASK, a row without variables (TSV cannot write either), triple terms: via JSON
        parsed = ox.parse_query_results(results_json(outcome),
                                        format=ox.QueryResultsFormat.JSON)
    out = parsed.serialize(format=fmt)
    assert out is not None
    return bytes(out)


def _json_head_link(data: bytes, link: str) -> bytes:
    """SPARQL JSON results with ``"link": [link]`` in ``head``."""
    element = b'"link":' + _dumps([link])
    if data.startswith(b'{"head":{}'):
        return data.replace(b'{"head":{}', b'{"head":{' + element + b"}", 1)
    assert data.startswith(b'{"head":{'), data[:40]
    return data.replace(b'{"head":{', b'{"head":{' + element + b",", 1)


def _xml_head_link(data: bytes, link: str) -> bytes:
    """SPARQL XML results with ``<link href="…"/>`` in ``<head>``, after the variables."""
    element = f'<link href="{escape(link, {chr(34): "&quot;"})}"/>'.encode()
    if b"</head>" in data:
        return data.replace(b"</head>", element + b"</head>", 1)
    return data.replace(b"<head/>", b"<head>" + element + b"</head>", 1)


GRAPH_ROW_VARIABLES = ["subject", "predicate", "object"]


def triples_as_rows(outcome: Outcome) -> Outcome:
    """A graph answer as a result set: one row per triple."""
    return Outcome("solutions", variables=list(GRAPH_ROW_VARIABLES),
                   rows=[(t.subject, t.predicate, t.object) for t in outcome.triples],
                   truncated=outcome.truncated)
