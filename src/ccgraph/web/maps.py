"""Maps as inline SVG, drawn on the server in the Equal Earth projection (equal-area).

The land is Natural Earth's 1:110m outline (public domain; ``outlines/land-110m.json``, made
once by ``scripts/make_outlines.py`` from the npm package world-atlas): no tiles, no CDN, no
script. Like the charts (``charts.py``), a map has a ``<title>`` and a ``<desc>``, scales with
its container, and pages show the same facts as a table beside it. Each city is a link
(``<a>`` with an ``aria-label`` and a ``<title>``: its name, shown as text whatever it holds)
coloured by creative field with the charts' palette. Every string from the data is escaped
here; the result is ``Markup``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

from .charts import colour

OUTLINES = Path(__file__).resolve().parent / "outlines" / "land-110m.json"

# Equal Earth (Šavrič, Patterson, Jenny 2018)
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2
def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Project degrees to Equal Earth's plane (unit sphere); y grows northwards."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(_M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * math.sqrt(3) * lam * math.cos(theta) / (
        3 * (9 * _A4 * t6 * t2 + 7 * _A3 * t6 + 3 * _A2 * t2 + _A1))
    y = theta * (_A4 * t6 * t2 + _A3 * t6 + _A2 * t2 + _A1)
    return x, y


#: the projection's extent for the whole sphere (x: ±X_MAX, y: ±Y_MAX)
X_MAX = equal_earth(180, 0)[0]
Y_MAX = equal_earth(0, 90)[1]


@dataclass(frozen=True)
class Dot:
    """A city on a map: its name, the page it links to, where it is, its colour (the index
    of its field in the legend, None for the neutral colour) and what the dot says."""

    name: str
    href: str
    lat: float
    lon: float
    colour_index: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Frame:
    """Which part of the plane a map shows, and at what size (``width`` SVG units)."""

    width: int
    x0: float = -X_MAX
    x1: float = X_MAX
    y0: float = -Y_MAX
    y1: float = Y_MAX

    @property
    def scale(self) -> float:
        return self.width / (self.x1 - self.x0)

    @property
    def height(self) -> int:
        return round((self.y1 - self.y0) * self.scale)

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = equal_earth(lon, lat)
        return (x - self.x0) * self.scale, (self.y1 - y) * self.scale


@cache
def _rings() -> tuple[tuple[tuple[float, float], ...], ...]:
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    return tuple(tuple(zip(r[0::2], r[1::2], strict=True)) for r in data["rings"])


@cache
def land_path(frame: Frame) -> str:
    """The SVG path of the land in ``frame``, to one decimal, repeated points dropped."""
    digits = 1 if frame.width >= 600 else 0
    parts: list[str] = []
    for ring in _rings():
        # a ring that crosses the antimeridian (Fiji, Chukotka) is cut there into pieces
        pieces: list[list[str]] = [[]]
        last_lon: float | None = None
        for lon, lat in ring:
            if last_lon is not None and abs(lon - last_lon) > 180:
                pieces.append([])
            last_lon = lon
            x, y = frame.point(lon, lat)
            p = f"{x:.{digits}f} {y:.{digits}f}"
            if not pieces[-1] or pieces[-1][-1] != p:
                pieces[-1].append(p)
        parts.extend("M" + "L".join(points) + "Z" for points in pieces if len(points) >= 3)
    return "".join(parts)


def _graticule(frame: Frame) -> str:
    """The outline of the sphere (the map's edge)."""
    left = [frame.point(-180, lat) for lat in range(-90, 91, 5)]
    right = [frame.point(180, lat) for lat in range(90, -91, -5)]
    return "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in left + right) + "Z"


def _open(ident: str, title: str, desc: str, frame: Frame, css: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="-2 -2 {frame.width + 4} {frame.height + 4}" '
        f'class="map {css}" role="group" aria-labelledby="{ident}-t {ident}-d" '
        f'preserveAspectRatio="xMidYMid meet">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(desc)}</desc>',
        f'<path class="sphere" d="{_graticule(frame)}" aria-hidden="true"/>',
        f'<path class="land" d="{land_path(frame)}" aria-hidden="true"/>',
    ]


def _dot(dot: Dot, frame: Frame, radius: float) -> str:
    x, y = frame.point(dot.lon, dot.lat)
    label = f"{dot.name} ({dot.note})" if dot.note else dot.name
    fill = colour(dot.colour_index) if dot.colour_index is not None else "#222222"
    return (f'<a href="{escape(dot.href)}" aria-label="{escape(label)}">'
            f"<title>{escape(label)}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{fill}"/></a>')


def world_map(ident: str, title: str, desc: str, dots: Sequence[Dot], *,
              width: int = 1000, radius: float = 5) -> Markup:
    """The whole world with a dot per city (largest latitude first, so southern dots,
    drawn last, stay visible where they overlap)."""
    frame = Frame(width)
    out = _open(ident, title, desc, frame, f"map-world map-{ident}")
    out.append('<g class="dots">')
    out.extend(_dot(d, frame, radius) for d in sorted(dots, key=lambda d: (-d.lat, d.lon)))
    out.append("</g></svg>")
    return Markup("".join(out))


def locator_map(ident: str, title: str, desc: str, dot: Dot, *, width: int = 320) -> Markup:
    """A small world map marking one place, with a ring around it to find it."""
    frame = Frame(width)
    x, y = frame.point(dot.lon, dot.lat)
    out = _open(ident, title, desc, frame, f"map-locator map-{ident}")
    out.append(f'<circle class="halo" cx="{x:.1f}" cy="{y:.1f}" r="11" aria-hidden="true"/>')
    out.append(_dot(dot, frame, 4))
    out.append("</svg>")
    return Markup("".join(out))
