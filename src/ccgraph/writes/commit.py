"""Committing a write (in the write worker): validate the named graphs after the change
with SHACL, and write them as a new version (version.py), carrying over what the write does
not change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .. import jsonld, version
from ..store import CONTEXT_FILE, META_FILE, REPORTS_DIR, BuildMeta


@dataclass
class Validation:
    conforms: bool
    text: str
    turtle: str
    json: str
    results: list[Any] = field(default_factory=list)  # validate.Result


def validate_quads(quads: Iterable[ox.Quad], shapes: Any) -> Validation:
    """pyshacl over the union of ``quads`` (the child process only: pyshacl patches rdflib)."""
    from .. import validate
    from ..validate.incremental import rdflib_graph

    report = validate.validate(rdflib_graph({q.triple for q in quads}), shapes)
    return Validation(report.conforms, report.text(), report.to_turtle(), report.to_json(),
                      report.results)


def nquads_of(quads: Iterable[ox.Quad]) -> bytes:
    """Sorted N-Quads lines: the same quads (with the same blank node labels) give the same
    bytes, so the same version."""
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    lines = sorted({line for line in data.splitlines() if line.strip()})
    return b"\n".join(lines) + b"\n" if lines else b""


def write_version(staging: Path, quads: Iterable[ox.Quad], base: str, previous: Path,
                  reports: Mapping[str, str], note: Mapping[str, Any]
                  ) -> tuple[BuildMeta, list[ox.Quad]]:
    """A complete version in ``staging``, written as a build writes one (version.py).
    What the write does not change is carried over from ``previous`` (the version the write
    started from): its base, sources and extra metadata, its JSON-LD context and its
    quality reports; ``reports`` (validation) are the write's own, and ``note`` is recorded
    in build.json's ``extra["write"]``. Returns the metadata and the quads of the VoID
    graph made for it."""
    from ..void import describe_dataset

    old = BuildMeta.from_json((previous / META_FILE).read_text(encoding="utf-8"))
    base = old.base or base
    context_file = previous / CONTEXT_FILE
    context = (context_file.read_bytes() if context_file.is_file()
               else jsonld.context_document(base))
    carried: dict[str, str | bytes] = {}
    if (previous / REPORTS_DIR).is_dir():
        for path in sorted((previous / REPORTS_DIR).iterdir()):
            if path.is_file() and path.name.startswith("quality."):
                carried[path.name] = path.read_bytes()
    extra = {k: v for k, v in old.extra.items() if k not in ("triples", "write")}
    written = version.write_version(
        staging, nquads_of(quads), base, void=describe_dataset, context=context,
        reports={**carried, **reports}, sources=old.sources,
        extra={**extra, "write": {"parent": old.version, **note}})
    return written.meta, written.void_quads
