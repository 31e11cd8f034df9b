"""The publishing server over each backend, for test modules that run unchanged over all
three: ``embedded`` (the build's own pyoxigraph store), ``oxigraph`` (an Oxigraph server)
and ``virtuoso`` (Virtuoso 7), the same build published into each engine with
``ccgraph publish`` (``publish_to``) and verified.

A module parametrises its server fixture with :data:`BACKENDS`::

    @pytest.fixture(scope="module", params=BACKENDS)
    def url(request, seed_build, engines):
        with serving(request.param, seed_build, engines) as root:
            yield root

``engines`` (tests/conftest.py, session scope) starts each engine once per build it is
asked for and stops them all at the end of the session; the server around it (werkzeug, a
free loopback port) lives as long as the module's fixture.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

from ccgraph.engines import publish_to
from ccgraph.engines.protocol import Credentials

from .engines import Engine, oxigraph_server, virtuoso
from .servers import werkzeug_server

#: the backends a publishing test module runs over
BACKENDS = ("embedded", "oxigraph", "virtuoso")
#: seconds after which the tests' Oxigraph server cancels a query (``--timeout-s``): past
#: every deadline the tests give ccgraph, so that an abandoned query ends (Virtuoso gets
#: each query's own deadline from ccgraph: ccgraph.remote_deadline)
OXIGRAPH_TIMEOUT = 30
STARTERS: dict[str, Callable[[], AbstractContextManager[Engine]]] = {
    "oxigraph": functools.partial(oxigraph_server, query_timeout=OXIGRAPH_TIMEOUT),
    "virtuoso": virtuoso}
#: Virtuoso's dba account as the Debian package ships it (the server listens on loopback)
VIRTUOSO_DBA = Credentials("dba", "dba")


class Engines:
    """Engines started on demand, one per (engine, build), each holding that build as
    ``ccgraph publish`` loaded it; all stopped when the ExitStack closes."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._running: dict[tuple[str, Path], Engine] = {}

    @classmethod
    def of(cls, name: str, build: Path, engine: Engine) -> Engines:
        """Engines holding only ``engine`` (started and published by the caller: a test's
        private engine) for ``build``."""
        found = cls(ExitStack())
        found._running[(name, Path(build).resolve())] = engine
        return found

    def engine(self, name: str, build: Path) -> Engine:
        key = (name, Path(build).resolve())
        found = self._running.get(key)
        if found is None:
            found = self._stack.enter_context(STARTERS[name]())
            published = publish_to(build, found.root, name,
                                   credentials=VIRTUOSO_DBA if name == "virtuoso" else None)
            assert published.verification.ok, published.verification.summary()
            self._running[key] = found
        return found


@contextmanager
def running_engines() -> Iterator[Engines]:
    with ExitStack() as stack:
        yield Engines(stack)


@contextmanager
def serving(backend: str, build: Path, engines: Engines, **overrides: Any) -> Iterator[str]:
    """The publishing server (werkzeug, loopback) over ``backend``, serving ``build``;
    ``overrides`` are settings (``result_cap=7``)."""
    if backend == "embedded":
        with werkzeug_server(build, **overrides) as url:
            yield url
        return
    engine = engines.engine(backend, build)
    with werkzeug_server(build, backend=engine.url, **overrides) as url:
        yield url
