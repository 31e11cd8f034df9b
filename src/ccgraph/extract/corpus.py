"""Read the scraped JSON corpus of profiles, and dispatch any mix of sources.

The corpus is ``{"<page>": {"<n>": {"City Name", "Category", "Description", "Link"}}}``.
Each record's Description is one profile document (``source = f"{path}#{n}"``); Category
becomes a field slug; City Name is kept as given (aliases are the members module's job).

A record that the scraper marked as failed ("City name not found") is skipped with its
reason. A record of the same City Name and Category as an earlier one is a duplicate: the
first is kept, and the reason says whether the texts are identical. Anything else that is not
the documented structure raises :class:`~ccgraph.records.SourceError` naming the file, the line
(invalid JSON) or the JSON key and field, with a hint: bad input never passes silently.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..iris import slugify
from ..records import Profile, SourceError
from .profile import read_profile_file, read_profile_text, read_text_file

FIELDS = ("City Name", "Category", "Description", "Link")
_NOT_FOUND = re.compile(r"^\s*(?:city\s+)?\w*\s*not\s+found\s*$", re.IGNORECASE)
_DATED = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
CORPUS_GLOB = "uccn-profiles*.json"
_INDEX = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Skipped:
    """A record (or document) that yields no profile, and why."""

    index: int | None  # the record's key in a corpus; None for a whole document
    reason: str
    source: str = ""


@dataclass(frozen=True)
class Duplicate:
    """Record ``index`` repeats record ``kept_index`` of the same corpus (unpacks as a tuple)."""

    index: int
    kept_index: int
    reason: str

    def __iter__(self) -> Iterator[int | str]:
        return iter((self.index, self.kept_index, self.reason))


@dataclass(frozen=True)
class Collapsed:
    """A profile dropped in favour of another one of the same city and field."""

    source: str
    kept_source: str
    reason: str


@dataclass
class CorpusResult:
    path: Path
    records: int  # records in the file, read or not
    profiles: list[Profile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)

    def quality(self) -> dict[str, Any]:
        from .quality import corpus_quality
        return corpus_quality(self)


@dataclass
class ExtractResult:
    """Everything read from a set of sources, duplicates collapsed."""

    files: list[Path] = field(default_factory=list)
    documents: int = 0  # profile documents seen: .txt files plus corpus records
    profiles: list[Profile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[Collapsed] = field(default_factory=list)

    def quality(self) -> dict[str, Any]:
        from .quality import corpus_quality
        return corpus_quality(self)


def retrieved_from_name(path: Path) -> date | None:
    """``uccn-profiles-2024-10-01.json`` -> 2024-10-01; None without a valid date."""
    m = _DATED.search(path.name)
    if not m or not path.name.startswith("uccn-profiles"):
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def clean_url(link: str) -> str | None:
    """The record's Link without the site's ``hub=`` tracking parameter."""
    link = link.strip()
    if not link:
        return None
    try:
        parts = urlsplit(link)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if k != "hub"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _normal(text: str) -> str:
    return " ".join(text.split())


def _load_json(path: Path) -> Any:
    text = read_text_file(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(str(path), f"invalid JSON: {exc.msg} (column {exc.colno})",
                          line=exc.lineno, hint="fix the JSON syntax there") from None
    except ValueError as exc:  # e.g. an integer too long to convert
        raise SourceError(str(path), f"invalid JSON: {exc}",
                          hint="a profile corpus holds only objects and strings") from None
    except RecursionError:
        raise SourceError(str(path), "invalid JSON: nested too deeply",
                          hint="a profile corpus is two levels of objects") from None


def _records(path: Path, data: Any) -> list[tuple[int, str, dict[str, str]]]:
    """(index, key path, record) for every record, checked against the documented shape."""
    src = str(path)
    hint = 'expected {"0": {"<n>": {"City Name", "Category", "Description", "Link"}}}'
    if not isinstance(data, dict):
        raise SourceError(src, f"the top level is a JSON {type(data).__name__}, not an object",
                          hint=hint)
    out: list[tuple[int, str, dict[str, str]]] = []
    seen: dict[int, str] = {}
    for page_key, page in data.items():
        if not isinstance(page, dict):
            raise SourceError(src, f"a JSON {type(page).__name__} where an object of records "
                              "belongs", field=page_key, hint=hint)
        for key, record in page.items():
            where = f"{page_key}/{key}"
            if not _INDEX.fullmatch(key):
                raise SourceError(src, f"record key {key!r} is not a number", field=where,
                                  hint=hint)
            index = int(key)
            if index in seen:
                raise SourceError(src, f"record number {index} appears twice "
                                  f"(also at {seen[index]})", field=where,
                                  hint="renumber the records")
            seen[index] = where
            if not isinstance(record, dict):
                raise SourceError(src, f"record is a JSON {type(record).__name__}, not an "
                                  "object", field=where, hint=hint)
            for name in FIELDS:
                if name not in record:
                    raise SourceError(src, f"record has no {name!r}", field=f"{where}/{name}",
                                      hint=hint)
                if not isinstance(record[name], str):
                    raise SourceError(src, f"{name!r} is a JSON {type(record[name]).__name__},"
                                      " not a string", field=f"{where}/{name}", hint=hint)
            out.append((index, where, record))
    return out


def _failed(record: dict[str, str]) -> str | None:
    """Why a record holds no profile (the scraper's 'not found' markers, empty values)."""
    problems = []
    for name in ("City Name", "Description"):
        value = record[name]
        if not value.strip():
            problems.append(f"{name} is empty")
        elif _NOT_FOUND.match(value):
            problems.append(f"{name} is {value.strip()!r}")
    if not problems:
        return None
    return "the scrape of this page failed: " + ", ".join(problems)


def _duplicate_reason(kept: int, a: str, b: str) -> str:
    if a == b:
        return f"same City Name, Category and Description as record {kept}"
    if _normal(a) == _normal(b):
        return f"same City Name and Category as record {kept}; texts differ only in spacing"
    ratio = difflib.SequenceMatcher(None, _normal(a), _normal(b), autojunk=False).ratio()
    return (f"same City Name and Category as record {kept}; texts {ratio:.0%} alike "
            "(the first record is kept)")


def read_corpus(path: Path) -> CorpusResult:
    """Read a JSON corpus of profiles (see the module doc)."""
    path = Path(path)
    records = _records(path, _load_json(path))
    retrieved = retrieved_from_name(path)
    result = CorpusResult(path=path, records=len(records))
    kept: dict[tuple[str, str], tuple[int, str]] = {}
    for index, where, record in records:
        source = f"{path}#{index}"
        reason = _failed(record)
        if reason is not None:
            result.skipped.append(Skipped(index, f"record {where}: {reason}", source))
            continue
        city = _normal(record["City Name"])
        category = _normal(record["Category"])
        key = (city, category)
        if key in kept:
            first, first_text = kept[key]
            result.duplicates.append(Duplicate(
                index, first, _duplicate_reason(first, first_text, record["Description"])))
            continue
        kept[key] = (index, record["Description"])
        field_slug: str | None
        try:
            field_slug = None if _NOT_FOUND.match(category) else slugify(category)
        except ValueError:
            field_slug = None
        profile = read_profile_text(record["Description"], source, city=city,
                                    field=field_slug, url=clean_url(record["Link"]),
                                    retrieved=retrieved)
        if field_slug is None:  # the intro sentence's field, if any, stands in
            profile.warnings.append(f"no-field: Category {record['Category']!r} names no field")
        result.profiles.append(profile)
    return result


# --- any mix of sources ---------------------------------------------------------------------

def _expand(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(path.glob("*.txt")) + sorted(path.glob(CORPUS_GLOB))
            found = [p for p in found if p.is_file()]
            if not found:
                raise SourceError(str(path), "no profile documents in this directory",
                                  hint=f"put profile .txt files or a {CORPUS_GLOB} corpus there")
            files.extend(found)
        elif path.is_file() or path.is_symlink():
            if path.suffix.lower() not in (".txt", ".json"):
                raise SourceError(str(path), f"unsupported kind of source {path.suffix!r}",
                                  hint="give profile .txt files, a JSON corpus of profiles, "
                                       "or a directory holding them")
            files.append(path)
        elif not path.exists():
            raise SourceError(str(path), "no such file or directory", hint="check the path")
        else:
            raise SourceError(str(path), "not a regular file or directory")
    unique: list[Path] = []
    seen: set[Path] = set()
    for f in files:
        resolved = f.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(f)
    return unique


def read_sources(paths: Iterable[Path]) -> ExtractResult:
    """Read .txt profiles, JSON corpora and directories of them.

    Two profiles of the same city and field are collapsed into one: a profile file given
    on its own wins over a corpus record (it is the curated document), else the first read.
    """
    result = ExtractResult(files=_expand(paths))
    candidates: list[tuple[int, int, Profile]] = []
    for path in result.files:
        if path.suffix.lower() == ".txt":
            result.documents += 1
            candidates.append((0, len(candidates), read_profile_file(path)))
            continue
        corpus = read_corpus(path)
        result.documents += corpus.records
        result.skipped.extend(corpus.skipped)
        for dup in corpus.duplicates:
            result.duplicates.append(Collapsed(f"{path}#{dup.index}",
                                               f"{path}#{dup.kept_index}", dup.reason))
        candidates.extend((1, len(candidates), p) for p in corpus.profiles)

    winners: dict[tuple[str, str], tuple[int, int, Profile]] = {}
    for cand in candidates:
        profile = cand[2]
        if profile.field is None:
            continue
        key = (_city_key(profile.city), profile.field)
        best = winners.get(key)
        if best is None or cand[:2] < best[:2]:
            winners[key] = cand
    for _rank, order, profile in candidates:
        if profile.field is not None:
            best = winners[(_city_key(profile.city), profile.field)]
            if best[1] != order:
                kind = "a profile file" if best[0] == 0 else "an earlier profile"
                result.duplicates.append(Collapsed(
                    profile.source, best[2].source,
                    f"same city and field as {kind}, which is kept"))
                continue
        result.profiles.append(profile)
    return result


def _city_key(name: str) -> str:
    try:
        return slugify(name)
    except ValueError:
        return name.casefold()


__all__ = ["Collapsed", "CorpusResult", "Duplicate", "ExtractResult", "Skipped",
           "clean_url", "read_corpus", "read_profile_file", "read_sources",
           "retrieved_from_name"]
