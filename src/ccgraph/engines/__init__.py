"""Publishing a release (or a validated build) into a running triplestore.

``ccgraph publish --to URL [--engine oxigraph|virtuoso] [--method M] [SOURCE]`` loads the
N-Quads of a release directory (``build/releases/NAME``) or of a build that validated into
the engine at URL, then checks that the engine holds exactly that dataset (verify.py). One
module per engine says how it loads and what readers see meanwhile:

* ``oxigraph`` (oxigraph.py): the Oxigraph server's Graph Store Protocol; by default the
  whole dataset in one transaction (readers see the old or the new release, never a mix);
* ``virtuoso`` (virtuoso.py): Virtuoso's authenticated Graph Store endpoint, graph by
  graph; no isolation (switch readers with a second database behind the balancer).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from . import oxigraph, virtuoso
from .protocol import Credentials, EngineError
from .source import Publishable, SourceRefused, open_source
from .verify import Verification, verify

ENGINES: dict[str, ModuleType] = {"oxigraph": oxigraph, "virtuoso": virtuoso}


class PublishError(Exception):
    """Publishing failed or was refused; the message says why and what to do."""


@dataclass(frozen=True)
class Published:
    source: Publishable
    engine: str
    url: str
    method: str
    seconds_load: float
    seconds_verify: float
    verification: Verification


def methods(engine: str) -> tuple[str, ...]:
    return tuple(ENGINES[engine].METHODS)


def publish_to(path: Path, url: str, engine: str = "oxigraph", method: str | None = None,
               credentials: Credentials | None = None,
               say: Callable[[str], None] = lambda _m: None, *,
               check_only: bool = False) -> Published:
    """Load the release or build in ``path`` into the engine at ``url`` and verify it (with
    ``check_only``, only verify: e.g. a database loaded by hand, before a switch).
    Raises PublishError (refused source, unreachable engine, failed verification)."""
    if engine not in ENGINES:
        raise PublishError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    module = ENGINES[engine]
    chosen = method or module.METHODS[0]
    if chosen not in module.METHODS:
        raise PublishError(f"{engine} has no method {chosen!r}: use one of "
                           + ", ".join(module.METHODS))
    try:
        source = open_source(path)
    except SourceRefused as exc:
        raise PublishError(str(exc)) from None
    say(f"{'checking' if check_only else 'publishing'} {source.kind} {source.name} "
        f"({source.quads} quads in "
        f"{len(source.graphs)} graphs) to {engine} at {url}")
    try:
        started = time.perf_counter()
        if not check_only:
            module.load(source, url, chosen, credentials, say)
        loaded = time.perf_counter()
        say("verifying")
        # a database loaded by hand (a replica of the release's own store) may lack the
        # union graph: checked without it, and said (the default graph is then a bag)
        checked = verify(module.query_endpoint(url), source, credentials,
                         union_required=not check_only)
        if check_only and not checked.has_union:
            say("note: no union graph in the engine; its default graph counts a triple "
                "once per named graph (docs/deployment.md)")
        done = time.perf_counter()
    except EngineError as exc:
        raise PublishError(f"{engine} at {url}: {exc}") from None
    result = Published(source=source, engine=engine, url=url,
                       method="none (check only)" if check_only else chosen,
                       seconds_load=loaded - started, seconds_verify=done - loaded,
                       verification=checked)
    if not checked.ok:
        raise PublishError(f"{engine} at {url} does not hold {source.kind} {source.name} "
                           f"after loading it; {checked.summary()}")
    return result


__all__ = ["ENGINES", "Credentials", "PublishError", "Published", "methods", "publish_to"]
