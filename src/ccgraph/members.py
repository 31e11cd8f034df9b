"""The members table: every UCCN membership (city, country, field, year) and its graph.

``data/membership-ends.csv`` (``city,country_code,field,ended,reason,source``, curated)
says which memberships ended, when, why and on whose word; :func:`with_ends` joins it to
the table, and a row that matches no membership is an error naming its line. A
membership is *current* when it has no end. The members table keeps every designation,
ended or not (Lyon: Media Arts 2008, ended 2023 when it changed field; Literature 2023).

``data/members.csv`` (made by ``scripts/make_members.py`` from the shared table) has the
columns ``city,country,country_code,field,year,source``; ``data/city-aliases.csv``
(``alias,city,country_code``) maps spellings used by the profile corpus to the table's
names (``Come`` -> Como, IT; ``Turin`` -> Torino, IT); the graph gives each city its
aliases as ``ccg:mentionedAs`` (a hidden label: how sources write its name, misspellings
included), which the designation evidence rule accepts as the city's name.

One city can hold several memberships (Lyon: Media Arts 2008, Literature 2023), and one
name can stand for several cities in different countries (Granada, Spain and Granada,
Nicaragua): lookups by name alone return every match, never a guess.

A row without a country (none in the table of 2026-12-01; Cuenca, Gastronomy 2025, once
had none) is read and kept in the table, but it cannot be given a city or country IRI, so
:func:`members_graph` leaves it out and reports it as a warning; the build passes the
warnings on to the quality report. No country is ever invented.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from . import iris
from .namespaces import CCG, ORG, SCHEMA
from .records import SourceError
from .settings import Settings, data_dir
from .triple_buffer import Buffer

MEMBER_COLUMNS = ("city", "country", "country_code", "field", "year", "source")
END_COLUMNS = ("city", "country_code", "field", "ended", "reason", "source")
ALIAS_COLUMNS = ("alias", "city", "country_code")
NETWORK_LABEL = "UNESCO Creative Cities Network"

_CODE = re.compile(r"[A-Z]{2}")
_YEAR = re.compile(r"\d{4}")
_FIELD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_URL = re.compile(r"https?://\S+")
_SMALL_WORDS = {"and", "of", "the"}


@dataclass(frozen=True)
class Member:
    """One membership: a city in a creative field. ``country``/``country_code`` are
    None when the source gives no country; ``year`` is None when it is unknown."""

    city: str
    country: str | None
    country_code: str | None
    field: str  # slug, e.g. "media-arts"
    year: int | None
    source: str  # one or more URLs separated by " ; "
    ended: int | None = None  # the year the membership ended; None while it is current
    end_reason: str | None = None  # why it ended, in the curators' words (English)
    end_source: str | None = None  # the URL that says it ended

    @property
    def current(self) -> bool:
        """A membership is current until it has an end."""
        return self.ended is None

    @property
    def sources(self) -> list[str]:
        return [part.strip() for part in self.source.split(";") if part.strip()]

    @property
    def field_label(self) -> str:
        return field_label(self.field)

    @property
    def label(self) -> str:
        return f"{self.city}, {self.field_label}"


@dataclass(frozen=True)
class Alias:
    alias: str
    city: str
    country_code: str


def field_label(slug: str) -> str:
    """``crafts-and-folk-art`` -> ``Crafts and Folk Art`` (English label from the slug)."""
    words = slug.split("-")
    return " ".join(w if i and w in _SMALL_WORDS else w.capitalize() for i, w in enumerate(words))


def default_members_path() -> Path:
    return data_dir(Settings.load()) / "members.csv"


def default_aliases_path() -> Path:
    return data_dir(Settings.load()) / "city-aliases.csv"


def _rows(path: Path, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SourceError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(str(path), "not UTF-8 text", hint="save the table as UTF-8") from exc
    reader = csv.DictReader(text.splitlines())
    header = tuple(reader.fieldnames or ())
    if header != columns:
        raise SourceError(str(path), f"unexpected columns {','.join(header) or '(none)'}",
                          line=1, hint=f"the header must be {','.join(columns)}")
    for row in reader:
        if None in row or any(value is None for value in row.values()):
            raise SourceError(str(path), "wrong number of values", line=reader.line_num,
                              hint=f"each row needs {len(columns)} comma-separated values; "
                                   "quote values that contain commas")
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}


def read_members(path: Path | None = None) -> list[Member]:
    """Read the members table (default ``data/members.csv``); SourceError on bad rows."""
    path = path or default_members_path()
    members: list[Member] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in _rows(path, MEMBER_COLUMNS):

        def fail(message: str, column: str, hint: str, line: int = line) -> SourceError:
            return SourceError(str(path), message, line=line, field=column, hint=hint)

        if not row["city"]:
            raise fail("no city name", "city", "every row names a city")
        code = row["country_code"]
        if code and not _CODE.fullmatch(code):
            raise fail(f"{code!r} is not a country code", "country_code",
                       "use an upper-case ISO 3166-1 alpha-2 code such as JP, or leave it blank")
        if bool(code) != bool(row["country"]):
            raise fail("country and country_code must be both given or both blank",
                       "country", "a blank country means the country is unknown")
        if not _FIELD.fullmatch(row["field"]):
            raise fail(f"{row['field']!r} is not a field slug", "field",
                       "use a slug such as media-arts or crafts-and-folk-art")
        year = row["year"]
        if year and not _YEAR.fullmatch(year):
            raise fail(f"{year!r} is not a year", "year",
                       "write the year of designation as four digits, or leave it blank")
        sources = [p.strip() for p in row["source"].split(";") if p.strip()]
        if not sources or not all(_URL.fullmatch(p) for p in sources):
            raise fail(f"{row['source']!r} is not a list of URLs", "source",
                       "give one or more http(s) URLs separated by ' ; '")
        key = (iris.slugify(row["city"]), code, row["field"])
        if key in seen:
            raise fail(f"{row['city']} is listed twice in {row['field']}", "city",
                       f"the first listing is on line {seen[key]}")
        seen[key] = line
        members.append(Member(
            city=row["city"], country=row["country"] or None, country_code=code or None,
            field=row["field"], year=int(year) if year else None,
            source=" ; ".join(sources)))
    return members


def default_ends_path() -> Path:
    return data_dir(Settings.load()) / "membership-ends.csv"


def with_ends(members: Iterable[Member], path: Path | None = None) -> list[Member]:
    """The members with the ends of ``data/membership-ends.csv`` (or ``path``) joined in.

    Each row names one membership by ``city,country_code,field``; SourceError (file, line,
    column) for a row that matches no membership, names one twice, ends before the year
    of designation, or lacks a reason or a source URL."""
    path = path or default_ends_path()
    members = list(members)
    by_key = {(iris.slugify(m.city), m.country_code, m.field): i for i, m in enumerate(members)}
    done: dict[int, int] = {}
    for line, row in _rows(path, END_COLUMNS):

        def fail(message: str, column: str, hint: str, line: int = line) -> SourceError:
            return SourceError(str(path), message, line=line, field=column, hint=hint)

        key = (iris.slugify(row["city"]), row["country_code"], row["field"])
        at = by_key.get(key)
        if at is None:
            raise fail(f"no membership of {row['city'] or '(no city)'} "
                       f"({row['country_code'] or 'no code'}) in {row['field'] or '(no field)'}",
                       "city", "city, country_code and field must match a row of the "
                               "members table (field as a slug such as media-arts)")
        if at in done:
            raise fail(f"{row['city']} in {row['field']} is ended twice", "city",
                       f"the first end is on line {done[at]}")
        if not _YEAR.fullmatch(row["ended"]):
            raise fail(f"{row['ended']!r} is not a year", "ended",
                       "write the year the membership ended as four digits")
        member = members[at]
        ended = int(row["ended"])
        if member.year is not None and ended < member.year:
            raise fail(f"ends in {ended}, before its designation in {member.year}", "ended",
                       "check the year")
        if not row["reason"]:
            raise fail("no reason", "reason", "say in a few words of your own why it ended")
        if not _URL.fullmatch(row["source"]):
            raise fail(f"{row['source']!r} is not a URL", "source",
                       "give the http(s) URL of a page that says the membership ended")
        done[at] = line
        members[at] = dataclasses.replace(member, ended=ended, end_reason=row["reason"],
                                          end_source=row["source"])
    return members


def read_aliases(path: Path | None = None) -> list[Alias]:
    """Read ``alias,city,country_code`` rows (default ``data/city-aliases.csv``)."""
    path = path or default_aliases_path()
    aliases: list[Alias] = []
    for line, row in _rows(path, ALIAS_COLUMNS):
        if not row["alias"] or not row["city"]:
            raise SourceError(str(path), "alias and city are required", line=line,
                              hint="one spelling per row: alias,city,country_code")
        if not _CODE.fullmatch(row["country_code"]):
            raise SourceError(str(path), f"{row['country_code']!r} is not a country code",
                              line=line, field="country_code",
                              hint="use an upper-case ISO 3166-1 alpha-2 code such as IT")
        aliases.append(Alias(row["alias"], row["city"], row["country_code"]))
    return aliases


class AmbiguousName(LookupError):
    """A name and field that match memberships of several cities."""


def _key(name: str) -> str:
    return iris.slugify(name)


class MemberIndex:
    """Look up members by city name (or alias) and field.

    Names are compared by slug, so case and diacritics do not matter. A name may stand
    for several cities (Granada in Spain and in Nicaragua), so name lookups return lists.
    """

    def __init__(self, members: Iterable[Member], aliases: Iterable[Alias] = ()) -> None:
        self.members: list[Member] = list(members)
        self._by_name: dict[str, list[Member]] = defaultdict(list)
        for member in self.members:
            self._by_name[_key(member.city)].append(member)
        self._aliases: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self._alias_names: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for alias in aliases:
            target = [m for m in self._by_name.get(_key(alias.city), [])
                      if m.country_code == alias.country_code]
            if not target:
                raise ValueError(f"alias {alias.alias!r} points to {alias.city} "
                                 f"({alias.country_code}), which is not in the members table")
            self._aliases[_key(alias.alias)].append((_key(alias.city), alias.country_code))
            self._alias_names[alias.alias].append((_key(alias.city), alias.country_code))

    @classmethod
    def load(cls, members_path: Path | None = None,
             aliases_path: Path | None = None) -> MemberIndex:
        return cls(with_ends(read_members(members_path)), read_aliases(aliases_path))

    def names_of(self, member: Member) -> list[str]:
        """The city's name and every alias that points to it (``Torino``, ``Turin``)."""
        key = (_key(member.city), member.country_code)
        return [member.city] + [alias for alias, targets in self._alias_names.items()
                                if key in targets]

    def by_name(self, name: str) -> list[Member]:
        """Every membership of every city called ``name`` (directly or by alias)."""
        key = _key(name)
        found = list(self._by_name.get(key, []))
        for city_key, code in self._aliases.get(key, []):
            found.extend(m for m in self._by_name.get(city_key, [])
                         if m.country_code == code and m not in found)
        return found

    def lookup_all(self, name: str, field: str) -> list[Member]:
        """Every membership in ``field`` (slug or label) of a city called ``name``."""
        wanted = _key(field)
        return [m for m in self.by_name(name) if m.field == wanted]

    def lookup(self, name: str, field: str, country_code: str | None = None) -> Member | None:
        """The membership of city ``name`` (or an alias) in ``field``; None when none.

        Raises :class:`AmbiguousName` when several cities of that name hold the field
        and no ``country_code`` narrows it down."""
        found = self.lookup_all(name, field)
        if country_code is not None:
            found = [m for m in found if m.country_code == country_code.upper()]
        if len(found) > 1:
            places = ", ".join(f"{m.city} ({m.country_code or 'no country'})" for m in found)
            raise AmbiguousName(f"{name!r} in {field} is ambiguous: {places}")
        return found[0] if found else None


def members_graph(members: Iterable[Member], base: str = iris.DEFAULT_BASE,
                  warnings: list[str] | None = None, aliases: Iterable[Alias] = ()) -> Graph:
    """The members graph: cities, countries, memberships and the network.

    Each alias of a city in the graph becomes its ``ccg:mentionedAs``.
    Members without a country are left out; a message for each is appended to
    ``warnings`` when a list is given. A country spelled two ways gets the more common
    spelling as its label (also reported)."""
    return members_triples(members, base, warnings, aliases).into(Graph())


def members_triples(members: Iterable[Member], base: str = iris.DEFAULT_BASE,
                    warnings: list[str] | None = None, aliases: Iterable[Alias] = ()) -> Buffer:
    """The triples of :func:`members_graph` (the same arguments), each once, in order."""
    members = list(members)
    notes: list[str] = [] if warnings is None else warnings
    g = Buffer()
    network = iris.network(base)
    g.add((network, RDF.type, ORG.Organization))
    g.add((network, RDF.type, SCHEMA.Organization))
    g.add((network, RDFS.label, Literal(NETWORK_LABEL, lang="en")))

    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for m in members:
        if m.country_code and m.country:
            spellings[m.country_code][m.country] += 1
    for code, counts in spellings.items():
        name = counts.most_common(1)[0][0]
        if len(counts) > 1:
            notes.append(f"country {code} is spelled {', '.join(sorted(counts))}; "
                         f"labelled {name!r}")
        country = iris.country(code, base)
        g.add((country, RDF.type, SCHEMA.Country))
        g.add((country, RDFS.label, Literal(name, lang="en")))
        g.add((country, CCG.countryCode, Literal(code)))

    for m in members:
        if not m.country_code:
            notes.append(f"{m.city} ({m.field_label}, {m.year or 'year unknown'}) has no "
                         "country in the members table; left out of the graph")
            continue
        city = iris.city(m.country_code, m.city, base)
        membership = iris.membership(m.country_code, m.city, m.field, base)
        g.add((city, RDF.type, CCG.CreativeCity))
        g.add((city, RDFS.label, Literal(m.city, lang="en")))
        g.add((city, CCG.countryCode, Literal(m.country_code)))
        g.add((city, SCHEMA.containedInPlace, iris.country(m.country_code, base)))
        g.add((city, CCG.membership, membership))
        g.add((membership, RDF.type, CCG.Membership))
        g.add((membership, ORG.member, city))
        g.add((membership, ORG.organization, network))
        g.add((membership, CCG.field, iris.field(m.field, base)))
        g.add((membership, RDFS.label, Literal(m.label, lang="en")))
        if m.year is not None:
            g.add((membership, CCG.yearDesignated, Literal(str(m.year), datatype=XSD.gYear)))
        if m.ended is not None:
            g.add((membership, CCG.yearEnded, Literal(str(m.ended), datatype=XSD.gYear)))
            if m.end_reason:
                g.add((membership, CCG.endReason, Literal(m.end_reason, lang="en")))
            if m.end_source:
                g.add((membership, DCTERMS.source, URIRef(m.end_source)))
        for url in m.sources:
            g.add((membership, DCTERMS.source, URIRef(url)))
    for alias in aliases:
        city = iris.city(alias.country_code, alias.city, base)
        if (city, RDF.type, CCG.CreativeCity) in g:
            g.add((city, CCG.mentionedAs, Literal(alias.alias)))
    return g


def members_graph_and_warnings(members: Iterable[Member], base: str = iris.DEFAULT_BASE,
                               aliases: Iterable[Alias] = ()) -> tuple[Graph, list[str]]:
    """:func:`members_graph` and the warnings it reports, for the quality report."""
    warnings: list[str] = []
    return members_graph(members, base, warnings, aliases), warnings


__all__ = [
    "Alias", "AmbiguousName", "Member", "MemberIndex", "default_aliases_path",
    "default_ends_path", "default_members_path", "field_label", "members_graph",
    "members_graph_and_warnings", "members_triples", "read_aliases", "read_members",
    "with_ends",
]
