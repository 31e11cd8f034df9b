#!/usr/bin/env python3
"""Convert Natural Earth's land outlines (TopoJSON of the npm package ``world-atlas``) into
the compact file the maps draw: src/ccgraph/web/outlines/land-110m.json.

Usage::

    npm install --prefix .cache/npm world-atlas@2
    .venv/bin/python scripts/make_outlines.py .cache/npm/node_modules/world-atlas/land-110m.json

Natural Earth is in the public domain (world-atlas packages it under ISC). The output is a
JSON object ``{"source": …, "rings": [[lon, lat, lon, lat, …], …]}``: every polygon ring of
the land, decoded from the topology (delta-encoded, quantized arcs), coordinates rounded to
0.1 degree (the 1:110 million scale draws nothing finer), consecutive duplicates dropped.
Deterministic: the same input gives the same bytes. The maps project the rings at run time
(``ccgraph.web.maps``), so nothing here depends on the projection.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]  # the project checkout
OUT = ROOT / "src" / "ccgraph" / "web" / "outlines" / "land-110m.json"


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def rings_of(topology: dict[str, Any]) -> list[list[float]]:
    arcs = decode_arcs(topology)
    out: list[list[float]] = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for indexes in polygon:
                flat: list[float] = []
                last = None
                for lon, lat in ring(arcs, indexes):
                    point = (round(lon, 1), round(lat, 1))
                    if point != last:
                        flat.extend(point)
                        last = point
                if len(flat) >= 8:
                    out.append(flat)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    topology = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    rings = rings_of(topology)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "source": "Natural Earth 1:110m land (public domain), via the npm package world-atlas "
                  "2.0.2 (land-110m.json)",
        "rings": rings}, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"make_outlines: {len(rings)} rings, {sum(len(r) for r in rings) // 2} points "
          f"-> {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
