"""Checks a SPARQL request before it reaches the store.

pyoxigraph evaluates ``SERVICE`` by fetching the remote endpoint over HTTP (verified with
pyoxigraph 0.5: ``SERVICE <http://…>`` opens a connection, ``SERVICE SILENT`` swallows
the failure). A public endpoint must never fetch a URL a client names, so every query is
scanned here first. ``FROM``/``FROM NAMED`` never make pyoxigraph fetch anything (they
only select graphs of the store), but a graph outside the dataset would mean "load it from
the web" to a reader of the protocol, so those are refused too, with a message naming the
graph.

The scan is a small lexer over the SPARQL grammar's terminals: comments, the four string
forms, ``<IRI>`` references, variables and prefixed names are consumed as whole tokens, so
a keyword inside a string, IRI, comment, variable or local name (``"SERVICE"``,
``ex:service``, ``?service``) is never mistaken for one. What is left are keywords and
punctuation. The lexer errs towards refusing: any ``SERVICE`` keyword outside those tokens
is refused, whatever follows it. The query is then parsed for real by pyoxigraph, which
reports syntax errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

from .query_errors import undeclared_prefix

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = frozenset({
    "INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH",
})

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<bnode>_:[A-Za-z0-9_\u00C0-\uFFFF][A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]*)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]*)?:
              (?:[A-Za-z0-9_:%\u00C0-\uFFFF]|\\.)(?:[A-Za-z0-9_.:%\-\u00B7\u00C0-\uFFFF]|\\.)*
             |(?:[A-Za-z\u00C0-\uFFFF][A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]*)?:)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
#: the lexer's token pattern (one named group per kind), for other scans of queries
TOKEN = _TOKEN


#: the deepest nesting of brackets, and the longest run of unary operators (``! - + ^``), a
#: request may hold. pyoxigraph's parser recurses on both: a few thousand levels overflow
#: its stack and kill the process (SIGSEGV, measured with pyoxigraph 0.5), and nested
#: collections ``((( )))`` take cubic time (300 levels: 15 s). No real query comes close.
MAX_NESTING = 64


class GuardError(ValueError):
    """The request is refused; the message says why (answered with 400)."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass
class QueryInfo:
    """What the scan found."""

    form: str | None = None  # SELECT, CONSTRUCT, DESCRIBE, ASK; None when not a query
    is_update: bool = False
    update_keyword: str | None = None
    services: list[str] = field(default_factory=list)  # SERVICE targets (IRI or variable)
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    #: prefixes used but declared neither in the query nor among the predeclared ones
    undeclared: list[str] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)  # PREFIX lines of the query
    uses_graph: bool = False  # a GRAPH pattern somewhere (named graphs are read)

    @property
    def has_dataset_clause(self) -> bool:
        return bool(self.from_graphs or self.from_named)


def tokens(query: str) -> list[Token]:
    """The significant tokens of ``query`` (no whitespace, no comments)."""
    out: list[Token] = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        text = match.group()
        if kind == "other" and text in "'\"":
            # A quote that starts no string: a literal left open. Stopping here keeps the
            # scan linear (each later quote would otherwise search to the end again).
            raise GuardError("malformed request: a string literal is not closed")
        if kind in ("pname", "bnode") and text.endswith(".") and not text.endswith("\\."):
            # A prefixed name cannot end with "."; it is the triple terminator.
            text = text.rstrip(".")
        out.append(Token(kind, text))
    return out


def analyse(query: str, predeclared: Mapping[str, str] | None = None) -> QueryInfo:
    """Scan a query: its form, update keywords, SERVICE calls and dataset clauses.

    ``predeclared``: prefixes the endpoint declares for every query (a PREFIX line of the
    query overrides one)."""
    info = QueryInfo()
    toks = tokens(query)
    check_nesting(toks)
    prefixes: dict[str, str] = dict(predeclared or {})
    base: str | None = None

    def resolve(tok: Token) -> str:
        if tok.kind == "iri":
            iri = tok.text[1:-1]
            return urljoin(base, iri) if base else iri
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix not in prefixes:
                raise GuardError(f"undefined prefix {prefix!r} in {tok.text}")
            return prefixes[prefix] + local.replace("\\", "")
        return tok.text

    i = 0
    n = len(toks)
    while i < n:
        tok = toks[i]
        upper = tok.text.upper() if tok.kind == "word" else ""
        if upper == "PREFIX" and i + 2 < n and toks[i + 1].kind == "pname" \
                and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text[:-1]] = resolve(toks[i + 2])
            info.declared.append(toks[i + 1].text[:-1])
            i += 3
            continue
        if tok.kind == "pname":
            prefix = tok.text.partition(":")[0]
            if prefix not in prefixes and prefix not in info.undeclared:
                info.undeclared.append(prefix)
        if upper == "BASE" and i + 1 < n and toks[i + 1].kind == "iri":
            base = resolve(toks[i + 1])
            i += 2
            continue
        if upper in QUERY_FORMS and info.form is None and not info.is_update:
            info.form = upper
        elif upper in UPDATE_KEYWORDS and info.form is None and not info.is_update:
            info.is_update = True
            info.update_keyword = upper
        elif upper == "SERVICE":
            j = i + 1
            if j < n and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
                j += 1
            target = toks[j] if j < n else Token("other", "")
            try:
                info.services.append(resolve(target))
            except GuardError:
                info.services.append(target.text)
        elif upper == "GRAPH":
            info.uses_graph = True
        elif upper == "FROM" and info.form is not None:
            j = i + 1
            named = j < n and toks[j].kind == "word" and toks[j].text.upper() == "NAMED"
            if named:
                j += 1
            if j < n and toks[j].kind in ("iri", "pname"):
                (info.from_named if named else info.from_graphs).append(resolve(toks[j]))
                i = j + 1
                continue
        i += 1
    return info


def check_nesting(toks: list[Token], limit: int = MAX_NESTING) -> None:
    """Refuse brackets nested deeper than ``limit``, or longer runs of unary operators."""
    depth = run = 0
    for tok in toks:
        text = tok.text if tok.kind == "other" else ""
        if text and text in "({[":
            depth += 1
            if depth > limit:
                raise GuardError(f"the request nests brackets more than {limit} deep")
        elif text and text in ")}]":
            depth = max(0, depth - 1)
        run = run + 1 if text and text in "!-+^" else 0
        if run > limit:
            raise GuardError(f"the request chains more than {limit} unary operators")


def check(query: str, graphs: set[str] | frozenset[str],
          predeclared: Mapping[str, str] | None = None) -> QueryInfo:
    """Refuse (GuardError) anything that is not a read-only query over ``graphs``.

    ``graphs`` holds the IRIs of the dataset's named graphs; ``predeclared`` the prefixes
    every query may use without a PREFIX line. Returns the scan.
    """
    info = analyse(query, predeclared)
    if info.is_update:
        raise GuardError(
            f"this is a SPARQL Update request ({info.update_keyword}); this endpoint answers "
            "queries only (SELECT, ASK, CONSTRUCT, DESCRIBE) and never changes the data")
    if info.services:
        raise GuardError(
            "SERVICE is not allowed: this endpoint does not fetch remote data "
            f"(federated query to {', '.join(info.services)} refused)")
    if info.undeclared:
        raise GuardError(undeclared_prefix(info.undeclared[0],
                                           [*info.declared, *(predeclared or {})]))
    check_graphs(info.from_graphs + info.from_named, graphs, "FROM/FROM NAMED")
    return info


def check_graphs(requested: list[str], graphs: set[str] | frozenset[str], what: str) -> None:
    outside = [g for g in requested if g not in graphs]
    if outside:
        raise GuardError(
            f"{what} names {', '.join('<' + g + '>' for g in outside)}, which is not a graph of "
            "this dataset; this endpoint never loads graphs from the web. "
            "Query the graphs it holds (SELECT DISTINCT ?g WHERE { GRAPH ?g {} }).")
