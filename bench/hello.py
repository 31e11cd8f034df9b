"""The ceiling: a Flask "hello world" under the same gunicorn configuration as ccgraph.

Run by bench/run.py as ``python bench/hello.py --port N``; it answers every path with a
short text, so any request list of the benchmark can be played against it.
"""

from __future__ import annotations

import argparse

from flask import Flask, Response

from ccgraph.serve import GunicornServer, gunicorn_options
from ccgraph.settings import Settings


def make_app() -> Flask:
    app = Flask(__name__)

    @app.route("/", defaults={"path": ""})
    @app.route("/<path:path>")
    def hello(path: str) -> Response:
        return Response("Hello, World!\n", content_type="text/plain; charset=utf-8")

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    settings = Settings.load({"host": "127.0.0.1", "port": args.port, "workers": args.workers})
    options = gunicorn_options(settings)
    options["proc_name"] = "ccgraph-bench-hello"
    GunicornServer(settings, options, load_app=make_app).run()


if __name__ == "__main__":
    main()
