"""A city's page: memberships, pledges by field, facilities, events, creators and works
(each with its evidence), contacts, reports, profiles, near-duplicate passages, a map."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from flask import render_template

from ...namespaces import curie
from ..resources import Description
from . import city_queries as q
from . import map_pages
from .data import CCG, Evidence, link, lit, names_and_evidence, select_many, to_int, value
from .statements import statements

Row = dict[str, Any]
Entry = dict[str, Any]


def city_data(iri: str) -> dict[str, Any]:
    """What the city page shows, read with the queries of ``city_queries`` (all at once),
    then the labels and evidence of what they found (at once)."""
    rows = select_many({**{name: getattr(q, name) for name in q.PER_CITY},
                        "BASE": q.BASE, "NEAR_DUPLICATES": q.NEAR_DUPLICATES,
                        "MAP": map_pages.CITY_MAP}, c=iri)
    base = rows["BASE"][0] if rows["BASE"] else {}
    mentioned: set[str] = {iri}
    for name, keys in q.PER_CITY.items():
        for row in rows[name]:
            mentioned.update(row[k].value for k in keys if isinstance(row.get(k), ox.NamedNode))
    if isinstance(base.get("country"), ox.NamedNode):
        mentioned.add(base["country"].value)
    near = rows["NEAR_DUPLICATES"]
    names, evidence = names_and_evidence(mentioned | near_duplicate_iris(near), mentioned)
    shown = Shown(names, evidence)
    things = _things(rows["THINGS"], rows["THING_DETAILS"], shown)

    def of(kind: str) -> list[Entry]:
        return sorted((e for e in things if CCG + kind in e["ccg_types"]),
                      key=lambda e: e["text"])

    return {
        "city": shown.item(iri),
        "names": sorted((lit(r["l"]) for r in rows["NAMES"]),
                        key=lambda x: (x["lang"] != "en", x["lang"])),
        "country": shown.link(base["country"].value) if "country" in base else None,
        "cc": value(base.get("cc")),
        "description": value(base.get("description")),
        "memberships": _memberships(rows["MEMBERSHIPS"], shown),
        "pledge_groups": _pledge_groups(rows["PLEDGES"], shown),
        "facilities": of("Facility"), "events": of("Event"),
        "creators": of("Creator"), "works": of("CreativeWork"),
        "industries": sorted((shown.link(r["i"].value) for r in rows["INDUSTRIES"]),
                             key=lambda x: x["text"]),
        "contacts": [{**shown.item(r["cp"].value), "name": value(r.get("name")),
                      "job": value(r.get("job")), "dept": value(r.get("dept")),
                      "email": value(r.get("email"))} for r in rows["CONTACTS"]],
        "reports": sorted(({**shown.item(r["r"].value), "year": value(r.get("year"))[:4],
                            "url": value(r.get("url"))} for r in rows["REPORTS"]),
                          key=lambda r: r["year"]),
        "profiles": sorted((shown.item(r["d"].value) for r in rows["PROFILES"]),
                           key=lambda p: p["text"]),
        "near_duplicates": near_duplicates(near, names),
        "map": map_pages.city_map(rows["MAP"], shown.names.get(iri) or curie(iri)),
    }


@dataclass
class Shown:
    """The labels and evidence spans of the resources a city page mentions."""

    names: dict[str, str]
    evidence: dict[str, list[Evidence]]

    def link(self, iri: str) -> Entry:
        return link(iri, self.names)

    def item(self, iri: str) -> Entry:
        """A link with the evidence spans that support the resource."""
        return {**self.link(iri), "evidence": self.evidence.get(iri, [])}


def _memberships(rows: list[Row], shown: Shown) -> list[Entry]:
    found: dict[str, Entry] = {}
    for row in rows:
        m = row["m"].value
        entry = found.setdefault(m, {**shown.item(m), "field": shown.link(row["field"].value),
                                     "year": value(row.get("year"))[:4],
                                     "ended": value(row.get("ended"))[:4],
                                     "reason": value(row.get("reason")), "sources": []})
        if "source" in row and value(row["source"]) not in entry["sources"]:
            entry["sources"].append(value(row["source"]))
    for entry in found.values():  # the same order whatever order the engine gave the rows
        entry["sources"].sort()
    return sorted(found.values(), key=lambda m: (m["year"] or "9999", m["field"]["text"]))


def _pledge_groups(rows: list[Row], shown: Shown) -> list[tuple[str, list[Entry]]]:
    """The pledges by field (name), each with its themes."""
    found: dict[str, Entry] = {}
    for row in rows:
        p = row["p"].value
        entry = found.setdefault(p, {
            **shown.item(p), "position": to_int(row["pos"]),
            "field": shown.link(row["field"].value) if "field" in row else None,
            "summary": value(row.get("summary")), "quote": value(row.get("text")), "themes": []})
        if "theme" in row:
            theme = shown.link(row["theme"].value)
            if theme not in entry["themes"]:
                entry["themes"].append(theme)
    for entry in found.values():
        entry["themes"].sort(key=lambda t: t["text"])
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in sorted(found.values(), key=lambda e: (e["field"]["text"] if e["field"]
                                                       else "", e["position"])):
        groups[entry["field"]["text"] if entry["field"] else ""].append(entry)
    return list(groups.items())


def _things(rows: list[Row], details: list[Row], shown: Shown) -> list[Entry]:
    """The facilities, events, creators and works of the city, with their details."""
    extra: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in details:
        o = row["o"]
        fact = shown.link(o.value) if isinstance(o, ox.NamedNode) else lit(o)
        extra[row["x"].value][curie(row["p"].value)].append(fact)
    order = list(q.DETAILS)
    facts = {x: [(q.DETAILS[p], props[p]) for p in sorted(props, key=order.index)]
             for x, props in extra.items()}
    found: dict[str, Entry] = {}
    for row in rows:
        x = row["x"].value
        entry = found.setdefault(x, {**shown.item(x), "rel": value(row["rel"]), "types": [],
                                     "details": facts.get(x, [])})
        t = row["type"].value
        if not t.startswith(CCG):
            entry["types"].append(curie(t).partition(":")[2] or curie(t))
        entry.setdefault("ccg_types", set()).add(t)
    for entry in found.values():  # the same order whatever order the engine gave the rows
        entry["types"] = sorted(set(entry["types"]))
    return list(found.values())


def near_duplicate_iris(rows: list[Row]) -> set[str]:
    """What :func:`near_duplicates` names, from the rows of ``NEAR_DUPLICATES``."""
    spans = {r[k].value for r in rows for k in ("mine", "other") if "#" in r[k].value}
    return ({r[k].value for r in rows for k in ("d", "mine", "other", "city")}
            | {s.partition("#")[0] for s in spans})


def near_duplicates(rows: list[Row], labels: dict[str, str]) -> list[dict[str, Any]]:
    """The city's passages (pledges, description spans) that are near-duplicates of another
    city's, each with that city, its passage, the similarity and the record (graph
    ``near-duplicates``), most similar first: from the rows of ``NEAR_DUPLICATES`` and the
    labels of :func:`near_duplicate_iris`."""
    spans = {r[k].value for r in rows for k in ("mine", "other") if "#" in r[k].value}
    names = dict(labels)
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
