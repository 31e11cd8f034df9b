"""Backends benchmark: loading a release into the embedded store, the Oxigraph server and
Virtuoso, at the network size and at 100x; and read replicas against one instance.

    .venv/bin/python bench/backends_bench.py [--release DIR] [--scales 1,100] [--runs 3]
        [--serve-scales 1,100] [--serve-clients 1,4,16] [--serve-duration 8]

Load cases (each into a fresh, empty engine on 127.0.0.1, started and stopped here):

* ``embedded``        pyoxigraph ``Store.bulk_load`` of the N-Quads into a new on-disk store
                      (what a build or a release does, without the union default graph)
* ``oxigraph-load``   ``oxigraph load`` into a new database (offline; the blue/green way)
* ``oxigraph-store``  ``ccgraph publish --method store``: one ``PUT /store``, one transaction
* ``oxigraph-graphs`` ``ccgraph publish --method graphs``: one ``PUT`` per graph
* ``virtuoso-gsp``    ``ccgraph publish --engine virtuoso``: one Graph Store ``PUT`` per graph
* ``virtuoso-bulk``   Virtuoso's bulk loader (``ld_dir`` + ``rdf_loader_run`` via isql-vt)

The publish cases time the load and the verification separately. At scales above 1 only
the bulk cases run unless ``--all-at-scale`` (the transactional and per-graph paths load
6-10 k quads/s here, and the one-transaction ``PUT`` of the 100x case grew the Oxigraph
server past 10 GB before it was stopped).

The 100x dataset is the release's N-Quads 100 times over, IRIs under the base renamed per
copy but the first (``…/ccgraph/id/x{k}/…``) and blank nodes relabelled; graph names are
kept, so each graph is about 100 times larger (quads with nothing to rename are written
once).

Serve rows (backends_serve.py): at each of ``--serve-scales``, ccgraph (result cache off)
over the embedded store, over the Oxigraph server and over Virtuoso, each loaded by the
engine's offline loader; the query gallery and a /doc mix (cities, facilities, pledges as
Turtle and HTML) at ``--serve-clients`` (1, 4, 16) for ``--serve-duration`` seconds a cell,
played by wrk; req/s, p99 and the ratio to the embedded store, load average per cell.

Replicas: the release's own store served by ``oxigraph serve-read-only``, one instance or
two behind HAProxy (health checks), played with gallery queries (queries/*.rq) by
``--clients`` threads for ``--duration`` seconds; one and two alternate, ``--runs`` times;
medians of requests/s and of p99 latency. The client threads share the machine.

Writes JSON and Markdown to bench/results/ (machine and versions included).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ccgraph.engines import Credentials, oxigraph_server, publish_to
from ccgraph.engines.source import Publishable, open_source
from ccgraph.engines.union import append_union_quads, union_graph, union_triples
from ccgraph.engines.verify import verify
from ccgraph.engines.virtuoso_ini import Virtuoso, VirtuosoConfig, bulk_load, running
from ccgraph.store import is_build

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DBA = Credentials("dba", "dba")  # the bench's own private Virtuoso, loopback only

HAPROXY_CFG = """global
    maxconn 512
defaults
    mode http
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response 502 503
frontend sparql
    bind 127.0.0.1:{port}
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk
    http-check send meth GET uri /query?query=ASK%7B%7D ver HTTP/1.1 hdr Host 127.0.0.1
    default-server inter 500ms fall 2 rise 2
{servers}
"""


# ------------------------------------------------------------------ processes

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:
            if answer.status < 500:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def process(command: list[str], folder: Path, ready: str, env: dict[str, str] | None = None
            ) -> Iterator[subprocess.Popen[bytes]]:
    with (folder / "process.log").open("ab") as log:
        proc = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    try:
        wait_http(ready, proc)
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@contextlib.contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def oxigraph(location: Path, read_only: bool = False, union: bool | None = None,
             query_timeout: int | None = None) -> Iterator[str]:
    """``oxigraph serve`` (``serve-read-only``) on ``location``; the union of the named
    graphs as the default graph when ``union`` (default: unless read-only, where a
    release's store holds the union already); ``query_timeout``: its ``--timeout-s``."""
    with oxigraph_server.running(location, free_port(), location.parent, read_only=read_only,
                                 union=union if union is not None else not read_only,
                                 timeout=120, query_timeout=query_timeout) as server:
        yield server.root


@contextlib.contextmanager
def virtuoso(folder: Path, scale: int = 1) -> Iterator[Virtuoso]:
    """A private Virtuoso in ``folder`` (ccgraph.engines.virtuoso_ini), its cache sized for
    the scale (about 1.3 GB at 1x, 5.3 GB above)."""
    buffers = 170_000 if scale == 1 else 680_000
    config = VirtuosoConfig(folder, free_port(), free_port(), buffers=buffers,
                            dirty_buffers=buffers * 3 // 4, max_seconds=600)
    with running(config) as server:
        yield server


@contextlib.contextmanager
def haproxy(folder: Path, backends: list[str]) -> Iterator[str]:
    port = free_port()
    servers = "\n".join(f"    server r{i} {b} check" for i, b in enumerate(backends))
    (folder / "haproxy.cfg").write_text(HAPROXY_CFG.format(port=port, servers=servers))
    url = f"http://127.0.0.1:{port}"
    with process(["haproxy", "-W", "-db", "-f", str(folder / "haproxy.cfg")], folder,
                 url + "/query?query=ASK%7B%7D"):
        yield url


# ------------------------------------------------------------------ data

def scaled(source: Publishable, scale: int, folder: Path) -> Publishable:
    """``scale`` copies of the dataset, IRIs under the base renamed per copy but the first
    (so the build's own resources are there, e.g. for /doc pages)."""
    if scale == 1:
        return source
    base = f"{source.base}id/".encode()
    out = folder / f"ccgraph-{scale}x.nq.gz"
    blank = re.compile(rb"_:([A-Za-z0-9]+)")
    graphs: dict[str, int] = {}
    with gzip.open(out, "wb", compresslevel=1) as stream:
        for k in range(scale):
            mark = base + b"x%d/" % k if k else base  # copy 0 keeps the IRIs
            label = b"_:k%d\\1" % k
            batch = []
            for line in source.lines():
                cut = line.rindex(b" <")
                body = blank.sub(label, line[:cut].replace(base, mark))
                if k and body == line[:cut]:
                    continue  # nothing to rename (vocabulary, ontology): written once
                batch.append(body + line[cut:] + b"\n")
                graph = line[cut + 2:].rsplit(b">", 1)[0].decode()
                graphs[graph] = graphs.get(graph, 0) + 1
            stream.write(b"".join(batch))
    return replace(source, name=f"{source.name}-{scale}x", nquads_gz=out, graphs=graphs)


# ------------------------------------------------------------------ load cases

def load_embedded(data: Publishable, folder: Path) -> dict[str, float]:
    nq = data.write_nquads(folder / "data.nq")
    started = time.perf_counter()
    store = ox.Store(str(folder / "store"))
    store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    store.flush()
    seconds = time.perf_counter() - started
    quads = len(store)
    del store
    if quads != data.quads:
        raise RuntimeError(f"embedded: {quads} quads loaded, expected {data.quads}")
    return {"load": seconds}


def offline_nquads(data: Publishable, folder: Path) -> Path:
    """The N-Quads an offline loader takes: the named graphs and the union graph that
    ``ccgraph publish`` adds (engines/union.py), so the engine answers with set semantics."""
    nq = data.write_nquads(folder / "data.nq")
    append_union_quads(data, nq)
    return nq


def offline_virtuoso_files(data: Publishable, folder: Path) -> str:
    """The gzipped N-Quads and the union graph beside them in ``folder``; the file pattern
    for Virtuoso's ``ld_dir``."""
    shutil.copy(data.nquads_gz, folder / "data.nq.gz")
    graph = f" <{union_graph(data.base)}> .\n".encode()
    with gzip.open(folder / "union.nq.gz", "wb", compresslevel=1) as out:
        for triple in union_triples(data):
            out.write(triple + graph)
    return "*.nq.gz"


def load_oxigraph_cli(data: Publishable, folder: Path) -> dict[str, float]:
    nq = offline_nquads(data, folder)
    seconds = oxigraph_server.load(folder / "store", nq)
    with oxigraph(folder / "store") as root:
        checked = verify(root + "/query", data)
    if not checked.ok:
        raise RuntimeError(checked.summary())
    return {"load": seconds}


def publish_case(engine: str, method: str) -> Callable[[Publishable, Path], dict[str, float]]:
    def run(data: Publishable, folder: Path) -> dict[str, float]:
        release = folder / "release"
        _as_release(data, release)
        if engine == "oxigraph":
            (folder / "store").mkdir()
            with oxigraph(folder / "store") as root:
                done = publish_to(release, root, engine, method)
        else:
            with virtuoso(folder) as server:
                done = publish_to(release, server.root, engine, method, DBA)
        return {"load": done.seconds_load, "verify": done.seconds_verify}
    return run


def load_virtuoso_bulk(data: Publishable, folder: Path) -> dict[str, float]:
    pattern = offline_virtuoso_files(data, folder)
    with virtuoso(folder, 1 if data.quads < 1_000_000 else 100) as server:
        seconds = bulk_load(server, folder, pattern, "urn:ccgraph:unused")
        checked = verify(server.sparql, data)
        if not checked.ok:
            raise RuntimeError(checked.summary())
    return {"load": seconds}


def _as_release(data: Publishable, folder: Path) -> None:
    """A minimal release directory around the (scaled) N-Quads, for ``publish_to``."""
    from ccgraph.inputs import sha256_file

    folder.mkdir()
    nq = folder / "ccgraph.nq.gz"
    os.link(data.nquads_gz, nq)
    entry = {"name": "ccgraph.nq.gz", "bytes": nq.stat().st_size, "sha256": sha256_file(nq),
             "media_type": "application/n-quads", "description": "bench", "compressed": True}
    meta = {"name": data.name, "number": 1, "issued": "", "version": data.version,
            "build_version": data.version, "base": data.base, "previous": None,
            "quads": data.quads, "triples": 0, "files": [entry], "inputs": [],
            "graphs": data.graphs}
    (folder / "release.json").write_text(json.dumps(meta))


CASES: dict[str, tuple[Callable[[Publishable, Path], dict[str, float]], bool]] = {
    # name: (run, bulk: runs at every scale)
    "embedded": (load_embedded, True),
    "oxigraph-load": (load_oxigraph_cli, True),
    "virtuoso-bulk": (load_virtuoso_bulk, True),
    "oxigraph-store": (publish_case("oxigraph", "store"), False),
    "oxigraph-graphs": (publish_case("oxigraph", "graphs"), False),
    "virtuoso-gsp": (publish_case("virtuoso", "graphs"), False),
}


# ------------------------------------------------------------------ replicas

def gallery() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))]


def play(url: str, queries: list[str], clients: int, duration: float) -> dict[str, float]:
    latencies: list[float] = []
    failures = [0]
    stop = time.monotonic() + duration
    lock = threading.Lock()

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < stop:
            body = urllib.parse.urlencode({"query": queries[i % len(queries)]}).encode()
            req = urllib.request.Request(url + "/query", data=body, headers={
                "Accept": "application/sparql-results+json",
                "Content-Type": "application/x-www-form-urlencoded"})
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=60) as answer:
                    answer.read()
                with lock:
                    latencies.append(time.perf_counter() - t0)
            except OSError:
                with lock:
                    failures[0] += 1
            i += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    p99 = latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan")
    return {"rps": len(latencies) / duration, "p99_ms": p99 * 1000, "failed": failures[0]}


def replicas(store: Path, clients: list[int], duration: float, runs: int
             ) -> dict[str, Any]:
    queries = gallery()
    results: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        roots = []
        for k in range(2):
            folder = stack.enter_context(scratch(f"ccgraph-bench-replica{k}-"))
            shutil.copytree(store, folder / "store")
            roots.append(stack.enter_context(oxigraph(folder / "store", read_only=True)))
        sets = {"one": roots[:1], "two": roots}
        balancers = {}
        for name, members in sets.items():
            folder = stack.enter_context(scratch(f"ccgraph-bench-haproxy-{name}-"))
            balancers[name] = stack.enter_context(
                haproxy(folder, [r.removeprefix("http://") for r in members]))
        for url in balancers.values():
            play(url, queries, 2, 2)  # warm up
        for n in clients:
            cells: dict[str, list[dict[str, float]]] = {name: [] for name in sets}
            for _ in range(runs):
                for name, url in balancers.items():
                    cells[name].append(play(url, queries, n, duration))
                    print(f"replicas {name} clients {n}: {cells[name][-1]}", flush=True)
            results[str(n)] = {
                name: {"rps": statistics.median(c["rps"] for c in runs_),
                       "p99_ms": statistics.median(c["p99_ms"] for c in runs_),
                       "failed": sum(c["failed"] for c in runs_)}
                for name, runs_ in cells.items()}
    return results


# ------------------------------------------------------------------ report

def versions() -> dict[str, str]:
    def run(*command: str) -> str:
        try:
            out = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError:
            return "not installed"
        return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or
                                                                       out.stderr) else ""

    def pkg(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {"oxigraph": run(oxigraph_server.program(), "--version"),
            "pyoxigraph": pkg("pyoxigraph"),
            "virtuoso-opensource": run("dpkg-query", "-W", "-f", "${Version}",
                                       "virtuoso-opensource"),
            "haproxy": run("haproxy", "-v"), "ccgraph": pkg("ccgraph"),
            "python": platform.python_version()}


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        cpu = next((line.split(":", 1)[1].strip() for line in
                    Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    mem = ""
    with contextlib.suppress(OSError):
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    return {"platform": platform.platform(), "cpu": cpu, "cores": os.cpu_count(),
            "memory": mem, "load_average": os.getloadavg()}


def markdown(report: dict[str, Any]) -> str:
    out = ["# Backends benchmark", "",
           f"{report['started']}, {report['machine']['cpu']} ({report['machine']['cores']} "
           f"cores, {report['machine']['memory']}, load average at start "
           f"{report['machine']['load_average'][0]:.1f}, at end "
           f"{report['machine'].get('load_average_end', [float('nan')])[0]:.1f}); "
           + ", ".join(f"{k} {v}" for k, v in report["versions"].items()), "",
           "## Load (seconds, median of runs; verification apart)", "",
           "| scale | quads | case | load s | × embedded | verify s | runs |",
           "|---|---|---|---|---|---|---|"]
    for scale, cases in report["load"].items():
        embedded = cases.get("embedded", {}).get("load")
        for name, cell in cases.items():
            if "error" in cell:
                out.append(f"| {scale}× | {cell['quads']} | {name} | failed: {cell['error']} "
                           "| | | 0 |")
                continue
            ratio = f"{cell['load'] / embedded:.1f}" if embedded and "load" in cell else ""
            checked = f"{cell['verify']:.1f}" if "verify" in cell else "–"
            out.append(f"| {scale}× | {cell.get('quads', '')} | {name} | "
                       f"{cell.get('load', float('nan')):.1f} | {ratio} | {checked} | "
                       f"{cell.get('runs', 0)} |")
    out += serve_markdown(report.get("serve", {}), report.get("serve_settings", {}))
    if report.get("replicas"):
        out += ["", "## Replicas: gallery queries through HAProxy (medians)", "",
                "| clients | one: req/s | one: p99 ms | two: req/s | two: p99 ms | two / one "
                "| failed |",
                "|---|---|---|---|---|---|---|"]
        for clients, cell in report["replicas"].items():
            one, two = cell["one"], cell["two"]
            out.append(f"| {clients} | {one['rps']:.1f} | {one['p99_ms']:.0f} | "
                       f"{two['rps']:.1f} | {two['p99_ms']:.0f} | {two['rps'] / one['rps']:.2f} "
                       f"| {one['failed'] + two['failed']} |")
    return "\n".join(out) + "\n"


def _gallery_scope(skipped: list[str]) -> str:
    """How much of the gallery the served runs used, in words."""
    return f"gallery without {', '.join(skipped)}" if skipped else "the whole gallery"


def serve_markdown(serve: dict[str, Any], settings: dict[str, Any]) -> list[str]:
    """ccgraph over each backend: req/s and p99 per workload and client count, with the
    ratio of req/s to the embedded store's in the same run."""
    if not serve:
        return []
    checks = "; ".join(
        f"{scale}× {name}: " + ", ".join(
            f"{w} " + " ".join(f"{n}×{st}" for st, n in sorted(c.items()))
            for w, c in cell.get("checks", {}).items())
        for scale, backends in serve.items() for name, cell in backends.items())
    out = ["", "## ccgraph served over each backend (result cache off; wrk; medians of the "
           "runs of each cell)", "",
           f"{settings.get('duration', '?')} s a cell and {settings.get('runs', '?')} runs at "
           f"1×, {settings.get('duration_at_scale', settings.get('duration', '?'))} s and 1 run "
           "above, servers rotating; "
           f"{_gallery_scope(settings.get('gallery_skip', []))}; /doc mix of "
           f"{settings.get('doc_sample', '?')} cities, facilities and pledges, Turtle and "
           f"HTML. Statuses, each request once before timing: {checks}.", ""]
    failed = [f"- {scale}× {name}, {w}, not 200: {', '.join(items)}"
              for scale, backends in serve.items() for name, cell in backends.items()
              for w, items in cell.get("failed", {}).items()]
    out += [*failed, ""] if failed else []
    out += ["| scale | backend | load s | workload | clients | req/s | × embedded | "
            "answered/s | p99 ms | not 2xx/3xx | errors | load avg |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for scale, backends in serve.items():
        base = backends.get("embedded", {})
        for name, cell in backends.items():
            if "error" in cell:
                out.append(f"| {scale}× | {name} | failed: {cell['error']} | | | | | | | | | |")
                continue
            for workload in ("gallery", "doc"):
                for clients, run in cell.get(workload, {}).items():
                    ref = base.get(workload, {}).get(clients, {}).get("rps")
                    ratio = f"{run['rps'] / ref:.2f}" if ref else ""
                    errors = run["errors"]["status"] + run["errors"]["timeout"]
                    loaded = "(build)" if name == "embedded" and scale == "1" else cell["load_s"]
                    out.append(f"| {scale}× | {name} | {loaded} | {workload} | "
                               f"{clients} | {run['rps']:.1f} | {ratio} | "
                               f"{run.get('ok_rps', run['rps']):.1f} | "
                               f"{run['p99_ms']:.0f} | {run['non_2xx_3xx']} | {errors} | "
                               f"{run.get('load_average', '')} |")
    return out


def rewrite(json_path: Path) -> str:
    """The Markdown of a saved run (e.g. one stopped early)."""
    text = markdown(json.loads(json_path.read_text()))
    json_path.with_suffix(".md").write_text(text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, default=None,
                        help="a release directory (default: build the network and release it)")
    parser.add_argument("--scales", default="1,100")
    parser.add_argument("--runs", type=int, default=3, help="runs per load case at scale 1")
    parser.add_argument("--runs-at-scale", type=int, default=1)
    parser.add_argument("--all-at-scale", action="store_true",
                        help="also the transactional and per-graph loads above scale 1")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--build", type=Path, default=None,
                        help="the build served in the serve rows (default: the release's, "
                             "or the one built here)")
    parser.add_argument("--serve-scales", default="1,100",
                        help="scales of the serve rows (ccgraph over each backend); "
                             "empty: none")
    parser.add_argument("--serve-backends", default="embedded,oxigraph,virtuoso")
    parser.add_argument("--serve-clients", default="1,4,16")
    parser.add_argument("--serve-duration", type=float, default=8.0,
                        help="seconds per serve cell")
    parser.add_argument("--serve-duration-at-scale", type=float, default=30.0,
                        help="seconds per serve cell above scale 1 (queries take seconds)")
    parser.add_argument("--serve-runs", type=int, default=3,
                        help="runs of each serve cell (medians) at scale 1; 1 above")
    parser.add_argument("--gallery-skip", default="",
                        help="gallery queries left out of the serve rows, for every backend, "
                             "comma-separated (none by default: over Virtuoso ccgraph refuses "
                             "the nearest-city query's chain of BINDs before sending it, 503, "
                             "and the engines stop queries at the deadline: "
                             "ccgraph.remote_deadline)")
    parser.add_argument("--doc-sample", type=int, default=10,
                        help="cities, facilities and pledges each, for the /doc mix")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--clients", default="4,16",
                        help="replica rows' client counts (empty: no replica rows)")
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--replica-runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--markdown", type=Path, default=None, metavar="JSON",
                        help="only rewrite the Markdown of a saved run")
    args = parser.parse_args(argv)
    if args.markdown:
        print(rewrite(args.markdown))
        return 0

    report: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                              "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
                              "machine": machine(), "versions": versions(), "load": {}}
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = report["started"].replace(":", "")

    def save() -> None:  # after every cell: an interrupted run keeps what it measured
        (args.out / f"backends-{stamp}.json").write_text(json.dumps(report, indent=2))
        (args.out / f"backends-{stamp}.md").write_text(markdown(report))

    with contextlib.ExitStack() as stack:
        release, build = args.release, args.build
        if release is None:
            release = _make_release(stack.enter_context(scratch("ccgraph-bench-build-")))
        if build is None and is_build(release.parent.parent):
            build = release.parent.parent  # build/releases/NAME
        source = open_source(release)
        serve_scales = {int(s) for s in args.serve_scales.split(",") if s}
        report["serve_settings"] = {
            "duration": args.serve_duration, "runs": args.serve_runs,
            "duration_at_scale": args.serve_duration_at_scale,
            "clients": args.serve_clients, "doc_sample": args.doc_sample,
            "gallery_skip": [q for q in args.gallery_skip.split(",") if q]}
        if serve_scales and build is None:
            raise SystemExit("the serve rows need the build: give --build DIR")
        if args.clients:
            report["replicas"] = replicas(release / "store",
                                          [int(c) for c in args.clients.split(",")],
                                          args.duration, args.replica_runs)
            save()
        work = stack.enter_context(scratch("ccgraph-bench-data-"))
        for scale in (int(s) for s in args.scales.split(",") if s):
            print(f"scale {scale}: preparing", flush=True)
            data = scaled(source, scale, work)
            cells: dict[str, Any] = {}
            report["load"][str(scale)] = cells
            for name in (c for c in args.cases.split(",") if c):
                run, bulk = CASES[name]
                if scale > 1 and not (bulk or args.all_at_scale):
                    continue
                times: list[dict[str, float]] = []
                for _ in range(args.runs if scale == 1 else args.runs_at_scale):
                    with scratch(f"ccgraph-bench-{name}-") as folder:
                        try:
                            times.append(run(data, folder))
                        except Exception as exc:  # a failed case is reported, not fatal
                            cells[name] = {"quads": data.quads, "runs": 0,
                                           "error": f"{type(exc).__name__}: {exc}"[:300]}
                            print(f"{scale}x {name}: failed: {exc}", flush=True)
                            break
                    print(f"{scale}x {name}: {times[-1]}", flush=True)
                if times:
                    cells[name] = {"quads": data.quads, "runs": len(times),
                                   **{k: statistics.median(t[k] for t in times)
                                      for k in times[0]}}
                save()
            if scale in serve_scales and build is not None:
                from backends_serve import serve_rows

                report.setdefault("serve", {})[str(scale)] = serve_rows(
                    build, data, scale, work, [int(c) for c in args.serve_clients.split(",")],
                    args.serve_duration if scale == 1 else args.serve_duration_at_scale,
                    args.doc_sample, args.seed,
                    args.serve_runs if scale == 1 else 1,
                    tuple(b for b in args.serve_backends.split(",") if b),
                    frozenset(q for q in args.gallery_skip.split(",") if q))
                save()
            if data is not source:
                data.nquads_gz.unlink()
    report["machine"]["load_average_end"] = os.getloadavg()
    save()
    print(markdown(report))
    return 0


def _make_release(folder: Path) -> Path:
    from ccgraph.build import build
    from ccgraph.locate import search_dirs, source_files
    from ccgraph.release import make_release
    from ccgraph.settings import Settings

    settings = Settings.load({"store": folder / "build"})
    paths = source_files(search_dirs(settings))
    print(f"building the network from {len(paths)} sources", flush=True)
    build(paths, folder / "build", settings)
    return make_release(folder / "build", "bench").path


if __name__ == "__main__":
    sys.exit(main())
