"""A remote SPARQL 1.1 endpoint that reads like the embedded store (``ccgraph serve
--backend URL``).

The views read the store through three calls of :class:`pyoxigraph.Store`: ``query``,
``quads_for_pattern`` and ``named_graphs``. :class:`RemoteStore` answers them over the SPARQL
1.1 Protocol only (a form POST of ``query=``, urllib, a timeout) and parses the answers with
pyoxigraph's own parsers (``parse_query_results`` for SPARQL JSON results, ``parse`` for
N-Triples), so views get the same solution, term and triple objects as from ``ox.Store``.

* ``quads_for_pattern`` is an explicit ``SELECT … WHERE { GRAPH ?g { … } }`` (or the union
  default graph for ``ox.DefaultGraph()``), never the engine's ``DESCRIBE``: engines differ on
  what DESCRIBE returns (Virtuoso's gives only inbound triples).
* the engine must answer queries without ``GRAPH`` from the union of the named graphs, as the
  embedded store does (Oxigraph server: ``--union-default-graph``).
* blank nodes have no identity a query can name. The data's blank nodes hang off IRIs
  (evidence selectors, VoID partitions, OWL lists), so a lookup of an IRI subject fetches, in
  the same query, the triples of the blank nodes it reaches through up to
  :data:`BLANK_DEPTH` blank nodes, and keeps them for the lookups of those blank nodes that
  follow (a bounded memo). A blank node reached only as the subject of an inbound link has
  nothing remembered: it is described as empty.
* the query guard (web/sparql.py) runs before :meth:`RemoteStore.query` is called; this module
  sends what it is given.
"""

from __future__ import annotations

import itertools
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from . import query_guard
from .remote_dataset import RemoteDataset
from .remote_syntax import check_syntax

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
#: what to ask for, by the query's form (Virtuoso answers a CONSTRUCT asked with a mixed
#: Accept as SPARQL JSON rows)
ACCEPT = {"CONSTRUCT": N_TRIPLES, "DESCRIBE": N_TRIPLES, "SELECT": RESULTS_JSON,
          "ASK": RESULTS_JSON}
ACCEPT_ANY = f"{RESULTS_JSON}, {N_TRIPLES};q=0.9"
#: how many blank nodes deep a subject lookup follows (OWL lists of three members)
BLANK_DEPTH = 3
#: most blank nodes remembered (then the memo starts again)
BLANK_MEMO = 50_000
#: most subjects whose quads are remembered (then the memo starts again)
SUBJECT_MEMO = 20_000
LEADING_BASE = re.compile(r"\s*BASE\s*<[^>]*>", re.IGNORECASE)
UNSAFE_LABEL = re.compile(r"[^A-Za-z0-9_]")
Term = ox.NamedNode | ox.BlankNode | ox.Literal
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


class RemoteError(OSError):
    """The engine could not be reached, or failed (not the query's fault)."""


class RemoteStore:
    """Read-only access to the dataset of a SPARQL 1.1 endpoint at ``url``."""

    def __init__(self, url: str, timeout: float = 10.0,
                 graphs: Iterable[ox.NamedNode] | None = None,
                 dataset: RemoteDataset | None = None) -> None:
        """``graphs``: the dataset's named graphs when known (the build published there),
        so that listing them costs no query (Virtuoso takes ~4 s to list its graphs).
        ``dataset``: what to ask the engine for (remote_dataset.py)."""
        self.url = url
        self.dataset = dataset
        self.timeout = timeout
        self._graphs = None if graphs is None else tuple(graphs)
        self._blank: dict[ox.BlankNode, list[ox.Quad]] = {}
        self._subjects: dict[ox.NamedNode, list[ox.Quad]] = {}

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    # ---------------------------------------------------------------- the protocol

    def query(self, query: str, *, prefixes: Mapping[str, str] | None = None,
              default_graph: Sequence[ox.NamedNode] | None = None,
              named_graphs: Sequence[ox.NamedNode] | None = None,
              **_ignored: Any) -> ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]:
        """Send ``query`` (with ``prefixes`` declared before it, as pyoxigraph's option
        does: a PREFIX of the query overrides one) and parse the answer. A query the engine
        refuses raises ValueError with the engine's message."""
        prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in (prefixes or {}).items())
        base = LEADING_BASE.match(query)  # BASE stays first: Virtuoso wants it before PREFIX
        head, rest = (query[:base.end()] + "\n", query[base.end():]) if base else ("", query)
        fields: list[tuple[str, str]] = [("default-graph-uri", g.value)
                                         for g in default_graph or ()]
        fields += [("named-graph-uri", g.value) for g in named_graphs or ()]
        info = query_guard.analyse(query, prefixes)
        check_syntax(query, prefixes)
        form, text = info.form, head + prologue + rest
        if self.dataset is not None:  # the union graph as the default graph
            text, fields = self.dataset.apply(text, fields, info)
        fields.insert(0, ("query", text))
        content_type, body = self._post(fields, ACCEPT.get(form or "", ACCEPT_ANY))
        if content_type == N_TRIPLES:
            return (quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        if content_type == RESULTS_JSON:
            return ox.parse_query_results(_plain_blank_labels(body),
                                          format=ox.QueryResultsFormat.JSON)
        raise RemoteError(f"{self.url} answered {content_type or 'no content type'}, "
                          f"not {RESULTS_JSON} or {N_TRIPLES}")

    def _post(self, fields: list[tuple[str, str]], accept: str) -> tuple[str, bytes]:
        data = urllib.parse.urlencode(fields).encode("utf-8")
        req = urllib.request.Request(self.url, data=data, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                content_type = resp.headers.get_content_type()
                return content_type, resp.read()
        except urllib.error.HTTPError as exc:
            message = exc.read().decode("utf-8", "replace").strip()[:2000]
            if exc.code == 400:
                raise ValueError(f"the SPARQL engine refused the query: {message}") from None
            raise RemoteError(f"the SPARQL engine at {self.url} answered {exc.code}: "
                              f"{message}") from None
        except (urllib.error.URLError, TimeoutError) as exc:
            raise RemoteError(f"the SPARQL engine at {self.url} did not answer: "
                              f"{getattr(exc, 'reason', exc)}") from None

    def _select(self, query: str) -> ox.QuerySolutions:
        result = self.query(query)
        if not isinstance(result, ox.QuerySolutions):
            raise RemoteError(f"{self.url} did not answer a SELECT with rows")
        return result

    # ---------------------------------------------------------------- what ox.Store offers

    def quads_for_pattern(self, subject: ox.NamedNode | ox.BlankNode | None,
                          predicate: ox.NamedNode | None, object: Term | None,
                          graph_name: GraphName | None = None) -> Iterator[ox.Quad]:
        """The quads matching the pattern; ``None`` matches anything. With no graph, every
        named graph's quads (the embedded store also yields the union default graph's, the
        same triples again: callers take sets)."""
        if isinstance(subject, ox.BlankNode):
            yield from (q for q in self._blank.get(subject, ())
                        if (predicate is None or q.predicate == predicate)
                        and (object is None or q.object == object)
                        and (graph_name is None or q.graph_name == graph_name))
            return
        if isinstance(object, ox.BlankNode):
            return  # never remembered as an object: nothing to match
        if isinstance(subject, ox.NamedNode) and graph_name is None:
            yield from (q for q in self._subject(subject)
                        if (predicate is None or q.predicate == predicate)
                        and (object is None or q.object == object))
            return
        triple = f"{_pattern(subject, '?s')} {_pattern(predicate, '?p')} {_pattern(object, '?o')}"
        if isinstance(graph_name, ox.DefaultGraph):
            where = f"{{ {triple} }}"
        elif graph_name is None:
            where = f"{{ GRAPH ?g {{ {triple} }} }}"
        else:
            where = f"{{ GRAPH {graph_name} {{ {triple} }} }}"
        for row in self._select(f"SELECT * WHERE {where}"):
            found = row["g"] if graph_name is None else graph_name
            yield ox.Quad(subject or row["s"], predicate or row["p"],
                          object if object is not None else row["o"],
                          found if found is not None else ox.DefaultGraph())

    def _subject(self, subject: ox.NamedNode) -> list[ox.Quad]:
        """``subject``'s quads, remembered: the data behind a RemoteStore never changes (a
        new build opens a new one), and a page asks for a subject's label, type and
        triples separately."""
        found = self._subjects.get(subject)
        if found is None:
            found = list(self._subject_with_blanks(subject))
            if len(self._subjects) >= SUBJECT_MEMO:
                self._subjects = {}
            self._subjects[subject] = found
        return found

    def _subject_with_blanks(self, subject: ox.NamedNode) -> Iterator[ox.Quad]:
        """``subject``'s quads, and those of the blank nodes it reaches (remembered)."""
        branches = [f"{{ {subject} ?p ?o BIND({subject} AS ?s) }}"]
        for depth in range(1, BLANK_DEPTH + 1):
            chain = [str(subject)] + [f"?b{i}" for i in range(1, depth)] + ["?s"]
            steps = " . ".join(f"{a} ?q{i} {b}"
                               for i, (a, b) in enumerate(itertools.pairwise(chain)))
            blanks = " && ".join(f"isBlank({v})" for v in chain[1:])
            branches.append(f"{{ {steps} . ?s ?p ?o FILTER({blanks}) }}")
        query = ("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { " + " UNION ".join(branches)
                 + " } }")
        found: dict[ox.BlankNode, list[ox.Quad]] = {}
        own: list[ox.Quad] = []
        for row in self._select(query):
            quad = ox.Quad(row["s"], row["p"], row["o"], row["g"])
            if isinstance(quad.subject, ox.BlankNode):
                found.setdefault(quad.subject, []).append(quad)
            else:
                own.append(quad)
        if len(self._blank) + len(found) > BLANK_MEMO:
            self._blank = {}
        self._blank.update({node: list(dict.fromkeys(quads)) for node, quads in found.items()})
        return iter(own)

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        if self._graphs is not None:
            yield from self._graphs
            return
        for row in self._select(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
            if isinstance(row["g"], ox.NamedNode):
                yield row["g"]


def _plain_blank_labels(body: bytes) -> bytes:
    """SPARQL JSON results with every blank node label made one pyoxigraph accepts:
    Virtuoso labels them ``nodeID://b10006``. Same label in, same label out."""
    if b'"bnode"' not in body:
        return body
    data = json.loads(body)
    for row in data.get("results", {}).get("bindings", []):
        for value in row.values():
            if value.get("type") == "bnode":
                value["value"] = "b" + UNSAFE_LABEL.sub("_", value["value"])
    return json.dumps(data).encode("utf-8")


def _pattern(term: Term | None, variable: str) -> str:
    if term is None:
        return variable
    return str(term)
