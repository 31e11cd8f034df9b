"""Help on a 404 under ``/doc/`` or ``/id/``: resources whose path is close, and the kinds
of resource there are (the error page calls these)."""

from __future__ import annotations

import difflib
from collections import defaultdict

from ..state import state
from .data import labels


def resource_paths() -> dict[str, list[str]]:
    """Local paths of every resource (no hash IRIs), by kind (first path segment)."""
    ext = state()

    def make() -> dict[str, list[str]]:
        space = ext.base + "id/"
        rows = ext.solutions(
            "SELECT DISTINCT ?s WHERE { ?s a ?t FILTER(isIRI(?s) && STRSTARTS(STR(?s), "
            f'"{space}") && !CONTAINS(STR(?s), "#")) }}')
        out: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            rest = row["s"].value[len(space):]
            out[rest.partition("/")[0]].append(rest)
        return dict(out)

    return ext.cached("pages:paths", make)


def suggestions(path: str) -> list[dict[str, str]]:
    """Resources whose path is close to ``path`` (``/doc/...`` or ``/id/...``)."""
    for prefix in ("/doc/", "/id/"):
        if path.startswith(prefix):
            rest = path[len(prefix):]
            break
    else:
        return []
    for suffix in (".html", ".ttl", ".jsonld", ".nt", ".rdf"):
        rest = rest.removesuffix(suffix)
    paths = resource_paths()
    kind = rest.partition("/")[0]
    pool = paths.get(kind) or [p for group in paths.values() for p in group]
    close = difflib.get_close_matches(rest, pool, n=6, cutoff=0.6)
    if not close:  # e.g. the right city under the wrong country code
        last = rest.rsplit("/", 1)[-1]
        close = [p for p in pool if p.rsplit("/", 1)[-1] == last][:6]
    base = state().base
    names = labels({base + "id/" + p for p in close})
    return [{"href": "/doc/" + p, "text": names.get(base + "id/" + p) or p, "path": p}
            for p in close]


def kinds() -> list[tuple[str, int]]:
    return sorted((k, len(v)) for k, v in resource_paths().items())
