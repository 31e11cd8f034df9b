"""The SHACL shapes the data is checked against: every ``*.ttl`` file of ``shapes/``."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from .. import shipped


def default_shapes_dir() -> Path:
    return shipped.shapes()


def load_shapes(shapes_dir: Path | None = None) -> Graph:
    """Read every ``*.ttl`` file of ``shapes_dir`` (default: the project's ``shapes/``)."""
    directory = default_shapes_dir() if shapes_dir is None else Path(shapes_dir)
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise FileNotFoundError(f"no shapes (*.ttl) in {directory}")
    shapes = Graph()
    for path in files:
        shapes.parse(path, format="turtle")
    return shapes
