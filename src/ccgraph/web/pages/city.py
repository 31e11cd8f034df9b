"""A city's page: memberships, pledges by field, facilities, events, creators and works
(each with its evidence), contacts, reports, profiles, near-duplicate passages, a map."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox
from flask import render_template

from ...namespaces import curie
from ..resources import Description
from . import city_queries as q
from . import map_pages
from .data import CCG, evidence_for, labels, link, lit, select, to_int, value
from .statements import statements


def city_data(iri: str) -> dict[str, Any]:
    base = select(q.BASE, c=iri)[0]
    names_all = select(q.NAMES, c=iri)
    memberships = select(q.MEMBERSHIPS, c=iri)
    pledges = select(q.PLEDGES, c=iri)
    things = select(q.THINGS, c=iri)
    details = select(q.THING_DETAILS, c=iri)
    industries = select(q.INDUSTRIES, c=iri)
    contacts = select(q.CONTACTS, c=iri)
    reports = select(q.REPORTS, c=iri)
    profiles = select(q.PROFILES, c=iri)

    mentioned: set[str] = {iri}
    for rows, keys in ((memberships, ("m", "field")), (pledges, ("p", "field", "theme")),
                       (things, ("x", "type")), (industries, ("i",)), (contacts, ("cp",)),
                       (reports, ("r",)), (profiles, ("d",))):
        for row in rows:
            mentioned.update(row[k].value for k in keys
                             if isinstance(row.get(k), ox.NamedNode))
    mentioned.update(r["o"].value for r in details if isinstance(r["o"], ox.NamedNode))
    if isinstance(base.get("country"), ox.NamedNode):
        mentioned.add(base["country"].value)
    names = labels(mentioned)
    evidence = evidence_for(mentioned)

    def item(x: str) -> dict[str, Any]:
        return {**link(x, names), "evidence": evidence.get(x, [])}

    membership_list: dict[str, dict[str, Any]] = {}
    for row in memberships:
        m = row["m"].value
        entry = membership_list.setdefault(m, {**item(m), "field": link(row["field"].value, names),
                                               "year": value(row.get("year"))[:4],
                                               "ended": value(row.get("ended"))[:4],
                                               "reason": value(row.get("reason")), "sources": []})
        if "source" in row and value(row["source"]) not in entry["sources"]:
            entry["sources"].append(value(row["source"]))
    pledge_map: dict[str, dict[str, Any]] = {}
    for row in pledges:
        p = row["p"].value
        entry = pledge_map.setdefault(p, {
            **item(p), "position": to_int(row["pos"]),
            "field": link(row["field"].value, names) if "field" in row else None,
            "summary": value(row.get("summary")), "quote": value(row.get("text")), "themes": []})
        if "theme" in row:
            theme = link(row["theme"].value, names)
            if theme not in entry["themes"]:
                entry["themes"].append(theme)
    for entry in pledge_map.values():
        entry["themes"].sort(key=lambda t: t["text"])
    pledge_groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in sorted(pledge_map.values(), key=lambda e: (e["field"]["text"] if e["field"]
                                                           else "", e["position"])):
        pledge_groups[entry["field"]["text"] if entry["field"] else ""].append(entry)

    extra: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in details:
        o = row["o"]
        shown = link(o.value, names) if isinstance(o, ox.NamedNode) else lit(o)
        extra[row["x"].value][curie(row["p"].value)].append(shown)
    order = list(q.DETAILS)
    facts = {x: [(q.DETAILS[p], props[p]) for p in sorted(props, key=order.index)]
             for x, props in extra.items()}
    kinds: dict[str, dict[str, Any]] = {}
    for row in things:
        x = row["x"].value
        entry = kinds.setdefault(x, {**item(x), "rel": value(row["rel"]), "types": [],
                                     "details": facts.get(x, [])})
        t = row["type"].value
        if not t.startswith(CCG):
            entry["types"].append(curie(t).partition(":")[2] or curie(t))
        entry.setdefault("ccg_types", set()).add(t)

    def of(kind: str) -> list[dict[str, Any]]:
        return sorted((e for e in kinds.values() if CCG + kind in e["ccg_types"]),
                      key=lambda e: e["text"])

    return {
        "city": item(iri),
        "names": sorted((lit(r["l"]) for r in names_all), key=lambda x: (x["lang"] != "en",
                                                                          x["lang"])),
        "country": link(base["country"].value, names) if "country" in base else None,
        "cc": value(base.get("cc")),
        "description": value(base.get("description")),
        "memberships": sorted(membership_list.values(), key=lambda m: (m["year"] or "9999",
                                                                       m["field"]["text"])),
        "pledge_groups": list(pledge_groups.items()),
        "facilities": of("Facility"), "events": of("Event"),
        "creators": of("Creator"), "works": of("CreativeWork"),
        "industries": sorted((link(r["i"].value, names) for r in industries),
                             key=lambda x: x["text"]),
        "contacts": [{**item(r["cp"].value), "name": value(r.get("name")),
                      "job": value(r.get("job")), "dept": value(r.get("dept")),
                      "email": value(r.get("email"))} for r in contacts],
        "reports": sorted(({**item(r["r"].value), "year": value(r.get("year"))[:4],
                            "url": value(r.get("url"))} for r in reports),
                          key=lambda r: r["year"]),
        "profiles": sorted((item(r["d"].value) for r in profiles), key=lambda p: p["text"]),
        "near_duplicates": near_duplicates_of(iri),
        "map": map_pages.city_map(iri, names.get(iri) or curie(iri)),
    }


def near_duplicates_of(city: str) -> list[dict[str, Any]]:
    """The city's passages (pledges, description spans) that are near-duplicates of another
    city's, each with that city, its passage, the similarity and the record (graph
    ``near-duplicates``), most similar first."""
    rows = select(q.NEAR_DUPLICATES, c=city)
    spans = {r[k].value for r in rows for k in ("mine", "other") if "#" in r[k].value}
    names = labels({r[k].value for r in rows for k in ("d", "mine", "other", "city")}
                   | {s.partition("#")[0] for s in spans})
    for span in spans:
        names[span] = "description in " + names.get(span.partition("#")[0], "the profile")
    notes = [{"record": link(r["d"].value, names), "mine": link(r["mine"].value, names),
              "other": link(r["other"].value, names), "city": link(r["city"].value, names),
              "similarity": f"{float(value(r['sim'])):.3f}"} for r in rows]
    return sorted(notes, key=lambda n: (-float(n["similarity"]), n["mine"]["text"],
                                        n["other"]["text"]))


def city_page(iri: str, desc: Description) -> str:
    data = city_data(iri)
    return render_template("city.html", title=data["city"]["text"], data=data,
                           **statements(iri, desc))
