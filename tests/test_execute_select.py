"""runner.execute_select, the SELECT way of /sparql on the embedded store (cap pushed into
the query as a LIMIT, rows written by pyoxigraph): the same answer, in every result format,
as runner.execute (rows pulled into Python one by one), for every gallery query, capped or
not; and the queries it leaves to execute."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from ccgraph.formats import by_name
from ccgraph.namespaces import PREFIXES
from ccgraph.store import open_build
from ccgraph.web.results import results_json, serialize_outcome
from ccgraph.web.runner import Outcome, execute, execute_select, rows_of

QUERIES = sorted((Path(__file__).resolve().parents[1] / "queries").glob("*.rq"))
OPTIONS = {"prefixes": PREFIXES}
BASE = "https://w3id.org/ccgraph/"
LINK = "http://127.0.0.1/sparql#result-cap"


def both(store: ox.Store, query: str, cap: int) -> tuple[Outcome, Outcome]:
    deadline = time.monotonic() + 60
    return (execute(store, query, dict(OPTIONS), cap, deadline),
            execute_select(store, query, dict(OPTIONS), cap, deadline))


def same_answer(old: Outcome, new: Outcome) -> None:
    assert new.variables == old.variables
    assert new.truncated == old.truncated
    assert new.count() == len(old.rows)
    assert rows_of(new).rows == old.rows  # same terms, same order
    for name in ("json", "xml", "csv", "tsv"):
        fmt = by_name(name)
        link = LINK if old.truncated else None
        assert serialize_outcome(new, fmt, BASE, link) == serialize_outcome(old, fmt, BASE, link)
    assert results_json(new) == results_json(old)


@pytest.fixture(scope="module")
def store(seed_build: Path) -> ox.Store:
    return open_build(seed_build).store


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_every_gallery_query_answers_alike(store: ox.Store, path: Path) -> None:
    query = path.read_text(encoding="utf-8")
    old, new = both(store, query, 10_000)
    assert new.tsv is not None  # answered the fast way
    same_answer(old, new)


@pytest.mark.parametrize("cap", [0, 1, 3])
def test_a_capped_answer_keeps_the_first_rows_and_says_truncated(store: ox.Store,
                                                                  cap: int) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    old, new = both(store, query, cap)
    assert old.truncated and new.count() == cap
    same_answer(old, new)
    # a smaller LIMIT of the query's own is kept; no truncation then
    old, new = both(store, query + " LIMIT 2", 3)
    assert not new.truncated and new.count() == 2
    same_answer(old, new)


def test_literals_with_tabs_newlines_and_quotes_survive(store: ox.Store) -> None:
    query = ('SELECT ?x ?n ?none WHERE { VALUES (?x ?n) { ("a\\tb\\nc \\"d\\""@en 1) '
             '("x"^^<http://example.org/t> 2.5) ("1e3"^^xsd:double 3) } '
             'OPTIONAL { ?x ?y ?none } }')
    old, new = both(store, query, 10)
    assert new.tsv is not None
    same_answer(old, new)
    # blank nodes of the data keep their labels
    old, new = both(store, "SELECT ?b ?p WHERE { ?b ?p ?o FILTER(isBlank(?b)) } "
                           "ORDER BY ?b ?p LIMIT 20", 10)
    assert new.tsv is not None and new.count() == 10
    assert any(isinstance(row[0], ox.BlankNode) for row in rows_of(new).rows)
    same_answer(old, new)
    # "<<" might begin a triple term, which TSV cannot carry back: the row way
    old, new = both(store, 'SELECT ?x WHERE { VALUES ?x { "<<not a triple>>" } }', 10)
    assert new.tsv is None
    same_answer(old, new)


def test_what_tsv_cannot_carry_goes_the_row_way(store: ox.Store) -> None:
    for query in ("SELECT * WHERE { }", "ASK { ?s ?p ?o }"):
        old, new = both(store, query, 10)
        assert new.tsv is None
        assert new == old


def test_a_syntax_error_is_said_of_the_query_as_written(store: ox.Store) -> None:
    query = "SELECT ?s WHERE { ?s ?p }"
    messages = []
    for run in (execute, execute_select):
        with pytest.raises(SyntaxError) as caught:
            run(store, query, dict(OPTIONS), 10, time.monotonic() + 60)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith("error at 1:")
