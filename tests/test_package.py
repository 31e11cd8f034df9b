"""The package carries what it needs: ontology, shapes, queries and curated data ship inside
it (pyproject.toml maps the top-level folders in; src/ccgraph/shipped.py finds them), so a
wheel installed into a fresh venv outside the checkout builds and serves."""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from markupsafe import escape
from rdflib import Graph
from rdflib.compare import isomorphic
from SPARQLWrapper import JSON, SPARQLWrapper

from ccgraph import iris, shipped
from ccgraph.gallery import load_gallery
from ccgraph.gold_scores import format_report, gold_report
from ccgraph.namespaces import PREFIXES
from ccgraph.store import open_build
from tests.support.servers import free_port, stop_group

CHECKOUT = Path(__file__).resolve().parents[1]
#: the top-level folders mapped into the package, and the accessor that finds each
FOLDERS = {"ontology": shipped.ontology, "shapes": shipped.shapes,
           "queries": shipped.queries, "data": shipped.data}


def _pyproject() -> dict[str, Any]:
    with (CHECKOUT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


# ------------------------------------------------------------------ quick checks

def test_every_package_folder_is_listed_in_pyproject() -> None:
    setuptools = _pyproject()["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    under_src = {".".join(p.parent.relative_to(CHECKOUT / "src").parts)
                 for p in (CHECKOUT / "src" / "ccgraph").rglob("__init__.py")}
    assert under_src - listed == set(), "add these packages to [tool.setuptools] packages"
    mapped = {name: folder for name, folder in setuptools["package-dir"].items() if name}
    assert mapped == {f"ccgraph.{folder}": folder for folder in FOLDERS}
    assert listed == under_src | set(mapped)


def test_an_editable_install_reads_the_top_level_folders() -> None:
    """A curator edits data/… in the checkout and the next build sees it (pip install -e)."""
    for folder, accessor in FOLDERS.items():
        assert accessor() == CHECKOUT / folder
    assert shipped.vocab() == CHECKOUT / "data" / "vocab"
    assert shipped.gold() == CHECKOUT / "data" / "gold"


def test_nothing_under_src_reaches_into_tests_or_the_checkout() -> None:
    into_tests = re.compile(r"""\btests/|["']tests["']""")
    reaching = re.compile(r"__file__\)?\.resolve\(\)\.parents|project_root")
    found = []
    for path in sorted((CHECKOUT / "src" / "ccgraph").rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), 1):
            if into_tests.search(line) or (path.suffix == ".py" and reaching.search(line)):
                found.append(f"{path.relative_to(CHECKOUT)}:{n}: {line.strip()}")
    assert found == []


# ------------------------------------------------------------------ the wheel, elsewhere

def _clean_env(home: Path) -> dict[str, str]:
    """The environment of a user outside the checkout: no PYTHONPATH, no CCGRAPH_* settings,
    a home (and caches) of its own; pip's own settings (index, proxy) are kept."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("CCGRAPH_", "PYTHON", "VIRTUAL_ENV"))}
    return {**keep, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"{cmd} failed ({done.returncode}):\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The project built as sdist then wheel (python -m build), installed into a fresh venv
    in a temporary directory; yields the venv's bin/ and a working directory outside the
    checkout."""
    top = tmp_path_factory.mktemp("wheel")
    home, work = top / "home", top / "work"
    home.mkdir()
    work.mkdir()
    env = _clean_env(home)
    times: dict[str, float] = {}
    start = time.perf_counter()
    _run([sys.executable, "-m", "build", "--outdir", str(top / "dist"), str(CHECKOUT)],
         cwd=work, env=env)
    times["build"] = time.perf_counter() - start
    wheels = sorted((top / "dist").glob("ccgraph-*.whl"))
    assert len(wheels) == 1, wheels
    start = time.perf_counter()
    _run([sys.executable, "-m", "venv", str(top / "venv")], cwd=work, env=env)
    bin_dir = top / "venv" / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheels[0])],
         cwd=work, env=env)
    times["venv+install"] = time.perf_counter() - start
    print("wheel test, seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in times.items()))
    yield {"bin": bin_dir, "work": work, "home": home}


@pytest.mark.slow
def test_the_wheel_ships_its_files_and_none_of_the_checkout(installed: dict[str, Path]) -> None:
    env = _clean_env(installed["home"])
    code = ("from ccgraph import shipped; "
            "print('\\n'.join(str(f()) for f in "
            "(shipped.ontology, shipped.shapes, shipped.queries, shipped.data)))")
    where = _run([str(installed["bin"] / "python"), "-c", code], installed["work"], env)
    site = installed["bin"].parent / "lib"
    for line, folder in zip(where.splitlines(), FOLDERS, strict=True):
        shipped_dir = Path(line)
        assert shipped_dir.is_relative_to(site), line
        theirs = sorted(p.relative_to(shipped_dir) for p in shipped_dir.rglob("*")
                        if p.is_file() and "__pycache__" not in p.parts)
        ours = sorted(p.relative_to(CHECKOUT / folder) for p in (CHECKOUT / folder).rglob("*")
                      if p.is_file() and "__pycache__" not in p.parts)
        assert theirs == ours, folder


@pytest.mark.slow
def test_the_wheel_builds_and_serves_outside_the_checkout(
        installed: dict[str, Path], seed_profile: Path, corpus_path: Path,
        seed_build: Path) -> None:
    env = _clean_env(installed["home"])
    work, ccgraph = installed["work"], str(installed["bin"] / "ccgraph")
    sources = work / "sources"  # the seed alone: `ccgraph build` with no PATH finds it
    sources.mkdir()
    shutil.copy(seed_profile, sources / seed_profile.name)
    env["CCGRAPH_SOURCES"] = str(sources)
    start = time.perf_counter()
    _run([ccgraph, "build"], work, env)
    print(f"ccgraph build (seed) from the wheel: {time.perf_counter() - start:.1f} s")
    build = work / "build"
    assert (build / "build.json").is_file()

    # the gold sets ship too: the wheel scores the corpus exactly as the checkout does
    scores = _run([ccgraph, "gold-scores", str(corpus_path)], work, env)
    assert scores.strip() == format_report(gold_report(corpus_path)).strip()

    port = free_port()
    log = (work / "serve.log").open("wb")
    proc = subprocess.Popen([ccgraph, "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", "1"], cwd=work, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, \
                (work / "serve.log").read_text(errors="replace")[-3000:]
            time.sleep(0.2)
        _check_answers(url, seed_build)
    finally:
        stop_group(proc, signal.SIGTERM)
        log.close()


def _check_answers(url: str, seed_build: Path) -> None:
    base = iris.DEFAULT_BASE
    # /sparql: the cities, as the same build from the checkout has them
    cities = (f"SELECT ?city ?label WHERE {{ ?city a <{PREFIXES['ccg']}CreativeCity> ; "
              "<http://www.w3.org/2000/01/rdf-schema#label> ?label "
              'FILTER(LANG(?label) = "en") }')
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(cities)
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]
    served = {(r["city"]["value"], r["label"]["value"]) for r in rows}
    rows = open_build(seed_build).store.query(cities, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    expected = {(s["city"].value, s["label"].value) for s in rows}
    with (shipped.data() / "members.csv").open(encoding="utf-8", newline="") as handle:
        members = {(r["country_code"], r["city"]) for r in csv.DictReader(handle)}
    assert served == expected
    assert len(served) == len(members)

    # the ontology the build read is the one in the checkout
    ontology = requests.post(url + "/sparql", data={"query": (
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iris.graph('ontology', base)}> "
        "{ ?s ?p ?o } }")}, headers={"Accept": "text/turtle"}, timeout=60)
    assert ontology.status_code == 200, ontology.text
    ours = Graph()
    for path in sorted(shipped.ontology().glob("*.ttl")):
        ours.parse(path, format="turtle")
    assert isomorphic(Graph().parse(data=ontology.text, format="turtle"), ours)

    # /shapes: the shapes the wheel carries are those of the checkout
    shapes = requests.get(url + "/shapes", headers={"Accept": "text/turtle"}, timeout=60)
    assert shapes.status_code == 200, shapes.text
    ours = Graph()
    for path in sorted(shipped.shapes().glob("*.ttl")):
        ours.parse(path, format="turtle")
    assert isomorphic(Graph().parse(data=shapes.text, format="turtle"), ours)

    # a page: the seed's city, the one with pledges, under its own label
    pledged = {r["city"]["value"]: r["label"]["value"] for r in requests.get(
        url + "/sparql", params={"query": (
            f"SELECT DISTINCT ?city ?label WHERE {{ ?c <{PREFIXES['ccg']}commitmentOf> ?city . "
            "?city <http://www.w3.org/2000/01/rdf-schema#label> ?label "
            'FILTER(LANG(?label) = "en") }')},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60).json()["results"]["bindings"]}
    assert len(pledged) == 1
    [(city, label)] = pledged.items()
    page = requests.get(url + "/doc/" + city.removeprefix(base + "id/"),
                        headers={"Accept": "text/html"}, timeout=60)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert str(escape(label)) in page.text

    # the workbench offers every query of the checkout's gallery
    workbench = requests.get(url + "/query", timeout=60)
    assert workbench.status_code == 200
    gallery = load_gallery(CHECKOUT / "queries")
    assert gallery
    for example in gallery:
        assert str(escape(example.query)) in workbench.text, example.slug
