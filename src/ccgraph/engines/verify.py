"""After a load: does the engine hold exactly the dataset?

Two checks, both through the SPARQL 1.1 Protocol only, so that they hold for any engine:

* the quads of every named graph of the dataset's base (``<base>graph/…``), counted by the
  engine, equal the dataset's counts, and the engine has no other graph of that base (a
  graph left from an earlier release; ``graph/void``, which a release's own store adds,
  is compared only when the dataset holds it); the union graph (union.py) holds the
  dataset's distinct triples;
* a sample — every quad of the ``SAMPLE`` subjects whose SHA-256 is smallest — read back
  from the engine, written in one normal form (blank nodes as ``_:``, literals with their
  datatype or language) and sorted, has the SHA-256 of the same quads read from the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import iris
from .protocol import Credentials, select, values
from .source import Publishable
from .union import union_count, union_graph

SAMPLE = 48
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass
class Verification:
    graphs: int = 0
    quads: int = 0
    sample_quads: int = 0
    checksum: str = ""
    problems: list[str] = field(default_factory=list)
    has_union: bool = True  # the engine holds the union graph (union.py)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return (f"verified: {self.graphs} graphs, {self.quads} quads, a sample of "
                    f"{self.sample_quads} quads (SHA-256 {self.checksum[:16]}) as published")
        return "verification failed:\n  " + "\n  ".join(self.problems)


def graph_prefix(base: str) -> str:
    return f"{base}graph/"


def engine_counts(endpoint: str, base: str, credentials: Credentials | None = None
                  ) -> dict[str, int]:
    """Quads per named graph of the dataset's base, as the engine counts them."""
    query = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
             f'FILTER(STRSTARTS(STR(?g), "{graph_prefix(base)}")) }} GROUP BY ?g')
    return {row["g"]["value"]: int(row["n"]["value"])
            for row in select(endpoint, query, credentials)}


def verify(endpoint: str, source: Publishable, credentials: Credentials | None = None,
           *, union_required: bool = True) -> Verification:
    """Does the engine hold exactly ``source``? ``union_required``: the union graph too
    (``publish`` loads it; a database loaded by hand may lack it)."""
    found = engine_counts(endpoint, source.base, credentials)
    wanted = {g: n for g, n in source.graphs.items() if g.startswith(graph_prefix(source.base))}
    void = str(iris.graph("void", source.base))
    if void not in wanted:  # a release's own store adds its description: not compared
        found.pop(void, None)
    union = union_graph(source.base)
    has_union = union in found
    if has_union or union_required:
        wanted[union] = union_count(source)
    result = Verification(graphs=len(found), quads=sum(found.values()), has_union=has_union)
    for graph in sorted(set(wanted) | set(found)):
        want, got = wanted.get(graph), found.get(graph)
        if want != got:
            result.problems.append(
                f"graph {graph}: " + ("missing in the engine" if got is None else
                                      "not in the dataset (left from an earlier load?)"
                                      if want is None else f"{got} quads, expected {want}"))
    expected = sample_lines(source)
    subjects = sorted({line.split(" ", 2)[1] for line in expected})
    got_lines = engine_sample(endpoint, source.base, [s[1:-1] for s in subjects], credentials)
    result.sample_quads = len(expected)
    result.checksum = checksum(expected)
    if checksum(got_lines) != result.checksum:
        missing = sorted(set(expected) - set(got_lines))[:3]
        extra = sorted(set(got_lines) - set(expected))[:3]
        result.problems.append(
            f"the sample of {len(expected)} quads differs ({len(got_lines)} read back): "
            f"missing {missing}, unexpected {extra}")
    return result


def checksum(lines: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()


def _rank(subject: bytes) -> bytes:
    return hashlib.sha256(subject).digest()


def sample_lines(source: Publishable, size: int = SAMPLE) -> list[str]:
    """The sample's quads from the file, in normal form."""
    prefix = graph_prefix(source.base).encode()
    chosen: dict[bytes, bytes] = {}  # rank -> subject: the ``size`` smallest ranks
    for line in source.lines():
        subject = line.split(b" ", 1)[0]
        if not subject.startswith(b"<") or prefix not in line.rsplit(b" ", 2)[-2]:
            continue
        rank = _rank(subject)
        if len(chosen) < size or rank < max(chosen):
            chosen[rank] = subject
            if len(chosen) > size:
                del chosen[max(chosen)]
    subjects = set(chosen.values())
    picked = [line for line in source.lines() if line.split(b" ", 1)[0] in subjects]
    quads = ox.parse(b"\n".join(picked) + b"\n", format=ox.RdfFormat.N_QUADS)
    return [" ".join((_term(q.graph_name), _term(q.subject), _term(q.predicate),
                      _term(q.object))) for q in quads]


def _term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return _literal(term.value, term.language, term.datatype.value)
    return "_:"


def _literal(value: str, language: str | None, datatype: str | None) -> str:
    if language:
        return f"{value!r}@{language.lower()}"
    return f"{value!r}^^{datatype or XSD_STRING}"


def engine_sample(endpoint: str, base: str, subjects: list[str],
                  credentials: Credentials | None = None) -> list[str]:
    """The sample's quads read back from the engine, in the same normal form."""
    if not subjects:
        return []
    query = (f"SELECT ?g ?s ?p ?o WHERE {{ {values('s', subjects)} GRAPH ?g {{ ?s ?p ?o }} "
             f'FILTER(STRSTARTS(STR(?g), "{graph_prefix(base)}") '
             f"&& ?g != <{union_graph(base)}>) }}")
    return [" ".join(_binding(row[k]) for k in ("g", "s", "p", "o"))
            for row in select(endpoint, query, credentials)]


def _binding(term: dict[str, str]) -> str:
    kind = term.get("type")
    if kind == "uri":
        return f"<{term['value']}>"
    if kind in ("literal", "typed-literal"):
        datatype = term.get("datatype")
        if datatype == LANG_STRING:
            datatype = None
        return _literal(term["value"], term.get("xml:lang"), datatype)
    return "_:"
