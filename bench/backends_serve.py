"""ccgraph served over each backend, for backends_bench.py: the embedded store, the Oxigraph
server and Virtuoso, each holding the same (scaled) dataset, each behind its own
``ccgraph serve`` (gunicorn, 2 workers, result cache off), played by wrk.

Loading, at every scale, by the engines' offline loaders (the transactional publish
outgrows memory at 100x, docs/deployment.md): ``oxigraph load`` into a new database, then
``oxigraph serve-read-only --union-default-graph``; Virtuoso's ``ld_dir`` +
``rdf_loader_run``; for the embedded store at scales above 1, a copy of the build whose
store is bulk-loaded with the scaled named graphs and their union as the default graph (as
a build has it; build.json, dumps and so the ETags stay those of the 1x build). At 1x the
embedded case is the build itself. The backed servers take that build as ``--store``.

Workloads, each at every client count, the servers in turn (the first one rotates between
cells, so that drift on the shared machine hits all of them alike):

* ``gallery`` every query of queries/*.rq on ``/sparql`` (JSON results), round robin;
* ``doc``     ``/doc`` pages of cities, facilities and pledges (ccg:Commitment) that the
              build holds (``--doc-sample`` of each, seeded), each as Turtle and as HTML.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import statistics
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from backends_bench import (
    BIN,
    free_port,
    offline_nquads,
    offline_virtuoso_files,
    oxigraph,
    process,
    virtuoso,
)
from serve_bench import gallery_queries, sparql_line, wrk

from ccgraph.engines import oxigraph_server
from ccgraph.engines.source import Publishable
from ccgraph.engines.virtuoso_ini import bulk_load
from ccgraph.store import open_build, resolve_build

BACKENDS = ("embedded", "oxigraph", "virtuoso")
WORKLOADS = ("gallery", "doc")
CLASSES = {"city": "CreativeCity", "facility": "Facility", "pledge": "Commitment"}
CCG = "https://w3id.org/ccgraph/ontology#"


@dataclass
class Served:
    backend: str
    url: str  # ccgraph's own URL
    load_seconds: float


# ------------------------------------------------------------------ backends

@contextlib.contextmanager
def backend(name: str, build: Path, data: Publishable, scale: int, folder: Path
            ) -> Iterator[tuple[Path, str, float]]:
    """(the build to give ``--store``, the ``--backend`` URL or "", seconds to load)."""
    if name == "embedded":
        if scale == 1:
            yield build, "", 0.0
            return
        copy, seconds = embedded_copy(build, data, folder)
        yield copy, "", seconds
    elif name == "oxigraph":
        nq = offline_nquads(data, folder)
        seconds = oxigraph_server.load(folder / "store", nq)
        nq.unlink()
        # the engine cancels what ccgraph gives up (its default query_timeout, 10 s)
        with oxigraph(folder / "store", read_only=True, union=True, query_timeout=10) as root:
            yield build, root + "/query", seconds
    else:
        pattern = offline_virtuoso_files(data, folder)
        with virtuoso(folder, scale) as server:
            seconds = bulk_load(server, folder, pattern, "urn:ccgraph:unused")
            for loaded in folder.glob(pattern):
                loaded.unlink()
            yield build, server.sparql, seconds


def embedded_copy(build: Path, data: Publishable, folder: Path) -> tuple[Path, float]:
    """The build with its store replaced by the scaled named graphs plus their union as the
    default graph, bulk-loaded from one file (so blank nodes stay the same nodes)."""
    out = folder / "build"
    shutil.copytree(resolve_build(build), out, ignore=shutil.ignore_patterns("store"))
    both = folder / "named-and-union.nq"
    with both.open("wb") as stream:
        for line in data.lines():
            stream.write(line + b"\n")
            stream.write(line[:line.rindex(b" <")] + b" .\n")
    started = time.perf_counter()
    store = ox.Store(str(out / "store"))
    store.bulk_load(path=str(both), format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    del store
    seconds = time.perf_counter() - started
    both.unlink()
    # build.json keeps the 1x build's graphs, dumps and version (so the ETags), but says how
    # many quads the store holds: ccgraph decides by it whether to copy the store into memory
    meta_path = out / "build.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["quads"] = data.quads
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return out, seconds


@contextlib.contextmanager
def ccgraph(build: Path, backend_url: str, folder: Path) -> Iterator[str]:
    port = free_port()
    command = [str(BIN / "ccgraph"), "serve", "--store", str(build), "--host", "127.0.0.1",
               "--port", str(port), "--workers", "2"]
    if backend_url:
        command += ["--backend", backend_url]
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "CCGRAPH_RESULT_CACHE_MB": "0"}  # uncached
    with process(command, folder, url + "/healthz", env):  # one ASK of the engine
        yield url


# ------------------------------------------------------------------ workloads

def doc_paths(build: Path, sample: int, seed: int) -> list[str]:
    opened = open_build(build)
    prefix = opened.meta.base + "id/"
    rnd = random.Random(seed)
    paths = []
    for cls in CLASSES.values():
        found = sorted(str(row["s"].value) for row in opened.query(
            f"SELECT DISTINCT ?s WHERE {{ ?s a <{CCG}{cls}> }}"))
        chosen = rnd.sample(found, min(sample, len(found)))
        paths += ["/doc/" + iri[len(prefix):] for iri in chosen if iri.startswith(prefix)]
    del opened
    return paths


def write_workloads(folder: Path, build: Path, sample: int, seed: int,
                    skip: frozenset[str] = frozenset()) -> dict[str, Path]:
    docs = doc_paths(build, sample, seed)
    labelled = {  # (label, request line)
        "gallery": [(name, sparql_line(q)) for name, q in gallery_queries()
                    if name not in skip],
        "doc": [(f"{p} {accept}", f"GET\t{p}\tAccept: {accept}") for p in docs
                for accept in ("text/turtle", "text/html")],
    }
    files = {}
    for name, items in labelled.items():
        files[name] = folder / f"{name}.txt"
        files[name].write_text("".join(line + "\n" for _, line in items), encoding="utf-8")
        files[name].with_suffix(".labels").write_text(
            "".join(label + "\n" for label, _ in items), encoding="utf-8")
    return files


def check(url: str, requests_file: Path) -> tuple[dict[str, int], list[str]]:
    """Each request once (also the warm-up): statuses counted, and the labels (gallery
    query, /doc path and type) of those that did not answer 200."""
    statuses: dict[str, int] = {}
    failed: list[str] = []
    labels = requests_file.with_suffix(".labels").read_text(encoding="utf-8").splitlines()
    for label, line in zip(labels, requests_file.read_text(encoding="utf-8").splitlines(),
                           strict=True):
        _method, path, *headers = line.split("\t")
        req = urllib.request.Request(url + path, headers=dict(h.split(": ", 1)
                                                              for h in headers))
        try:
            with urllib.request.urlopen(req, timeout=120) as answer:
                answer.read()
                status = answer.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if status != 200:
            failed.append(f"{label}: {status}")
    return statuses, failed


def serve_rows(build: Path, data: Publishable, scale: int, work: Path, clients: list[int],
               duration: float, sample: int, seed: int, runs: int = 1,
               backends: tuple[str, ...] = BACKENDS,
               skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Load ``data`` into each backend, serve it with ccgraph and play the workloads
    (``runs`` times each cell; medians of req/s and p99, errors summed); the cells as
    {backend: {"load_s", "checks", workload: {clients: summary}}}. Gallery queries named
    in ``skip`` are left out for every backend."""
    files = write_workloads(work, build, sample, seed, skip)
    out: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        served: list[Served] = []
        for name in backends:
            folder = work / f"serve-{name}-{scale}x"
            folder.mkdir()
            stack.callback(shutil.rmtree, folder, True)
            print(f"{scale}x serve {name}: loading", flush=True)
            store, url, seconds = stack.enter_context(backend(name, build, data, scale,
                                                              folder))
            served.append(Served(name, stack.enter_context(ccgraph(store, url, folder)),
                                 seconds))
            checked = {w: check(served[-1].url, files[w]) for w in WORKLOADS}
            out[name] = {"load_s": round(seconds, 1),
                         "checks": {w: c[0] for w, c in checked.items()},
                         "failed": {w: c[1] for w, c in checked.items() if c[1]}}
            print(f"{scale}x serve {name}: loaded in {seconds:.1f} s, checks "
                  f"{out[name]['checks']}", flush=True)
        index = 0
        for workload in WORKLOADS:
            for c in clients:
                played: dict[str, list[dict[str, Any]]] = {s.backend: [] for s in served}
                for _ in range(runs):
                    shift = index % len(served)
                    index += 1
                    for s in served[shift:] + served[:shift]:
                        cell = wrk(s.url, files[workload], c, duration)
                        cell["load_average"] = os.getloadavg()[0]
                        played[s.backend].append(cell)
                        print(f"{scale}x {workload:8} c={c:<3} {s.backend:9} "
                              f"{cell['rps']:>8.1f} req/s p99 {cell['p99_ms']:>8} ms errors "
                              f"{cell['errors']['status'] + cell['errors']['timeout']}",
                              flush=True)
                for name, cells in played.items():
                    out[name].setdefault(workload, {})[str(c)] = summary(cells)
    return out


def summary(cells: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of the runs of one cell; errors summed."""
    return {"runs": len(cells),
            "rps": statistics.median(c["rps"] for c in cells),
            # answered (2xx/3xx) per second: at 100x many requests end in ccgraph's 503
            "ok_rps": statistics.median(
                c["rps"] * (1 - c["non_2xx_3xx"] / c["requests"]) if c["requests"] else 0.0
                for c in cells),
            "p50_ms": statistics.median(c["p50_ms"] for c in cells),
            "p99_ms": statistics.median(c["p99_ms"] for c in cells),
            "load_average": round(statistics.median(c["load_average"] for c in cells), 2),
            "requests": sum(c["requests"] for c in cells),
            "non_2xx_3xx": sum(c["non_2xx_3xx"] for c in cells),
            "errors": {k: sum(c["errors"][k] for c in cells) for k in cells[0]["errors"]}}


__all__ = ["BACKENDS", "WORKLOADS", "serve_rows"]
