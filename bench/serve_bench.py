"""Serving benchmark: ccgraph side by side with its peers, on loopback, in one run.

Started here, each on 127.0.0.1 and a free port, each stopped at the end (also on Ctrl-C or
an error):

* ``ccgraph``          -- the production server (``ccgraph serve``: gunicorn, gthread, its
                          default workers and threads)
* ``ccgraph-nocache``  -- the same with its result cache off (``CCGRAPH_RESULT_CACHE_MB=0``),
                          so the cache's share of the numbers is visible
* ``virtuoso``         -- Virtuoso 7.2 (Debian ``virtuoso-opensource``) loaded with the dump
* ``rdflib-endpoint``  -- rdflib-endpoint (PyPI) under uvicorn, 2 workers, same dump
* ``hello``            -- Flask "hello world" under the same gunicorn configuration (ceiling)

Workloads (request lists played round-robin by wrk, see wrk_mix.lua): the query gallery
(queries/*.rq, all of it, mixed), one simple SELECT, one join + OPTIONAL + CONTAINS query,
/doc of random resources as Turtle, JSON-LD and HTML, and conditional /doc requests that end
in 304. Each cell (server x workload x concurrency) runs for ``--duration`` seconds; servers
alternate within each (workload, concurrency) so that drift hits all of them alike.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from ccgraph.engines import virtuoso_ini
from ccgraph.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
CONCURRENCY = (1, 4, 16)
SPARQL_JSON = "application/sparql-results+json"
SIMPLE_QUERY = """PREFIX ccg: <https://w3id.org/ccgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?city ?label WHERE {
  ?city a ccg:CreativeCity ; rdfs:label ?label .
  FILTER(lang(?label) = "en")
} LIMIT 20"""
JOIN_QUERY = """PREFIX ccg: <https://w3id.org/ccgraph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
SELECT ?city ?label ?year ?text WHERE {
  ?m a ccg:Membership ; org:member ?city ; ccg:field ?f .
  OPTIONAL { ?m ccg:yearDesignated ?year }
  ?city rdfs:label ?label . FILTER(lang(?label) = "en")
  ?c ccg:commitmentOf ?city ; ccg:field ?f ; schema:text ?text .
  FILTER(CONTAINS(LCASE(STR(?text)), "youth"))
} LIMIT 100"""
#: sparql-gallery-common: the gallery less the queries some server failed (status other than
#: 200, or no answer within 20 s) in the sanity check, so that one query an engine cannot
#: answer does not decide the comparison; the report names the queries left out
SPARQL_WORKLOADS = ("sparql-gallery", "sparql-gallery-common", "sparql-simple", "sparql-join")
DOC_WORKLOADS = ("doc-ttl", "doc-jsonld", "doc-html", "doc-304")
DOC_ACCEPT = {"doc-ttl": "text/turtle", "doc-jsonld": "application/ld+json",
              "doc-html": "text/html", "doc-304": "text/turtle"}


# ------------------------------------------------------------------ processes

@dataclass
class Server:
    name: str
    url: str
    workloads: tuple[str, ...]
    proc: subprocess.Popen[bytes] | None = None
    note: str = ""
    version: str = ""
    restarts: int = 0
    #: how to start the server again when it is still busy after a cell or has died
    restart: Any = None


@dataclass
class Run:
    out: Path
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)
    temp_dirs: list[Path] = field(default_factory=list)
    rdflib_starts: int = 0

    def spawn(self, cmd: list[str], log: str, **kwargs: Any) -> subprocess.Popen[bytes]:
        logfile = (self.out / "logs" / log).open("ab")
        proc = subprocess.Popen(cmd, stdout=logfile, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, **kwargs)
        self.started.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        """Stop one process group this run started."""
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        self.started.remove(proc)

    def stop_all(self) -> None:
        """Stop every process group this run started (by id), newest first."""
        for proc in reversed(self.started):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in reversed(self.started):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        self.started.clear()
        for d in self.temp_dirs:
            shutil.rmtree(d, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes] | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                resp.read()
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url}: no answer within {timeout:.0f} s")


def fetch(url: str, headers: dict[str, str] | None = None,
          timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


# ------------------------------------------------------------------ servers

def start_ccgraph(run: Run, build: Path, name: str, env_extra: dict[str, str]) -> Server:
    port = free_port()
    env = {**os.environ, **env_extra, "CCGRAPH_STORE": str(build)}
    defaults = Settings.load()  # the layout `ccgraph serve` gets unless a variant says
    workers = env_extra.get("CCGRAPH_WORKERS", str(defaults.workers))
    proc = run.spawn([str(BIN / "ccgraph"), "serve", "--store", str(build), "--host",
                      "127.0.0.1", "--port", str(port), "--workers", workers], f"{name}.log",
                     env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/healthz", proc, 120)
    settings = " ".join(f"{k}={v}" for k, v in env_extra.items()
                        if k not in ("CCGRAPH_RESULT_CACHE_MB", "CCGRAPH_WORKERS"))
    threads = env_extra.get("CCGRAPH_THREADS", str(defaults.threads))
    return Server(name, url, SPARQL_WORKLOADS + DOC_WORKLOADS if name == "ccgraph"
                  else SPARQL_WORKLOADS, proc,
                  note=f"gunicorn gthread, {workers} workers x {threads} threads" +
                  (", result cache off" if "CCGRAPH_RESULT_CACHE_MB" in env_extra else "") +
                  (f", {settings}" if settings else ""),
                  version=metadata.version("ccgraph"))


def variant(text: str) -> tuple[str, dict[str, str]]:
    """``NAME:VAR=VALUE,VAR=VALUE`` (--variant): a ccgraph server with its cache off and
    these environment settings, reported as ``ccgraph-NAME``."""
    name, _, assignments = text.partition(":")
    env = {"CCGRAPH_RESULT_CACHE_MB": "0"}
    for item in filter(None, assignments.split(",")):
        key, sep, value = item.partition("=")
        if not sep or not key.startswith("CCGRAPH_"):
            raise argparse.ArgumentTypeError(f"--variant {text}: give CCGRAPH_NAME=VALUE pairs")
        env[key] = value
    return "ccgraph-" + name, env


def start_hello(run: Run) -> Server:
    port = free_port()
    proc = run.spawn([sys.executable, str(BENCH / "hello.py"), "--port", str(port)],
                     "hello.log", cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/", proc, 60)
    return Server("hello", url, SPARQL_WORKLOADS + DOC_WORKLOADS, proc,
                  note="Flask hello world, same gunicorn options (ceiling)",
                  version="flask " + metadata.version("flask"))


def ensure_bench_requirements() -> None:
    try:
        import rdflib_endpoint  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        print("installing bench/requirements.txt into", sys.prefix, flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r",
                        str(BENCH / "requirements.txt")], check=True)


def start_rdflib(run: Run, dump: Path) -> Server:
    port = free_port()
    env = {**os.environ, "CCGRAPH_BENCH_DUMP": str(dump)}
    proc = run.spawn([sys.executable, "-m", "uvicorn", "rdflib_app:app", "--app-dir",
                      str(BENCH), "--host", "127.0.0.1", "--port", str(port),
                      "--workers", "2"], "rdflib-endpoint.log", env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/sparql?query=" + urllib.parse.quote("ASK {}"), proc, 180)
    # every worker parses the dump itself: wait until both say so, so that no loading
    # worker eats CPU while another server is measured
    log = run.out / "logs" / "rdflib-endpoint.log"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        done = log.read_text(errors="replace").count("Application startup complete")
        if done >= 2 * (run.rdflib_starts + 1):
            break
        time.sleep(0.2)
    run.rdflib_starts += 1
    return Server("rdflib-endpoint", url, SPARQL_WORKLOADS, proc,
                  note="uvicorn, 2 workers, rdflib in-memory graph",
                  version="rdflib-endpoint " + metadata.version("rdflib-endpoint")
                  + ", rdflib " + metadata.version("rdflib"))


def start_virtuoso(run: Run, dump_gz: Path, deadline: float) -> Server | str:
    """Virtuoso from Debian, installed when missing; returns a reason when it cannot run.

    Its endpoint gets ccgraph's deadline (``deadline`` s, ``ExecutionTimeout``: a query
    past it is answered 500 and stopped) and the same cap on rows; a restart (see
    :func:`settle`) starts it again on the loaded database."""
    exe = shutil.which("virtuoso-t")
    if exe is None and shutil.which("apt-get") and os.geteuid() == 0:
        print("installing virtuoso-opensource from Debian", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "virtuoso-opensource"],
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                       stdout=subprocess.DEVNULL, check=False)
        exe = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt") or shutil.which("isql")
    if exe is None or isql is None:
        return "virtuoso-opensource is not installed and could not be installed"
    d = Path(tempfile.mkdtemp(prefix="ccgraph-bench-virtuoso-"))
    run.temp_dirs.append(d)
    with gzip.open(dump_gz, "rb") as src, (d / "ccgraph.nt").open("wb") as dst:
        shutil.copyfileobj(src, dst)
    config = virtuoso_ini.VirtuosoConfig(d, free_port(), free_port(), connections=32,
                                         max_rows=10_000, tuned=True,
                                         max_seconds=round(deadline), deadline=round(deadline))
    server = virtuoso_ini.start(config, run.out / "logs" / "virtuoso.log")
    run.started.append(server.proc)
    url = server.root
    server.wait(180)
    try:
        seconds = virtuoso_ini.bulk_load(server, d, "ccgraph.nt", "urn:ccgraph:bench", 300)
    except virtuoso_ini.VirtuosoError as exc:
        return f"loading Virtuoso failed: {exc}"
    version = ""
    with contextlib.suppress(Exception):
        version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}",
                                  "virtuoso-opensource"], capture_output=True, text=True,
                                 check=False).stdout.strip()
    out = Server("virtuoso", url, SPARQL_WORKLOADS, server.proc,
                 note=f"Virtuoso Open Source (Debian), loaded in {seconds:.1f} s; "
                      f"ExecutionTimeout = MaxQueryExecutionTime = {config.deadline} s",
                 version="virtuoso-opensource " + version)

    def restart() -> None:
        if out.proc is not None:
            run.stop(out.proc)
        again = virtuoso_ini.start(config, run.out / "logs" / "virtuoso.log")
        run.started.append(again.proc)
        again.wait(180)
        out.proc = again.proc

    out.restart = restart
    return out


def settle(run: Run, server: Server, dump: Path) -> None:
    """After a cell, make sure the server is idle again before the next one is measured.

    rdflib-endpoint cannot stop a query whose client has gone (wrk's 10 s timeout), nor can
    Virtuoso stop one that is still being compiled: such a query goes on eating CPU and
    would slow every later cell, whoever is measured. So a server that does not answer a
    trivial query within 3 s, or whose process has exited, is restarted (counted in the
    report)."""
    probe = server.url + "/sparql?query=" + urllib.parse.quote("ASK {}")
    alive = server.proc is None or server.proc.poll() is None
    try:
        if alive:
            fetch(probe, {"Accept": SPARQL_JSON}, timeout=3)
            fetch(probe, {"Accept": SPARQL_JSON}, timeout=3)
            return
    except OSError:
        pass
    if server.name == "rdflib-endpoint" and server.proc is not None:
        print(f"  {server.name} is still busy: restarting it", flush=True)
        run.stop(server.proc)
        fresh = start_rdflib(run, dump)
        server.url, server.proc = fresh.url, fresh.proc
        server.restarts += 1
    elif server.restart is not None:
        state = "still busy" if alive else f"gone (exit {server.proc and server.proc.returncode})"
        print(f"  {server.name} is {state}: restarting it", flush=True)
        server.restart()
        server.restarts += 1


# ------------------------------------------------------------------ workloads

def sparql_line(query: str) -> str:
    return f"GET\t/sparql?query={urllib.parse.quote(query)}\tAccept: {SPARQL_JSON}"


def gallery_queries(skip: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(name, text) of queries/*.rq in order, less the names in ``skip``."""
    return [(p.stem, p.read_text(encoding="utf-8"))
            for p in sorted((ROOT / "queries").glob("*.rq")) if p.stem not in skip]


#: --gallery-skip: left out of the gallery for every server, and why
GALLERY_SKIP = "23-nearest-to-sapporo"
GALLERY_SKIP_WHY = (
    "Virtuoso 7.2 cannot answer it: its chain of 14 nested BINDs blows up in the "
    "SPARQL-to-SQL compiler (measured: 3 Newton steps 0.4 s, 5 steps 2.4 s, 7 steps a 500 "
    "after 27 s, 14 no answer in 200 s), which no Virtuoso deadline stops, so the engine "
    "keeps computing after the client gives up and slows every later cell; left out for "
    "every server so that all play the same requests")


def doc_paths(ccgraph_url: str, base: str, count: int, seed: int) -> list[str]:
    query = ("SELECT DISTINCT ?s WHERE { ?s ?p ?o . FILTER(isIRI(?s) && STRSTARTS(STR(?s), "
             f'"{base}id/") && !CONTAINS(STR(?s), "#")) }}')
    status, _, body = fetch(f"{ccgraph_url}/sparql?query={urllib.parse.quote(query)}",
                            {"Accept": SPARQL_JSON})
    if status != 200:
        raise RuntimeError(f"cannot list resources: {status} {body[:200]!r}")
    iris = sorted(b["s"]["value"] for b in json.loads(body)["results"]["bindings"])
    rnd = random.Random(seed)
    chosen = rnd.sample(iris, min(count, len(iris)))
    return ["/doc/" + iri[len(base) + 3:] for iri in chosen]


def write_workloads(run_dir: Path, ccgraph_url: str, base: str, resources: int,
                    seed: int, skip: frozenset[str] = frozenset()) -> dict[str, Path]:
    wdir = run_dir / "workloads"
    wdir.mkdir(exist_ok=True)
    lines: dict[str, list[str]] = {
        "sparql-gallery": [sparql_line(q) for _, q in gallery_queries(skip)],
        "sparql-gallery-common": [sparql_line(q) for _, q in gallery_queries(skip)],
        "sparql-simple": [sparql_line(SIMPLE_QUERY)],
        "sparql-join": [sparql_line(JOIN_QUERY)],
    }
    paths = doc_paths(ccgraph_url, base, resources, seed)
    for name in ("doc-ttl", "doc-jsonld", "doc-html"):
        lines[name] = [f"GET\t{p}\tAccept: {DOC_ACCEPT[name]}" for p in paths]
    _, headers, _ = fetch(ccgraph_url + paths[0], {"Accept": "text/turtle"})
    tag = headers.get("ETag", "")
    lines["doc-304"] = [f"GET\t{p}\tAccept: text/turtle\tIf-None-Match: {tag}" for p in paths]
    files = {}
    for name, items in lines.items():
        path = wdir / f"{name}.txt"
        path.write_text("\n".join(items) + "\n", encoding="utf-8")
        files[name] = path
    return files


def answer_rows(status: int, headers: dict[str, str], body: bytes) -> int | None:
    """The number of solutions of a SPARQL JSON answer (None when it is not one)."""
    if status != 200 or not headers.get("Content-Type", "").startswith(SPARQL_JSON):
        return None
    try:
        return len(json.loads(body)["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return None


def partial(status: int, headers: dict[str, str]) -> bool:
    """An answer cut short yet not failed: Virtuoso's "anytime" answers (206, or 200 with
    ``X-SQL-State``, e.g. S1TAT) and ccgraph's capped ones (``X-Result-Truncated``)."""
    lower = {k.lower(): v for k, v in headers.items()}
    return status == 206 or "x-sql-state" in lower or \
        lower.get("x-result-truncated", "") == "true"


def check_server(server: Server, files: dict[str, Path], limit: int = 40,
                 failed: set[str] | None = None,
                 rows: dict[str, dict[str, int | None]] | None = None) -> dict[str, Any]:
    """Play each distinct request once (up to ``limit`` per workload) and count statuses;
    an answer cut short (:func:`partial`) counts as ``partial``, not as its status. The
    gallery's lines that fail or are cut short go into ``failed``; each gallery answer's
    number of solutions into ``rows[server][line]`` (compared across servers)."""
    out: dict[str, Any] = {}
    for name in server.workloads:
        if name == "sparql-gallery-common":
            continue
        statuses: dict[str, int] = {}
        for line in files[name].read_text(encoding="utf-8").splitlines()[:limit]:
            _method, path, *hdrs = line.split("\t")
            headers = dict(h.split(": ", 1) for h in hdrs)
            try:
                status, got, body = fetch(server.url + path, headers, timeout=20)
            except OSError as exc:
                status, got, body = 0, {}, b""
                print(f"  {server.name} {name}: {exc}", flush=True)
            key = "partial" if status and partial(status, got) else str(status)
            statuses[key] = statuses.get(key, 0) + 1
            if name == "sparql-gallery":
                if key != "200" and failed is not None:
                    failed.add(line)
                if rows is not None:
                    rows.setdefault(server.name, {})[line] = answer_rows(status, got, body)
        out[name] = statuses
    return out


def row_mismatches(rows: dict[str, dict[str, int | None]], names: dict[str, str],
                   reference: str = "ccgraph") -> list[str]:
    """Gallery queries answered 200 with another number of solutions than ``reference``
    gave ("QUERY: server N vs M")."""
    mine = rows.get(reference, {})
    out = []
    for server, answers in rows.items():
        for line, count in answers.items():
            want = mine.get(line)
            if server != reference and count is not None and want is not None \
                    and count != want:
                out.append(f"{names.get(line, line[:60])}: {server} {count} vs {want}")
    return sorted(out)


def gallery_names() -> dict[str, str]:
    """The gallery query's name of each workload line."""
    return {sparql_line(q): name for name, q in gallery_queries()}


def write_common_gallery(files: dict[str, Path], failed: set[str]) -> list[str]:
    """Write sparql-gallery-common (the gallery less ``failed``); the names left out."""
    lines = files["sparql-gallery"].read_text(encoding="utf-8").splitlines()
    files["sparql-gallery-common"].write_text(
        "\n".join(line for line in lines if line not in failed) + "\n", encoding="utf-8")
    by_line = gallery_names()
    return sorted(by_line.get(line, line[:60]) for line in failed)


def per_query(server: Server, repeat: int, skip: frozenset[str] = frozenset()
              ) -> dict[str, float | None]:
    """Each gallery query alone, ``repeat`` times one after the other: median ms (None when
    it failed, was cut short or took over 20 s), so the slow queries of each engine show."""
    out: dict[str, float | None] = {}
    for name, query in gallery_queries(skip):
        url = f"{server.url}/sparql?query={urllib.parse.quote(query)}"
        times: list[float] = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            try:
                status, got, _ = fetch(url, {"Accept": SPARQL_JSON}, timeout=20)
            except OSError:
                status, got = 0, {}
            if status != 200 or partial(status, got):
                times = []
                break
            times.append((time.perf_counter() - t0) * 1000)
        out[name] = round(sorted(times)[len(times) // 2], 2) if times else None
    return out


# ------------------------------------------------------------------ load generator

def wrk(url: str, requests_file: Path, connections: int, duration: float) -> dict[str, Any]:
    threads = max(1, min(2, connections))
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration:g}s",
           "--timeout", "10s", "-s", str(BENCH / "wrk_mix.lua"), url, "--",
           str(requests_file)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60,
                          check=False)
    match = re.search(r"^WRKJSON (.*)$", proc.stdout, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk failed: {proc.stdout[-400:]} {proc.stderr[-400:]}")
    data: dict[str, Any] = json.loads(match.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", proc.stdout)
    data["non_2xx_3xx"] = int(non2xx.group(1)) if non2xx else 0
    seconds = data["duration_us"] / 1e6
    data["rps"] = round(data["requests"] / seconds, 1) if seconds else 0.0
    data["p50_ms"] = round(data["latency_us"]["p50"] / 1000, 2)
    data["p99_ms"] = round(data["latency_us"]["p99"] / 1000, 2)
    return data


# ------------------------------------------------------------------ report

def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True,
                                 check=False).stdout.splitlines()
    return {"platform": platform.platform(), "cpu": cpu, "cores": os.cpu_count(),
            "memory": mem, "python": platform.python_version(),
            "wrk": wrk_version[0] if wrk_version else "",
            "packages": {p: _version(p) for p in ("ccgraph", "pyoxigraph", "rdflib", "flask",
                                                  "gunicorn", "rdflib-endpoint", "uvicorn")}}


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def markdown(report: dict[str, Any]) -> str:
    cells = report["cells"]
    servers = [s["name"] for s in report["servers"]]
    out = ["# ccgraph serving benchmark", "",
           f"Run {report['started']} on {report['machine']['cpu']} "
           f"({report['machine']['cores']} cores, {report['machine']['memory']}), "
           f"{report['machine']['platform']}; {report['machine']['wrk']}; "
           f"{report['duration']:g} s per cell; graph of {report['graph']['triples']} triples.",
           ""]
    for s in report["servers"]:
        restarts = (f" (restarted {s['restarts']}× when still busy after a cell)"
                    if s.get("restarts") else "")
        out.append(f"- **{s['name']}**: {s['version']} — {s['note']}{restarts}")
    for name, reason in report.get("skipped_servers", {}).items():
        out.append(f"- **{name}**: not run — {reason}")
    if report.get("gallery_skip"):
        out += ["", "Left out of the gallery for every server: "
                + ", ".join(report["gallery_skip"]) + f" ({report.get('gallery_skip_why', '')})"]
    if "deadline" in report:
        out += ["", f"Deadline per query: {report['deadline']:g} s on every server (ccgraph's "
                "query_timeout; Virtuoso's ExecutionTimeout)."]
    if report.get("gallery_left_out"):
        out += ["", "sparql-gallery-common leaves out what some server failed: "
                + ", ".join(report["gallery_left_out"])]
    out += ["", "## req/s (p50 / p99 ms)", "",
            "| workload | clients | " + " | ".join(servers) + " |",
            "|---|---|" + "---|" * len(servers)]
    for workload in SPARQL_WORKLOADS + DOC_WORKLOADS:
        for c in CONCURRENCY:
            row = [workload, str(c)]
            any_cell = False
            for s in servers:
                cell = cells.get(f"{s}|{workload}|{c}")
                if cell is None:
                    row.append("–")
                else:
                    any_cell = True
                    errors = cell["errors"]["status"] + cell["errors"]["timeout"]
                    flag = f" ⚠{errors} err" if errors else ""
                    row.append(f"{cell['rps']:,.0f} ({cell['p50_ms']:g} / {cell['p99_ms']:g})"
                               + flag)
            if any_cell:
                out.append("| " + " | ".join(row) + " |")
    out += ["", "## ratios (ccgraph req/s ÷ other req/s)", "",
            "| workload | clients | " + " | ".join(f"÷ {s}" for s in servers
                                                   if s != "ccgraph") + " |",
            "|---|---|" + "---|" * (len(servers) - 1)]
    for workload in SPARQL_WORKLOADS + DOC_WORKLOADS:
        for c in CONCURRENCY:
            mine = cells.get(f"ccgraph|{workload}|{c}")
            if mine is None:
                continue
            row = [workload, str(c)]
            for s in servers:
                if s == "ccgraph":
                    continue
                other = cells.get(f"{s}|{workload}|{c}")
                row.append(f"{mine['rps'] / other['rps']:.2f}×" if other and other["rps"]
                           else "–")
            out.append("| " + " | ".join(row) + " |")
    if report.get("per_query"):
        names = [s for s in servers if s in report["per_query"]]
        out += ["", f"## gallery queries one at a time (median ms of {report['repeat']})", "",
                "| query | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
        for query in next(iter(report["per_query"].values())):
            cells_ms = [report["per_query"][s].get(query) for s in names]
            out.append(f"| {query} | " + " | ".join("failed" if v is None else f"{v:g}"
                                                   for v in cells_ms) + " |")
    out += ["", "## targets (4 clients unless said)", ""]
    for t in report["targets"]:
        out.append(f"- {'MET' if t['met'] else 'MISSED'}: {t['target']} — measured {t['value']}")
    out += ["", "## sanity check (status counts of one pass over each request list; "
            "\"partial\": an answer cut short — Virtuoso's X-SQL-State / 206, ccgraph's "
            "X-Result-Truncated — counted as a failure)", ""]
    for name, checks in report["checks"].items():
        out.append(f"- {name}: " + "; ".join(f"{w} {v}" for w, v in checks.items()))
    if "row_mismatches" in report:
        out.append("- gallery answers with another number of solutions than ccgraph's: "
                   + ("; ".join(report["row_mismatches"]) or "none"))
    return "\n".join(out) + "\n"


def targets(cells: dict[str, Any]) -> list[dict[str, Any]]:
    def rps(server: str, workload: str, c: int = 4) -> float | None:
        cell = cells.get(f"{server}|{workload}|{c}")
        return cell["rps"] if cell else None

    out: list[dict[str, Any]] = []

    def ratio(label: str, a: float | None, b: float | None, goal: float) -> None:
        if a is None or b is None or not b:
            out.append({"target": label, "met": False, "value": "not measured"})
            return
        out.append({"target": label, "met": a / b >= goal, "value": f"{a / b:.2f}×"})

    ratio("gallery ≥ 20× rdflib-endpoint", rps("ccgraph", "sparql-gallery"),
          rps("rdflib-endpoint", "sparql-gallery"), 20)
    ratio("gallery ≥ 2× Virtuoso", rps("ccgraph", "sparql-gallery"),
          rps("virtuoso", "sparql-gallery"), 2)
    ratio("gallery, cache off, ≥ 2× Virtuoso", rps("ccgraph-nocache", "sparql-gallery"),
          rps("virtuoso", "sparql-gallery"), 2)
    for workload in ("sparql-gallery", "sparql-gallery-common"):
        for c in CONCURRENCY:  # issue 15: the first run of a query, at Virtuoso's speed
            ratio(f"{workload}, cache off, ≥ Virtuoso at {c} client{'s' * (c > 1)}",
                  rps("ccgraph-nocache", workload, c), rps("virtuoso", workload, c), 1)
    for server, label in (("ccgraph", "simple SELECT p99 < 10 ms"),
                          ("ccgraph-nocache", "simple SELECT, cache off, p99 < 10 ms")):
        simple = cells.get(f"{server}|sparql-simple|4")
        out.append({"target": label, "met": bool(simple and simple["p99_ms"] < 10),
                    "value": f"{simple['p99_ms']} ms" if simple else "not measured"})
    for workload in ("doc-ttl", "doc-jsonld"):
        ratio(f"{workload} ≥ 60% of the ceiling", rps("ccgraph", workload),
              rps("hello", workload), 0.6)
    ratio("304 ≥ 80% of the ceiling", rps("ccgraph", "doc-304"), rps("hello", "doc-304"), 0.8)
    return out


# ------------------------------------------------------------------ main

def ensure_build(run_dir: Path, build: Path | None) -> Path:
    if build is not None:
        return build
    out = run_dir / "build"
    sources = Path(os.environ.get("CCGRAPH_SOURCES", ROOT.parent / "shared" / "sources"))
    print(f"building the network from {sources} into {out}", flush=True)
    subprocess.run([str(BIN / "ccgraph"), "build", str(sources), "--out", str(out)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, help="an existing build (default: build one)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per cell")
    parser.add_argument("--resources", type=int, default=200,
                        help="random resources for the /doc workloads")
    parser.add_argument("--seed", type=int, default=20241001)
    parser.add_argument("--budget", type=float, default=570.0,
                        help="stop starting new cells after this many seconds")
    parser.add_argument("--skip", default="", help="comma-separated servers not to run")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument("--per-query", type=int, default=0, metavar="N",
                        help="also time each gallery query alone N times on each SPARQL "
                             "server (ccgraph without its cache) and report the medians")
    parser.add_argument("--variant", type=variant, action="append", default=[],
                        metavar="NAME:CCGRAPH_X=V,...",
                        help="also run ccgraph with its cache off and these settings "
                             "(e.g. slots2:CCGRAPH_QUERY_SLOTS=2,CCGRAPH_WORKERS=3); "
                             "repeatable")
    parser.add_argument("--gallery-skip", default=GALLERY_SKIP,
                        help="comma-separated gallery queries left out for every server "
                             f"(default {GALLERY_SKIP}: {GALLERY_SKIP_WHY})")
    parser.add_argument("--workloads", default="",
                        help="comma-separated workloads to run (default: all of them)")
    args = parser.parse_args(argv)
    t_start = time.monotonic()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = args.out / f"serve-{stamp}"
    (run_dir / "logs").mkdir(parents=True)
    run = Run(run_dir)
    skip = {s for s in args.skip.split(",") if s}
    gallery_skip = frozenset(q for q in args.gallery_skip.split(",") if q)
    deadline = Settings.load().query_timeout  # ccgraph's; Virtuoso gets the same

    def on_signal(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    servers: list[Server] = []
    report: dict[str, Any] = {"started": stamp, "duration": args.duration, "cells": {},
                              "checks": {}, "skipped_servers": {}}
    try:
        if shutil.which("wrk") is None and shutil.which("apt-get") and os.geteuid() == 0:
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False,
                           stdout=subprocess.DEVNULL,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        if shutil.which("wrk") is None:
            raise SystemExit("wrk is needed (apt-get install wrk)")
        ensure_bench_requirements()
        build = ensure_build(run_dir, args.build).resolve()
        meta = json.loads((build / "build.json").read_text())
        report["graph"] = {"build": str(build), "version": meta["version"],
                           "triples": meta["extra"].get("triples"), "quads": meta["quads"]}
        report["machine"] = machine()
        print("starting servers", flush=True)
        ccgraph = start_ccgraph(run, build, "ccgraph", {})
        servers.append(ccgraph)
        if "ccgraph-nocache" not in skip:
            servers.append(start_ccgraph(run, build, "ccgraph-nocache",
                                         {"CCGRAPH_RESULT_CACHE_MB": "0"}))
        for name, env_extra in args.variant:
            servers.append(start_ccgraph(run, build, name, env_extra))
        if "virtuoso" not in skip:
            started = start_virtuoso(run, build / "dumps" / "ccgraph.nt.gz", deadline)
            if isinstance(started, Server):
                servers.append(started)
            else:
                report["skipped_servers"]["virtuoso"] = started
                print("virtuoso:", started, flush=True)
        dump = build / "dumps" / "ccgraph.nt.gz"
        if "rdflib-endpoint" not in skip:
            servers.append(start_rdflib(run, dump))
        servers.append(start_hello(run))
        print("servers up after", round(time.monotonic() - t_start), "s", flush=True)
        report["servers"] = [{"name": s.name, "url": s.url, "note": s.note,
                              "version": s.version} for s in servers]
        files = write_workloads(run_dir, ccgraph.url, meta["base"], args.resources, args.seed,
                                gallery_skip)
        report["gallery_skip"] = sorted(gallery_skip)
        report["gallery_skip_why"] = GALLERY_SKIP_WHY if gallery_skip == {GALLERY_SKIP} \
            else "given with --gallery-skip"
        report["deadline"] = deadline
        failed: set[str] = set()
        rows: dict[str, dict[str, int | None]] = {}
        for s in servers:
            report["checks"][s.name] = check_server(s, files, failed=failed, rows=rows)
            settle(run, s, dump)
        report["gallery_left_out"] = write_common_gallery(files, failed)
        report["row_mismatches"] = row_mismatches(rows, gallery_names())
        print(json.dumps(report["checks"]), flush=True)
        if args.per_query:
            report["repeat"] = args.per_query
            report["per_query"] = {s.name: per_query(s, args.per_query, gallery_skip)
                                   for s in servers
                                   if s.name not in ("ccgraph", "hello")}
            print(json.dumps(report["per_query"]), flush=True)
        cells: dict[str, Any] = report["cells"]
        index = 0
        chosen = {w for w in args.workloads.split(",") if w}
        for workload in SPARQL_WORKLOADS + DOC_WORKLOADS:
            if chosen and workload not in chosen:
                continue
            for c in CONCURRENCY:
                players = [s for s in servers if workload in s.workloads]
                shift = index % len(players)
                index += 1
                for s in players[shift:] + players[:shift]:
                    if time.monotonic() - t_start > args.budget:
                        print(f"budget spent: {s.name} {workload} c={c} not run", flush=True)
                        continue
                    cell = wrk(s.url, files[workload], c, args.duration)
                    cells[f"{s.name}|{workload}|{c}"] = cell
                    settle(run, s, dump)
                    print(f"{workload:15} c={c:<3} {s.name:16} {cell['rps']:>9,.1f} req/s "
                          f"p50 {cell['p50_ms']:>7} ms p99 {cell['p99_ms']:>7} ms "
                          f"errors {cell['errors']['status'] + cell['errors']['timeout']}",
                          flush=True)
    finally:
        run.stop_all()
        report["targets"] = targets(report["cells"])
        report["seconds"] = round(time.monotonic() - t_start, 1)
        if "servers" in report:
            for entry, s in zip(report["servers"], servers, strict=True):
                entry["restarts"] = s.restarts
            write_report(args.out, run_dir, report)
    return 0


def write_report(out: Path, run_dir: Path, report: dict[str, Any]) -> None:
    (run_dir / "results.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    text = markdown(report)
    (run_dir / "results.md").write_text(text, encoding="utf-8")
    (out / "latest-serve.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"written: {run_dir}/results.json, results.md ({report['seconds']} s)")


if __name__ == "__main__":
    sys.exit(main())
