"""The researcher query gallery (queries/*.rq), each run against the whole-network build.

Each query's header says what it answers and the shape of its answer:
``# expects: columns=a,b; min_rows=N; max_rows=N; contains=text``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ccgraph.gallery import Example, load_gallery
from ccgraph.settings import project_root
from ccgraph.store import Build, open_build

GALLERY = load_gallery(project_root() / "queries")


@pytest.fixture(scope="module")
def network(network_build: Path) -> Build:
    return open_build(network_build)


def test_gallery_has_fifteen_documented_queries() -> None:
    assert len(GALLERY) >= 15
    for example in GALLERY:
        assert example.title and example.description, example.path.name
        assert example.expects.get("columns"), example.path.name


@pytest.mark.parametrize("example", GALLERY, ids=[e.path.stem for e in GALLERY])
def test_query_answers_with_the_expected_shape(example: Example, network: Build) -> None:
    result = network.query(example.query)
    columns = [v.value for v in result.variables]
    assert columns == example.expects["columns"].split(",")
    rows = [[(s[c].value if s[c] is not None else "") for c in columns] for s in result]
    assert len(rows) >= int(example.expects.get("min_rows", "1"))
    if "max_rows" in example.expects:
        assert len(rows) <= int(example.expects["max_rows"])
    if "contains" in example.expects:
        needle = example.expects["contains"]
        assert any(needle in cell for row in rows for cell in row), needle
