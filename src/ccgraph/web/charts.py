"""Charts as inline SVG, drawn on the server: no JavaScript, no fonts or files to fetch.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (named by
``aria-labelledby``) and scales with its container (``viewBox``, width 100 %). Pages show the
same numbers as a table beside the chart, so the chart is never the only way to read them.
Every string that comes from the data is escaped here; the result is ``Markup``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: Okabe-Ito palette (distinguishable with the common colour-vision deficiencies).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#555555", "#000000")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]
    colour: str = ""


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _nice_step(value: int, count: int = 4) -> int:
    """A round tick step (1, 2 or 5 × 10^k) so that ``count`` steps cover ``value``."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m * count >= value:
                return step * m
        step *= 10


def _nice_max(value: int) -> int:
    """The axis top: ``value`` rounded up to a whole number of round steps."""
    if value <= 0:
        return 1
    step = _nice_step(value)
    return -(-value // step) * step


def _ticks(top: int, count: int = 4) -> list[int]:
    step = _nice_step(top, count)
    return list(range(0, top + 1, step))


def _open(ident: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart chart-{ident}" role="img" aria-labelledby="{ident}-t {ident}-d" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(desc)}</desc>',
    ]


def stacked_columns(ident: str, title: str, desc: str, categories: Sequence[str],
                    series: Sequence[Series], *, height: int = 260) -> Markup:
    """Vertical stacked columns: one column per category (e.g. year), one colour per series."""
    left, right, top, bottom = 36, 8, 8, 40
    band = 22 if len(categories) < 30 else 16
    width = left + right + band * max(1, len(categories))
    plot_h = height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    ymax = _nice_max(max(totals, default=0))
    out = _open(ident, title, desc, width, height)
    out.append('<g class="axis" font-size="10" fill="#333">')
    for tick in _ticks(ymax):
        y = top + plot_h - plot_h * tick / ymax
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                   'stroke="#ddd" stroke-width="1"/>')
        out.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{tick}</text>')
    out.append("</g>")
    for i, category in enumerate(categories):
        x = left + band * i
        y = top + plot_h
        parts = []
        for j, s in enumerate(series):
            value = s.values[i]
            if not value:
                continue
            h = plot_h * value / ymax
            y -= h
            parts.append(f"{escape(s.name)}: {value}")
            out.append(f'<rect x="{x + 2}" y="{y:.1f}" width="{band - 4}" height="{h:.1f}" '
                       f'fill="{s.colour or colour(j)}"><title>{escape(category)}, '
                       f"{escape(s.name)}: {value}</title></rect>")
        if len(categories) < 30 or i % 2 == 0:
            lx, ly = x + band / 2, top + plot_h + 6
            out.append(f'<text font-size="10" fill="#333" x="{lx:.1f}" y="{ly:.1f}" '
                       f'text-anchor="end" transform="rotate(-60 {lx:.1f} {ly:.1f})">'
                       f"{escape(category)}</text>")
    out.append("</svg>")
    return Markup("".join(out))


def horizontal_bars(ident: str, title: str, desc: str,
                    items: Sequence[tuple[str, int]], *, bar_colour: str = PALETTE[0]) -> Markup:
    """One labelled bar per item (label, value), longest first as given."""
    label_w, value_w, row_h, width = 130, 36, 18, 440
    height = row_h * max(1, len(items)) + 4
    vmax = max((v for _, v in items), default=0) or 1
    plot_w = width - label_w - value_w
    out = _open(ident, title, desc, width, height)
    for i, (label, value) in enumerate(items):
        y = 2 + row_h * i
        w = plot_w * value / vmax
        text = label if len(label) <= 24 else label[:23] + "…"
        out.append(f'<text x="{label_w - 6}" y="{y + 13}" font-size="11" fill="#222" '
                   f'text-anchor="end">{escape(text)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row_h - 4}" '
                   f'fill="{bar_colour}"><title>{escape(label)}: {value}</title></rect>')
        out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="11" '
                   f'fill="#222">{value}</text>')
    out.append("</svg>")
    return Markup("".join(out))
