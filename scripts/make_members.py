#!/usr/bin/env python3
"""Derive data/members.csv from the shared members table (sources/uccn-members.csv).

Usage::

    .venv/bin/python scripts/make_members.py [SOURCE_CSV] [--out data/members.csv]

SOURCE_CSV defaults to ``$CCGRAPH_SOURCES/uccn-members.csv`` (settings ``sources``,
default ``../shared/sources`` relative to the project root). The output is deterministic:
same input, same bytes. Rows keep the order of the source.

What the derivation does, column by column:

- ``city``: copied, whitespace trimmed.
- ``country``: copied, except that one code gets one name: where the source spells a
  country two ways (TR: Turkey/Türkiye, RU: Russia/Russian Federation) every row takes
  the spelling most rows use, and the script prints the change.
- ``country_code``: the ISO 3166-1 alpha-2 code, upper case. Blank stays blank (the table
  of 2026-12-01 has no such row: Cuenca, Gastronomy 2025, is in Ecuador, EC); a row
  without a country is kept as it is, and ``ccgraph.members`` leaves it out of the graph
  and reports it: it never guesses a country.
- ``field``: the field name as a slug (``Crafts and Folk Art`` -> ``crafts-and-folk-art``).
- ``year``: the year of designation, blank when the source does not give one.
- ``source``: the row's source URLs, as they are, joined by `` ; `` (the source separates
  them by `` ; ``, a few cells by a space only). Text in the source column that is not a
  URL (the note ``country: geographic fact`` on some rows) is dropped; the script prints
  how many.

The script refuses (exit 1, with the line) rows it cannot read: a missing city or field,
a code that is not two letters, a year that is not four digits, a row without any URL,
or a duplicate (city, country, field).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections import Counter
from pathlib import Path

from ccgraph.iris import slugify
from ccgraph.settings import Settings

ROOT = Path(__file__).resolve().parents[1]  # the project checkout

SOURCE_COLUMNS = ("city", "country", "iso3166_alpha2", "field", "year_designated", "source_url")
OUT_COLUMNS = ("city", "country", "country_code", "field", "year", "source")
_URL = re.compile(r"https?://\S+")


class RowError(ValueError):
    pass


def _default_source() -> Path:
    sources = Path(Settings.load().sources)
    if not sources.is_absolute():
        sources = ROOT / sources
    return sources / "uccn-members.csv"


def derive(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """Rows of data/members.csv from the text of the shared table, and notes to print."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != SOURCE_COLUMNS:
        raise RowError(f"line 1: expected columns {','.join(SOURCE_COLUMNS)}, "
                       f"got {','.join(reader.fieldnames or ())}")
    out: list[dict[str, str]] = []
    notes: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    spellings: dict[str, Counter[str]] = {}
    dropped = 0
    for row in reader:
        line = reader.line_num
        city = (row["city"] or "").strip()
        country = (row["country"] or "").strip()
        code = (row["iso3166_alpha2"] or "").strip().upper()
        field_name = (row["field"] or "").strip()
        year = (row["year_designated"] or "").strip()
        if not city or not field_name:
            raise RowError(f"line {line}: city and field are required")
        if code and not re.fullmatch(r"[A-Z]{2}", code):
            raise RowError(f"line {line}: {code!r} is not an ISO 3166-1 alpha-2 code")
        if bool(code) != bool(country):
            raise RowError(f"line {line}: country and code must be both given or both blank")
        if year and not re.fullmatch(r"\d{4}", year):
            raise RowError(f"line {line}: year {year!r} is not four digits")
        urls: list[str] = []
        for part in (row["source_url"] or "").split(";"):
            urls.extend(_URL.findall(part))  # a few cells separate URLs by a space only
            if _URL.sub("", part).strip():
                dropped += 1
        if not urls:
            raise RowError(f"line {line}: no source URL")
        field_slug = slugify(field_name)
        key = (slugify(city), code, field_slug)
        if key in seen:
            raise RowError(f"line {line}: {city} ({code}) appears twice in {field_name}")
        seen.add(key)
        if code:
            spellings.setdefault(code, Counter())[country] += 1
        else:
            notes.append(f"line {line}: {city} ({field_name}, {year or 'year unknown'}) "
                         "has no country; kept with blank country and code")
        out.append({"city": city, "country": country, "country_code": code,
                    "field": field_slug, "year": year, "source": " ; ".join(urls)})
    for code, counts in spellings.items():
        if len(counts) > 1:
            name = counts.most_common(1)[0][0]
            others = ", ".join(repr(n) for n in counts if n != name)
            notes.append(f"{code} is also spelled {others}; using {name!r} for every row")
            for row_out in out:
                if row_out["country_code"] == code:
                    row_out["country"] = name
    if dropped:
        notes.append(f"dropped {dropped} source notes that are not URLs")
    return out, notes


def render(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OUT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "members.csv")
    args = parser.parse_args(argv)
    source: Path = args.source or _default_source()
    try:
        rows, notes = derive(source.read_text(encoding="utf-8-sig"))
    except (OSError, RowError) as exc:
        print(f"{source}: {exc}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"{source}: {note}", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(rows), encoding="utf-8")
    print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
