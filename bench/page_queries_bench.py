"""Engine queries per page over a remote backend, and the embedded store's time per /doc.

    .venv/bin/python bench/page_queries_bench.py --build DIR [--rounds 40]

publishes the build ``DIR`` into a fresh Oxigraph server (PyPI ``oxigraph``, loopback, a
free port, stopped at the end), then asks each page of :data:`PAGES` of a fresh
``serve --backend`` app (nothing remembered from another page) and prints the
``X-Ccgraph-Backend-Queries`` of its answer. Then it times the same pages on the embedded
store (Flask test client, result cache off): the median CPU time per request over
``--rounds`` requests (CPU time, not wall time: the number does not move with the machine's
load). Run it on two checkouts to compare them (``PYTHONPATH=OTHER/src``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ccgraph.engines import publish_to  # noqa: E402
from ccgraph.settings import Settings  # noqa: E402
from ccgraph.web import create_app  # noqa: E402
from tests.support.engines import oxigraph_server  # noqa: E402

#: (path, Accept): pages of the seed build, which the network build also holds
PAGES = [
    ("/doc/city/jp/sapporo", "text/turtle"),
    ("/doc/city/jp/sapporo", "application/ld+json"),
    ("/doc/city/jp/sapporo", "text/html"),
    ("/doc/facility/jp/sapporo/sapporo-art-museum", "text/html"),
    ("/doc/commitment/jp/sapporo/media-arts/3", "text/html"),
    ("/doc/profile/jp/sapporo/media-arts", "text/html"),
    ("/doc/field/media-arts", "text/turtle"),
    ("/doc/field/media-arts", "text/html"),
    ("/", "text/html"),
]


def engine_queries(build: Path) -> None:
    with oxigraph_server() as engine:
        publish_to(build, engine.root, "oxigraph")
        for path, accept in PAGES:
            app = create_app(Settings.load({"store": build, "backend": engine.url},
                                           environ={}))
            resp = app.test_client().get(path, headers={"Accept": accept})
            count = resp.headers.get("X-Ccgraph-Backend-Queries", "(not counted)")
            print(f"queries  {path:50} {accept:22} {resp.status_code} {count}")


def embedded_times(build: Path, rounds: int) -> None:
    app = create_app(Settings.load({"store": build, "result_cache_mb": 0}, environ={}))
    client = app.test_client()
    for path, accept in PAGES:
        if path == "/":
            continue  # kept per build, whatever the result cache
        for _ in range(3):
            client.get(path, headers={"Accept": accept})
        times = []
        for _ in range(rounds):
            started = time.process_time()
            resp = client.get(path, headers={"Accept": accept})
            times.append(time.process_time() - started)
            assert resp.status_code == 200, (path, resp.status_code)
        print(f"embedded {path:50} {accept:22} median CPU "
              f"{statistics.median(times) * 1000:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, required=True, help="a build directory")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    engine_queries(args.build)
    embedded_times(args.build, args.rounds)


if __name__ == "__main__":
    main()
