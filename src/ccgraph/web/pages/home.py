"""The home page: the dataset in numbers, charts and a map (cached per build)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, Response, redirect, render_template
from werkzeug.wrappers import Response as WerkzeugResponse

from ... import void as void_module
from .. import charts, negotiate, releases
from ..state import state
from . import home_queries as q
from . import map_pages
from .data import labels, link, select_many, to_int, value
from .workbench import examples

bp = Blueprint("home", __name__)

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TOP_COUNTRIES = 25


def home_data() -> dict[str, Any]:
    """What the home page shows: its queries at once, then the labels of what they found."""
    rows = select_many({
        "COUNTS": q.COUNTS, "ENDED": q.ENDED, "OTHERS": q.OTHERS,
        "SIZE": void_module.COUNT_DEFAULT_GRAPH,  # the counting convention: void.py
        "NO_YEAR": q.NO_YEAR, "YEARS": q.YEARS, "COUNTRIES": q.COUNTRIES,
        "DATASET": q.DATASET, "LINKSETS": q.LINKSETS, "FIELDS": q.FIELDS,
        "CURRENT": map_pages.CURRENT}, d=state().base + "id/dataset")
    counts, ended, others, size, no_year = (
        rows[k][0] if rows[k] else {} for k in ("COUNTS", "ENDED", "OTHERS", "SIZE", "NO_YEAR"))
    countries = rows["COUNTRIES"]
    names = labels({r["country"].value for r in countries}
                   | {r["f"].value for r in rows["FIELDS"]}
                   | map_pages.named(rows["CURRENT"]))
    fields = field_counts(rows["FIELDS"], names)
    by_year: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows["YEARS"]:
        by_year[value(row["year"])[:4]][row["f"].value] = to_int(row["n"])
    year_list = [str(y) for y in range(int(min(by_year)), int(max(by_year)) + 1)] \
        if by_year else []
    series = [charts.Series(f["label"], [by_year.get(y, {}).get(f["iri"], 0) for y in year_list],
                            f["colour"]) for f in fields]
    year_table = [{"year": y, "counts": [by_year.get(y, {}).get(f["iri"], 0) for f in fields],
                   "total": sum(by_year.get(y, {}).values())} for y in year_list]
    country_rows = sorted(({**link(r["country"].value, names), "cc": value(r.get("cc")),
                            "cities": to_int(r["cities"]), "memberships": to_int(r["memberships"])}
                           for r in countries), key=lambda r: (-r["memberships"], r["text"]))
    info = rows["DATASET"][0] if rows["DATASET"] else {}
    return {
        "counts": {k: to_int(v) for k, v in
                   {**counts, **ended, **others, "triples": size.get("n")}.items()},
        "counting": void_module.COUNTING_NOTE,
        "no_year": to_int(no_year.get("n")),
        "fields": fields,
        "years": year_list, "year_table": year_table,
        "year_chart": charts.stacked_columns(
            "joins", "Cities joining the network per year, by creative field",
            "Stacked columns, one per year of designation from "
            f"{year_list[0] if year_list else '-'} to {year_list[-1] if year_list else '-'}; "
            "each colour is a creative field. The table below gives the same numbers.",
            year_list, series) if year_list else None,
        "countries": country_rows,
        "country_chart": charts.horizontal_bars(
            "countries", f"The {TOP_COUNTRIES} countries with the most memberships",
            "Horizontal bars, one per country, longest first. The table below lists every "
            "country.", [(c["text"], c["memberships"]) for c in country_rows[:TOP_COUNTRIES]]),
        "linksets": linkset_counts(rows["LINKSETS"]),
        "map": map_pages.home_map(rows["CURRENT"], fields, names),
        "title": value(info.get("title")) or "ccgraph",
        "description": value(info.get("description")),
        "license": value(info.get("license")) or LICENSE,
    }


def linkset_counts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The VoID linksets of the build (linksets.py): target dataset and number of links,
    from the rows of ``LINKSETS``."""
    return sorted(({"title": value(r["title"]), "href": value(r.get("home")),
                    "count": to_int(r["n"])} for r in rows), key=lambda r: r["title"])


def field_counts(rows: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """Every creative field with its number of current members, its colour and its place
    in the legend (the order of the charts and maps), from the rows of ``FIELDS`` and the
    fields' labels."""
    fields = sorted(({**link(r["f"].value, names), "slug": value(r.get("slug")),
                      "count": to_int(r["n"])} for r in rows), key=lambda f: f["text"])
    for i, f in enumerate(fields):
        f["label"] = f["text"]
        f["colour"] = charts.colour(i)
        f["index"] = i
    return fields


@bp.route("/")
def home() -> Response:
    reply = negotiate.fixed(negotiate.etag("home-" + releases.fingerprint()))
    data = state().cached("pages:home", home_data)
    return reply.respond(render_template("home.html", title=data["title"], data=data,
                                         examples=examples()[:6]),
                         content_type=negotiate.PAGE.content_type)


@bp.route("/field/<slug>")
def field_page(slug: str) -> WerkzeugResponse:
    return redirect("/doc/field/" + slug, code=301)
