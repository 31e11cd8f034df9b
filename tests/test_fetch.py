"""``ccgraph fetch`` against a real HTTP server on 127.0.0.1 that serves the shared sources:
success, a wrong checksum, a truncated body and its resumption, a server that ignores Range,
404, connection refused, a slow server; and a build from fetched sources equal to one from
the shared directory."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ccgraph import iris
from ccgraph.fetch import read_manifest, sha256_of
from ccgraph.records import SourceError
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
CORPUS = "uccn-profiles-2024-10-01.json"


class Server(ThreadingHTTPServer):
    daemon_threads = True
    files: dict[str, bytes]
    mode: str
    requests: list[tuple[str, str | None]]
    release: threading.Event


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        srv = self.server
        srv.requests.append((self.path, self.headers.get("Range")))
        body = srv.files.get(self.path.lstrip("/"))
        if body is None:
            self.send_error(404)
            return
        if srv.mode == "slow-headers":
            srv.release.wait(10)
            return
        start = 0
        wanted = self.headers.get("Range", "")
        if wanted.startswith("bytes=") and srv.mode == "ok":
            start = int(wanted[len("bytes="):].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        if srv.mode == "truncate":
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if srv.mode == "stall":
            self.wfile.write(body[start:start + 100_000])
            self.wfile.flush()
            srv.release.wait(120)  # held until the test is over (set on leaving source_server)
            return
        self.wfile.write(body[start:])


@contextmanager
def source_server(files: dict[str, bytes], mode: str = "ok") -> Iterator[Server]:
    srv = Server(("127.0.0.1", 0), Handler)
    srv.files, srv.mode, srv.requests, srv.release = files, mode, [], threading.Event()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.release.set()
        srv.shutdown()
        thread.join()
        srv.server_close()


def url(srv: Server) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}/"


@pytest.fixture(scope="module")
def shared(corpus_path: Path) -> dict[str, bytes]:
    """What the local server serves: the shared sources, by name."""
    return {p.name: p.read_bytes() for p in corpus_path.parent.iterdir() if p.is_file()}


def fetch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CCGRAPH_")}
    done = subprocess.run([sys.executable, "-m", "ccgraph.cli", "fetch", *args],
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**clean, **(env or {})}, cwd=ROOT)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def visible(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith(".")) \
        if directory.exists() else []


def test_the_manifest_pins_the_shared_corpus(corpus_path: Path) -> None:
    entries = {e.name: e for e in read_manifest(ROOT / "data" / "sources.csv")}
    corpus = entries[CORPUS]
    assert corpus.fetchable and corpus.url.startswith("https://")
    assert corpus.bytes == corpus_path.stat().st_size
    assert corpus.sha256 == sha256_of(corpus_path)
    assert not entries["sapporo-profile.txt"].fetchable  # no public file holds its bytes


def test_a_bad_manifest_row_names_its_line_and_field(tmp_path: Path) -> None:
    manifest = tmp_path / "sources.csv"
    manifest.write_text("name,url,sha256,bytes,rights,retrieved,note\n"
                        "a.json,https://example.org/a.json,abc,10,,,\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_manifest(manifest)
    assert caught.value.line == 2 and caught.value.field == "sha256"


def test_fetch_downloads_verifies_and_is_idempotent(shared: dict[str, bytes],
                                                    tmp_path: Path) -> None:
    into = tmp_path / "sources"
    with source_server(shared) as srv:
        done = fetch("--into", str(into), "--from", url(srv))
        assert done.returncode == 0, done.stderr
        assert (into / CORPUS).read_bytes() == shared[CORPUS]
        assert sorted(p.name for p in into.iterdir()) == [CORPUS]  # no part file left
        assert "sha256 verified" in done.stdout and "not fetched" in done.stdout
        assert done.stderr == ""  # no progress when stderr is not a terminal
        again = fetch("--into", str(into), "--from", url(srv))
        assert again.returncode == 0 and "already in" in again.stdout
        assert [path for path, _ in srv.requests] == [f"/{CORPUS}"]  # nothing downloaded twice


def test_fetch_goes_to_the_xdg_cache_where_check_and_build_look(shared: dict[str, bytes],
                                                                 tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "CCGRAPH_SOURCES": str(tmp_path / "none")}
    missing = fetch("--check", env=env)
    assert missing.returncode == 1 and f"{CORPUS}: missing (run `ccgraph fetch`)" in missing.stdout
    with source_server(shared) as srv:
        assert fetch("--from", url(srv), env=env).returncode == 0
    cached = tmp_path / "xdg" / "ccgraph" / "sources" / CORPUS
    assert cached.read_bytes() == shared[CORPUS]
    found = fetch("--check", env=env)
    assert found.returncode == 0
    assert f"{CORPUS}: {cached} (sha256 verified)" in found.stdout


def test_a_wrong_checksum_leaves_nothing(shared: dict[str, bytes], tmp_path: Path) -> None:
    into = tmp_path / "sources"
    body = bytearray(shared[CORPUS])
    body[1000] ^= 1  # same size, one bit off
    with source_server({CORPUS: bytes(body)}) as srv:
        done = fetch("--into", str(into), "--from", url(srv))
    assert done.returncode == 1
    assert "is not the pinned one" in done.stderr and "nothing was kept" in done.stderr
    assert list(into.iterdir()) == []


def test_a_truncated_download_is_resumed_with_range(shared: dict[str, bytes],
                                                    tmp_path: Path) -> None:
    into = tmp_path / "sources"
    half = len(shared[CORPUS]) // 2
    with source_server(shared, mode="truncate") as srv:
        done = fetch("--into", str(into), "--from", url(srv))
    assert done.returncode == 1
    assert f"stopped after {half:,} of {len(shared[CORPUS]):,} bytes" in done.stderr
    assert visible(into) == []  # the build sees nothing
    assert (into / f".{CORPUS}.part").stat().st_size == half
    with source_server(shared) as srv:
        resumed = fetch("--into", str(into), "--from", url(srv))
        assert resumed.returncode == 0, resumed.stderr
        assert srv.requests == [(f"/{CORPUS}", f"bytes={half}-")]
    assert (into / CORPUS).read_bytes() == shared[CORPUS]
    assert visible(into) == [CORPUS] and len(list(into.iterdir())) == 1


def test_a_server_that_ignores_range_restarts_cleanly(shared: dict[str, bytes],
                                                      tmp_path: Path) -> None:
    into = tmp_path / "sources"
    into.mkdir()
    (into / f".{CORPUS}.part").write_bytes(shared[CORPUS][:300_000])
    with source_server(shared, mode="ignore-range") as srv:
        done = fetch("--into", str(into), "--from", url(srv))
        assert srv.requests == [(f"/{CORPUS}", "bytes=300000-")]  # asked, got 200: restarted
    assert done.returncode == 0, done.stderr
    assert (into / CORPUS).read_bytes() == shared[CORPUS]


def test_a_corrupt_partial_file_is_dropped_and_fetched_again(shared: dict[str, bytes],
                                                             tmp_path: Path) -> None:
    into = tmp_path / "sources"
    into.mkdir()
    (into / f".{CORPUS}.part").write_bytes(b"x" * 1000)  # not a prefix of the file
    with source_server(shared) as srv:
        first = fetch("--into", str(into), "--from", url(srv))
        assert first.returncode == 1 and "nothing was kept" in first.stderr
        assert list(into.iterdir()) == []
        second = fetch("--into", str(into), "--from", url(srv))
    assert second.returncode == 0, second.stderr
    assert (into / CORPUS).read_bytes() == shared[CORPUS]


def test_404_says_so_and_changes_nothing(tmp_path: Path) -> None:
    into = tmp_path / "sources"
    with source_server({}) as srv:
        done = fetch("--into", str(into), "--from", url(srv))
    assert done.returncode == 1
    assert f"{url(srv)}{CORPUS}: the server answered 404" in done.stderr
    assert visible(into) == []


def test_connection_refused_says_so(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    done = fetch("--into", str(tmp_path / "s"), "--from", f"http://127.0.0.1:{port}/")
    assert done.returncode == 1
    assert f"cannot connect to 127.0.0.1:{port}: connection refused" in done.stderr
    assert "Run `ccgraph fetch` again" in done.stderr
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize(("mode", "said"), [("slow-headers", "no answer from"),
                                            ("stall", "no data for 0.5 s")])
def test_a_slow_server_times_out(shared: dict[str, bytes], tmp_path: Path, mode: str,
                                 said: str) -> None:
    into = tmp_path / "sources"
    with source_server(shared, mode=mode) as srv:
        started = time.monotonic()
        done = fetch("--into", str(into), "--from", url(srv), "--timeout", "0.5")
        took = time.monotonic() - started
    assert done.returncode == 1 and said in done.stderr, done.stderr
    assert took < 8  # the server would have held on for 10 s
    assert visible(into) == []


@pytest.mark.slow
def test_a_build_from_fetched_sources_equals_one_from_the_shared_sources(
        shared: dict[str, bytes], seed_profile: Path, network_build: Path,
        tmp_path: Path) -> None:
    """``ccgraph build`` with no PATH: the seed from CCGRAPH_SOURCES, the corpus from the
    fetch cache; the same canonical N-Quads as the network built from the shared directory."""
    seed_only = tmp_path / "seed"
    seed_only.mkdir()
    shutil.copy(seed_profile, seed_only / seed_profile.name)
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "CCGRAPH_SOURCES": str(seed_only)}
    with source_server(shared) as srv:
        assert fetch("--from", url(srv), env=env).returncode == 0
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CCGRAPH_")}
    out = tmp_path / "build"
    done = subprocess.run([sys.executable, "-m", "ccgraph.cli", "build", "--out", str(out)],
                          capture_output=True, text=True, check=False, env={**clean, **env},
                          cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    fetched = tmp_path / "xdg" / "ccgraph" / "sources" / CORPUS
    assert f"sources: {seed_only / seed_profile.name}, {fetched}" in done.stderr

    def meta(build: Path) -> dict[str, object]:
        data: dict[str, object] = json.loads((build / "build.json").read_text(encoding="utf-8"))
        return data

    void = f"<{iris.graph('void')}> .".encode()

    def nquads(build: Path) -> list[bytes]:
        """The dump of the named graphs but the dataset description (it has the build time)."""
        lines = gzip.decompress((build / "dumps" / "ccgraph.nq.gz").read_bytes()).splitlines()
        return sorted(line for line in lines if not line.endswith(void))

    assert meta(out)["version"] == meta(network_build)["version"]  # the canonical N-Quads' hash
    assert meta(out)["quads"] == meta(network_build)["quads"]
    assert nquads(out) == nquads(network_build)


def test_progress_shows_on_a_terminal_only(shared: dict[str, bytes], tmp_path: Path) -> None:
    leader, follower = os.openpty()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CCGRAPH_")}
    with source_server(shared) as srv:
        done = subprocess.run([sys.executable, "-m", "ccgraph.cli", "fetch", "--into",
                               str(tmp_path / "s"), "--from", url(srv)], stdout=subprocess.PIPE,
                              stderr=follower, env=clean, cwd=ROOT, timeout=120, check=False)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the terminal has no writer left
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert done.returncode == 0
    text = seen.decode()
    assert f"\r{CORPUS}: 100% ({len(shared[CORPUS]) // 1024:,} of" in text
    assert "%" not in done.stdout.decode()


def test_an_interrupted_download_leaves_only_a_hidden_part(shared: dict[str, bytes],
                                                           tmp_path: Path) -> None:
    into = tmp_path / "sources"
    part = into / f".{CORPUS}.part"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CCGRAPH_")}
    with source_server(shared, mode="stall") as srv:
        # the server holds the connection open until the test ends and the client waits up
        # to 120 s, so only the Ctrl-C can end this download, however loaded the machine is.
        # A terminal delivers Ctrl-C to a process whose SIGINT is not ignored; a test run
        # started in the background by a non-interactive shell (CI) inherits SIGINT ignored,
        # and Python then installs no KeyboardInterrupt handler: the child restores it.
        argv = ["fetch", "--into", str(into), "--from", url(srv), "--timeout", "120"]
        as_at_a_terminal = ("import runpy, signal, sys; "
                            "signal.signal(signal.SIGINT, signal.default_int_handler); "
                            f"sys.argv = ['ccgraph'] + {argv!r}; "
                            "runpy.run_module('ccgraph.cli', run_name='__main__')")
        proc = subprocess.Popen([sys.executable, "-c", as_at_a_terminal],
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=clean, cwd=ROOT, text=True)
        deadline = time.monotonic() + 30
        while not (part.is_file() and part.stat().st_size) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            _out, err = proc.communicate(timeout=30)
        finally:  # a child that ignored the Ctrl-C must not outlive this test
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert "fetch interrupted" in err
    assert visible(into) == [] and part.stat().st_size > 0


def test_a_local_directory_can_be_the_mirror(corpus_path: Path, tmp_path: Path) -> None:
    into = tmp_path / "sources"
    done = fetch("--into", str(into), "--from", str(corpus_path.parent))
    assert done.returncode == 0, done.stderr
    assert (into / CORPUS).read_bytes() == corpus_path.read_bytes()
    missing = fetch("--into", str(tmp_path / "other"), "--from", str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "no such file" in missing.stderr
