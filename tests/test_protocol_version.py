"""The SPARQL 1.2 Protocol's ``version`` parameter, over a real server: queries and updates,
GET, form POST and direct POST; the supported version runs, an unknown one or two are 400."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from ccgraph.web.protocol_version import SUPPORTED
from tests.support.backends import BACKENDS, Engines, serving
from tests.support.servers import werkzeug_server
from tests.support.writehelp import AUTH, TOKEN, comment_insert, copy_build

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}
QUERY_TYPE = {"Content-Type": "application/sparql-query"}
UPDATE_TYPE = {"Content-Type": "application/sparql-update"}
ASK_TEMPLATE = 'ASK {{ ?s <http://www.w3.org/2000/01/rdf-schema#comment> "{}"@en }}'


@pytest.fixture(scope="module", params=BACKENDS)
def url(request: pytest.FixtureRequest, seed_build: Path, engines: Engines) -> Iterator[str]:
    """The seed build served over each backend (tests/support/backends.py)."""
    with serving(request.param, seed_build, engines) as root:
        yield root


@pytest.fixture(scope="module")
def writable_url(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Embedded only: updates write the embedded store (a server over a backend is
    read-only)."""
    build = copy_build(seed_build, tmp_path_factory.mktemp("version") / "build")
    with werkzeug_server(build, update_token=TOKEN) as root:
        yield root


def query(url: str, how: str, params: list[tuple[str, str]],
          text: str = COUNT) -> requests.Response:
    if how == "get":
        return requests.get(url + "/sparql", params=[("query", text), *params],
                            headers=JSON, timeout=30)
    if how == "form":
        return requests.post(url + "/sparql", data=[("query", text), *params],
                             headers=JSON, timeout=30)
    return requests.post(url + "/sparql", params=params, data=text.encode(),
                         headers={**JSON, **QUERY_TYPE}, timeout=30)


def update(url: str, how: str, params: list[tuple[str, str]], text: str
           ) -> requests.Response:
    if how == "form":
        return requests.post(url + "/sparql", data=[("update", text), *params],
                             headers=AUTH, timeout=60)
    return requests.post(url + "/sparql", params=params, data=text.encode(),
                         headers={**AUTH, **UPDATE_TYPE}, timeout=60)


def count(resp: requests.Response) -> int:
    assert resp.status_code == 200, resp.text
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


def asks(url: str, text: str) -> bool:
    resp = requests.get(url + "/sparql", params={"query": ASK_TEMPLATE.format(text)},
                        headers=JSON, timeout=30)
    assert resp.status_code == 200, resp.text
    return bool(resp.json()["boolean"])


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_a_supported_version_answers_as_without_one(url: str, how: str) -> None:
    plain = count(query(url, how, []))
    assert plain > 0
    for version in SUPPORTED:
        assert count(query(url, how, [("version", version)])) == plain


@pytest.mark.parametrize("how", ["get", "form", "direct"])
@pytest.mark.parametrize("version", ["1.2", "1.0", "2", "", "1.1 "])
def test_an_unknown_version_is_refused(url: str, how: str, version: str) -> None:
    resp = query(url, how, [("version", version)])
    assert resp.status_code == 400
    assert resp.headers["Content-Type"].startswith("text/plain")
    assert "unsupported SPARQL version" in resp.text
    assert repr(version) in resp.text


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_two_versions_are_refused_even_when_both_are_supported(url: str, how: str) -> None:
    resp = query(url, how, [("version", "1.1"), ("version", "1.1")])
    assert resp.status_code == 400
    assert "2 version parameters" in resp.text


def test_version_in_the_url_and_the_form_counts_twice(url: str) -> None:
    resp = requests.post(url + "/sparql", params={"version": "1.1"},
                         data={"query": COUNT, "version": "1.1"}, headers=JSON, timeout=30)
    assert resp.status_code == 400
    assert "2 version parameters" in resp.text


@pytest.mark.parametrize("how", ["form", "direct"])
def test_updates_take_the_version_too(writable_url: str, how: str) -> None:
    url = writable_url
    accepted = f"version-ok-{how}"
    resp = update(url, how, [("version", "1.1")], comment_insert(accepted))
    assert resp.status_code == 200, resp.text
    assert asks(url, accepted)

    refused: dict[str, Any] = {
        "unknown": [("version", "1.2")], "two": [("version", "1.1"), ("version", "1.2")]}
    for name, params in refused.items():
        text = f"version-refused-{how}-{name}"
        resp = update(url, how, params, comment_insert(text))
        assert resp.status_code == 400, resp.text
        assert resp.headers["Content-Type"].startswith("text/plain")
        assert not asks(url, text)
