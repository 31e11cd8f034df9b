"""A creative field's page: its members by year, its pledges' themes, a map."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import render_template

from ...namespaces import curie
from .. import charts
from ..resources import Description
from ..state import state
from . import field_queries as q
from . import home_queries, map_pages
from .data import labels, link, lit, select_many, to_int, value
from .home import field_counts
from .statements import statements


def field_data(iri: str) -> dict[str, Any]:
    """What the field page shows: its queries at once, then the labels of what they found
    (the field's own among them: the page's title)."""
    parts = select_many({"MEMBERS": q.MEMBERS, "THEMES": q.THEMES, "INFO": q.INFO,
                         "LABELS": q.LABELS, "FIELDS": home_queries.FIELDS,
                         "CURRENT": map_pages.CURRENT}, f=iri)
    rows, themes, info = parts["MEMBERS"], parts["THEMES"], parts["INFO"]
    names = labels({iri} | {r["city"].value for r in rows}
                   | {r["country"].value for r in rows if "country" in r}
                   | {r["theme"].value for r in themes} | {r["f"].value for r in parts["FIELDS"]}
                   | map_pages.named(parts["CURRENT"]))
    members: list[dict[str, Any]] = sorted(({"city": link(r["city"].value, names),
                       "country": link(r["country"].value, names) if "country" in r else None,
                       "year": value(r.get("year"))[:4], "ended": value(r.get("ended"))[:4]}
                      for r in rows),
                     key=lambda m: (m["year"] or "9999", m["city"]["text"]))
    current = [m for m in members if not m["ended"]]
    per_year: dict[str, int] = defaultdict(int)
    for m in members:
        if m["year"]:
            per_year[m["year"]] += 1
    years = [str(y) for y in range(int(min(per_year)), int(max(per_year)) + 1)] \
        if per_year else []
    return {
        "title": names.get(iri) or curie(iri),
        "members": current, "former": [m for m in members if m["ended"]],
        "per_year": [(y, per_year.get(y, 0)) for y in years],
        "chart": charts.stacked_columns(
            "field-years", "Cities joining this field per year",
            f"Columns, one per year from {years[0]} to {years[-1]}; the height is the number "
            "of cities designated that year. The list below gives each city and year.",
            years, [charts.Series("members", [per_year.get(y, 0) for y in years])])
            if years else None,
        "themes": sorted(({**link(r["theme"].value, names), "count": to_int(r["n"])}
                          for r in themes), key=lambda t: (-t["count"], t["text"])),
        "definition": value(info[0].get("definition")) if info else "",
        "labels": sorted((lit(r["l"]) for r in parts["LABELS"]), key=lambda x: x["lang"]),
        "cities": len({m["city"]["iri"] for m in current}),
        "map": map_pages.field_map(iri, parts["CURRENT"], field_counts(parts["FIELDS"], names),
                                   names),
    }


def field_doc_page(iri: str, desc: Description) -> str:
    ext = state()
    data = ext.cached("pages:field:" + iri, lambda: field_data(iri))
    return render_template("field.html", title=data["title"], data=data,
                           **statements(iri, desc))
