"""The whole pipeline: sources -> extract -> model -> validate -> publish.

``build()`` is what ``ccgraph build`` and ``ccgraph serve`` (with no build yet) call.
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from . import iris, model, shipped
from .aside import Aside
from .evidence import external_only
from .extract import read_sources
from .extract.mention_links import Found, link_mentions
from .inputs import describe_inputs
from .links import read_links
from .members import (
    AmbiguousName,
    Member,
    MemberIndex,
    members_triples,
    read_aliases,
    read_members,
    with_ends,
)
from .near_duplicates import detect as detect_near_duplicates
from .records import Profile, SourceError
from .settings import Settings, data_dir
from .sources import read_turtle_dir
from .store import BuildMeta
from .themes import OTHER, KnownThemes, load_rules

Progress = Callable[[str], None]


class BuildFailed(Exception):
    """The data does not conform to the shapes; nothing was published."""

    def __init__(self, report: Any) -> None:
        self.report = report
        super().__init__("the graph does not conform to the shapes")


@dataclass
class Assembled:
    #: each named graph's triples (each once, in the order they were made): what is
    #: published (converted to pyoxigraph quads) and validated (their union, indexed once in
    #: the validation process: validate/frozen.py)
    triples: dict[URIRef, list[tuple[Node, Node, Node]]]
    graph_sources: dict[URIRef, str]  # named graph -> the file it came from
    quality: dict[str, Any] = field(default_factory=dict)
    profiles: list[Profile] = field(default_factory=list)
    #: what the extraction found, for the gold scores (mention_quality), which read the
    #: same profiles: the rules' names by profile text, and the pledges' themes
    candidates: Found = field(default_factory=dict)
    themes: KnownThemes | None = None

    @cached_property
    def dataset(self) -> Dataset:
        """The named graphs as an rdflib Dataset, made when first asked for (the build
        itself never needs it: adding ~90,000 triples to rdflib's store costs 1-2 CPU s)."""
        ds = Dataset()
        for name, triples in self.triples.items():
            target = ds.graph(name)
            target.addN((s, p, o, target) for s, p, o in triples)
        return ds

    def quads(self) -> int:
        """How many (triple, graph) pairs: the Dataset's quads."""
        return sum(len(triples) for triples in self.triples.values())


@dataclass
class BuildResult:
    meta: BuildMeta
    report: Any  # validate.Report
    quality: dict[str, Any]
    seconds: dict[str, float]


def _stage_timer() -> tuple[dict[str, float], Callable[[str], None]]:
    times: dict[str, float] = {}
    last = [time.perf_counter()]

    def mark(stage: str) -> None:
        now = time.perf_counter()
        times[stage] = round(times.get(stage, 0.0) + now - last[0], 3)
        last[0] = now

    return times, mark


def assemble(sources: Iterable[Path], settings: Settings, members_path: Path | None = None,
             progress: Progress | None = None,
             mark: Callable[[str], None] | None = None,
             profile_sink: Callable[[URIRef, Graph], bool] | None = None,
             near_duplicates: bool = True) -> Assembled:
    """Read every source and model it into one dataset of named graphs.

    ``profile_sink`` (for very large builds): each profile graph is handed to it as soon as
    it is modelled, and kept (validated and published with the others) only when it returns
    True (e.g. a sink that writes the graph's N-Quads aside, publish.graph_nquads, keeping a
    sample to validate).
    ``near_duplicates``: look for copied pledges and descriptions across the profiles
    (near_duplicates.py; off for synthetic networks made of copies)."""
    say = progress or (lambda _m: None)
    tick = mark or (lambda _s: None)
    base = settings.base
    data = data_dir(settings)
    graph_sources: dict[URIRef, str] = {}

    kept: dict[URIRef, list[tuple[Node, Node, Node]]] = {}

    def add_graph(name: URIRef, g: Iterable[tuple[Node, Node, Node]], origin: str) -> None:
        triples = list(g)  # each once: a Graph, or a triple_buffer.Buffer
        kept[name] = list(dict.fromkeys([*kept[name], *triples])) if name in kept else triples
        graph_sources[name] = origin

    say("read: ontology, vocabularies, curated facts")
    add_graph(iris.graph("ontology", base), read_turtle_dir(shipped.ontology(), base), "ontology/")
    vocab = read_turtle_dir(data / "vocab", base)
    add_graph(iris.graph("vocab", base), vocab, "data/vocab/")
    curated = read_turtle_dir(data / "curated", base)
    add_graph(iris.graph("curated", base), curated, "data/curated/")

    members_file = members_path or data / "members.csv"
    members = with_ends(read_members(members_file), data / "membership-ends.csv")
    aliases = read_aliases(data / "city-aliases.csv")
    index = MemberIndex(members, aliases)
    member_warnings: list[str] = []
    mgraph = members_triples(members, base, member_warnings, aliases)
    add_graph(iris.graph("members", base), mgraph, str(members_file))
    link_warnings: list[str] = []
    links = read_links(data, members, base, link_warnings)
    if links is not None:
        add_graph(iris.graph("links", base), links, "data/places.csv, data/countries.csv")
    tick("read")

    say("extract: profiles")
    extracted = read_sources(list(sources))
    located, unresolved, duplicates = _locate(extracted.profiles, index, base)
    modelled = [profile for profile, _m, _n in located]
    countries = [m.country_code or "" for _p, m, _n in located]
    city_names = [m.city for m in members]
    # the near-duplicate search needs the located profiles' passages only (not their
    # mentions): in a process of its own while this one links the mentions and models. It
    # reads each profile under its member's name, which this process gives the profiles only
    # once their mentions are linked (the linking scopes names by the city as written).
    named = [replace(profile, city=member.city) for profile, member, _n in located]
    near_search = Aside(lambda: _near_duplicates(named, countries, city_names, base)) \
        if modelled and near_duplicates else None
    without_theme: list[str] = []  # pledges no theme rule matches: given theme "other"
    try:
        documents = read_document_facts(data / "source-documents.csv")
        candidates: Found = {}
        link_mentions(extracted.profiles, candidates)
        for profile in extracted.profiles:
            known = documents.get(Path(profile.source).name)
            if known is not None:
                profile.url = profile.url or known[0]
                profile.retrieved = profile.retrieved or known[1]
        for profile, member, _n in located:
            profile.city = member.city
        tick("extract")

        say(f"model: {len(extracted.profiles)} profiles")
        known_themes = KnownThemes(load_rules(vocab))
        names = model.field_names(vocab)

        def themes(text: str) -> list[URIRef]:
            found = known_themes(text)
            if not found:
                without_theme.append(" ".join(text.split()[:5]))
                return [OTHER]
            return found

        for profile, member, name in located:
            assert member.country_code is not None
            if profile_sink is None:
                add_graph(name, model.profile_triples(
                    profile, member.country_code, base, themes, curated, names=names,
                    aka=index.names_of(member)), profile.source)
            else:
                made = model.profile_graph(profile, member.country_code, base, themes,
                                           curated, names=names, aka=index.names_of(member))
                if profile_sink(name, made):
                    add_graph(name, made, profile.source)
            graph_sources[name] = profile.source
    except BaseException:
        if near_search is not None:
            near_search.cancel()
        raise
    tick("model")

    near: dict[str, Any] = {}
    if near_search is not None:
        say("near-duplicates: pledges and descriptions across profiles")
        near_triples, near = near_search.result()
        add_graph(iris.graph("near-duplicates", base), near_triples, "near-duplicate detection")
        tick("near-duplicates")

    quality: dict[str, Any] = {
        **network_quality(members, modelled, index),
        "profiles_read": len(extracted.profiles),
        "profiles_modelled": len(modelled),
        "profiles_unresolved": unresolved,
        "profiles_duplicate": duplicates,
        "member_warnings": member_warnings,
        "pledges_with_theme_other": len(without_theme),
        "link_warnings": link_warnings,
        **near,
        **external_only(t for triples in kept.values() for t in triples),
    }
    if without_theme:
        say(f"warning: {len(without_theme)} pledge(s) match no theme rule and get the theme "
            "'other' (data/vocab/themes.ttl holds the rules)")
    quality.update(extracted.quality())
    return Assembled(kept, graph_sources, quality, modelled, candidates, known_themes)


def _locate(profiles: list[Profile], index: MemberIndex, base: str
            ) -> tuple[list[tuple[Profile, Member, URIRef]], list[dict[str, str]],
                       list[dict[str, str]]]:
    """Each profile with its member and its graph's name (the first profile of a city and
    field); and the profiles left out: unresolved (no field, no member, an ambiguous name)
    and duplicates. The profiles are not changed (their city stays as written)."""
    unresolved: list[dict[str, str]] = []
    duplicates: list[dict[str, str]] = []
    located: list[tuple[Profile, Member, URIRef]] = []
    seen: dict[URIRef, str] = {}
    for profile in profiles:
        if profile.field is None:
            unresolved.append({"source": profile.source, "city": profile.city,
                               "reason": "the profile names no creative field"})
            continue
        try:
            member = index.lookup(profile.city, profile.field)
        except AmbiguousName as exc:
            unresolved.append({"source": profile.source, "city": profile.city,
                               "field": profile.field, "reason": str(exc)})
            continue
        if member is None or member.country_code is None:
            unresolved.append({
                "source": profile.source, "city": profile.city, "field": profile.field,
                "reason": "not in the members table; add the city to data/members.csv "
                          "or an alias to data/city-aliases.csv"})
            continue
        name = iris.profile_graph(member.country_code, member.city, profile.field, base)
        if name in seen:
            duplicates.append({"source": profile.source, "kept": seen[name],
                               "reason": "a second profile of the same city and field"})
            continue
        seen[name] = profile.source
        located.append((profile, member, name))
    return located, unresolved, duplicates


def _near_duplicates(modelled: list[Profile], countries: list[str], city_names: list[str],
                     base: str) -> tuple[list[tuple[Node, Node, Node]], dict[str, Any]]:
    """The near-duplicates graph's triples and their quality entries (near_duplicates.py)."""
    found = detect_near_duplicates(zip(modelled, countries, strict=True), city_names, base)
    return list(found.graph), found.quality()


def read_document_facts(path: Path) -> dict[str, tuple[str | None, date | None]]:
    """What curators know of single source files that do not say it themselves:
    ``file,url,retrieved`` (a profile .txt file's web address and retrieval date)."""
    if not path.is_file():
        return {}
    facts: dict[str, tuple[str | None, date | None]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                retrieved = date.fromisoformat(row["retrieved"]) if row.get("retrieved") else None
            except ValueError:
                raise SourceError(str(path), f"retrieved {row['retrieved']!r} is not a date",
                                  line=line, field="retrieved",
                                  hint="write it as YYYY-MM-DD, or leave it empty") from None
            facts[row["file"]] = (row.get("url") or None, retrieved)
    return facts


def network_quality(members: list[Member], modelled: list[Profile],
                    index: MemberIndex) -> dict[str, Any]:
    """Coverage of the network: which member cities have pledges, which years are known."""
    with_pledges: set[tuple[str, str]] = set()
    mentions: dict[str, int] = {}
    for profile in modelled:
        if profile.pledges and profile.field:
            with_pledges.add((profile.city, profile.field))
        for mention in profile.mentions:
            mentions[mention.kind] = mentions.get(mention.kind, 0) + 1
    cities = sorted({m.city for m in members})
    cities_with = {city for city, _ in with_pledges}
    return {
        "member_cities": len({(m.country_code, iris.slugify(m.city)) for m in members
                              if m.country_code}),
        "memberships": len(members),
        "memberships_current": sum(1 for m in members if m.current),
        "memberships_ended": [f"{m.city} ({m.field}, {m.year}–{m.ended})"
                              for m in members if not m.current],
        "fields": dict(sorted(Counter(m.field for m in members).items())),
        "cities_without_pledges": [c for c in cities if c not in cities_with],
        "memberships_without_year": [f"{m.city} ({m.field})" for m in members if m.year is None],
        "mentions_per_kind": dict(sorted(mentions.items())),
    }


def mention_quality(sources: list[Path], candidates: Found | None = None,
                    themes: KnownThemes | None = None) -> dict[str, Any]:
    """Named mentions and pledge themes scored on the project's gold sets (data/gold/),
    development and held-out side by side, when the corpus they annotate is among the
    sources. ``candidates`` and ``themes``: what the build found in the same profiles
    (Assembled), not looked for again (gold_scores.gold_report)."""
    corpora = [p for s in sources for p in ([s] if s.is_file() else sorted(s.glob("*.json")))
               if p.name.startswith("uccn-profiles") and p.suffix == ".json"]
    from .gold_scores import GOLD_DIR, gold_report, summary

    if not corpora or not GOLD_DIR.is_dir():
        return {}
    scores = summary(gold_report(corpora[0], candidates=candidates, themes=themes))
    out: dict[str, Any] = {"gold_scores": scores}
    if "mentions_development" in scores:
        out["mention_scores"] = scores["mentions_development"]
    return out


def build(sources: Iterable[Path], out: Path, settings: Settings,
          members: Path | None = None, progress: Progress | None = None) -> BuildResult:
    """Build and publish. Raises BuildFailed (nothing published) when the shapes fail,
    and records.SourceError for a source that cannot be read."""
    say = progress or (lambda _m: None)
    times, mark = _stage_timer()
    sources = list(sources)
    assembled = assemble(sources, settings, members, say, mark)
    # the gold scores read the corpus again, but take the names and themes the build found
    # in it (the gazetteer, the linking and the scoring are all that is left): in a process
    # of their own while the build validates and publishes
    scores = Aside(lambda: mention_quality(sources, assembled.candidates, assembled.themes))
    try:
        return _build(assembled, sources, out, settings, members, say, times, mark, scores)
    finally:
        scores.cancel()


def _build(assembled: Assembled, sources: list[Path], out: Path, settings: Settings,
           members: Path | None, say: Progress, times: dict[str, float],
           mark: Callable[[str], None], scores: Aside[dict[str, Any]]) -> BuildResult:
    quality = assembled.quality

    def reports_of(report: Any) -> dict[str, str | bytes]:
        quality["warnings"] = len(report.warnings)
        quality.update(scores.result())
        quality_json = json.dumps(quality, indent=2, ensure_ascii=False, sort_keys=True)
        return {
            "validation.txt": report.text(),
            "validation.ttl": report.to_turtle(),
            "validation.json": report.to_json(),
            "quality.json": quality_json + "\n",
            "quality.txt": quality_text(quality),
        }

    meta, report = validate_and_publish(
        assembled, out, settings, reports_of, sources=[str(s) for s in sources],
        extra={"quality": {"profiles_modelled": quality["profiles_modelled"]},
               "inputs": describe_inputs(sources, settings, members)},
        progress=say, mark=mark)
    return BuildResult(meta, report, quality, times)


def validate_and_publish(assembled: Assembled, out: Path, settings: Settings,
                         reports_of: Callable[[Any], Mapping[str, str | bytes]], *,
                         sources: list[str], extra: Mapping[str, object],
                         progress: Progress | None = None,
                         mark: Callable[[str], None] | None = None,
                         more_nquads: Iterable[bytes] = ()) -> tuple[BuildMeta, Any]:
    """Validate the assembled dataset and publish it, at the same time: the validation runs
    in a forked process (validate.background) while the data is written into a staging
    directory; the version is installed only when the report conforms, with the reports
    ``reports_of(report)`` beside it. Raises BuildFailed (nothing installed, the published
    build as it was) when it does not. Returns the build's metadata and the report.

    Stages for ``mark``: ``validate`` (the dataset as pyoxigraph quads, which the publish
    and the SPARQL targets share, and the wait for the report once the data is written)
    and ``publish``."""
    from . import publish  # the validate package imports pyshacl lazily, at pass time only
    from .validate.background import start
    from .validate.build_inputs import BuildInputs
    from .void import describe_dataset

    say = progress or (lambda _m: None)
    tick = mark or (lambda _s: None)
    graphs = assembled.triples
    say(f"validate: {assembled.quads()} quads, while publishing")
    # for publish, and for the SPARQL targets
    converted = publish.convert_graphs(graphs)
    # made in the validation process: the union of the graphs, the shapes' targets resolved
    inputs = BuildInputs(graphs, converted)

    tick("validate")
    # one pyshacl pass, not split over two processes: the publishing keeps one core busy
    # meanwhile, and the pass (~2 CPU s on the network) ends before it; a second process
    # would take CPU from the publishing and cost ~0.6 CPU s more (its own pass set-up,
    # its report sent and merged)
    pending = start(inputs.data, inputs.shapes, sources=assembled.graph_sources, graphs=graphs,
                    processes=1)
    found: list[Any] = []

    def reports() -> Mapping[str, str | bytes]:
        tick("publish")
        say("validate: waiting for the report")
        report = pending.result()
        tick("validate")
        found.append(report)
        if not report.conforms:
            raise BuildFailed(report)
        return reports_of(report)

    try:
        # publish writes the converted quads: the (empty) Dataset is never read
        meta = publish.publish(Dataset(), out, settings.base, reports, sources=sources,
                               extra=extra, void=describe_dataset, progress=say,
                               more_nquads=more_nquads, converted=converted)
    finally:
        pending.cancel()  # only still running when publishing failed
    tick("publish")
    return meta, found[0]


def quality_text(quality: dict[str, Any]) -> str:
    from .gold_scores import format_summary

    lines = ["ccgraph build quality report", ""]
    for key, value in quality.items():
        if key == "gold_scores" and isinstance(value, dict):
            lines.append("gold sets (data/gold/), development beside held-out:")
            lines.extend(f"  {line}" for line in format_summary(value).splitlines())
        elif isinstance(value, list):
            lines.append(f"{key}: {len(value)}")
            lines.extend(f"  - {json.dumps(item, ensure_ascii=False)}" for item in value[:50])
            if len(value) > 50:
                lines.append(f"  … and {len(value) - 50} more (see quality.json)")
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {k}: {v}" for k, v in value.items())
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines) + "\n"
