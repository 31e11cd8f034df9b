"""``X-Ccgraph-Backend-Queries``: how many requests to the engine an answer cost
(``serve --backend`` only; the embedded store sends none).

Every HTTP request opens a :class:`~ccgraph.remote_store.QueryCount`; the remote store
counts into it (also from the helper thread that runs a ``/sparql`` query, which runs in a
copy of the request's context), and the response carries the number: 0 for an answer from
the per-worker cache or a 304. Tests hold the pages to a few queries with it; operators can
log it (gunicorn's ``%({x-ccgraph-backend-queries}o)s``)."""

from __future__ import annotations

from flask import Flask, Response, g

from ..remote_store import start_count, stop_count

HEADER = "X-Ccgraph-Backend-Queries"


def install(app: Flask) -> None:
    """Count the engine requests of each HTTP request of ``app`` and answer the number."""

    @app.before_request
    def _start() -> None:
        g.ccgraph_engine_count, g.ccgraph_engine_token = start_count()

    @app.after_request
    def _answer(resp: Response) -> Response:
        count = g.get("ccgraph_engine_count")
        if count is not None:
            resp.headers[HEADER] = str(count.n)
        return resp

    @app.teardown_request
    def _stop(_exc: BaseException | None) -> None:
        token = g.pop("ccgraph_engine_token", None)
        if token is not None:
            stop_count(token)
