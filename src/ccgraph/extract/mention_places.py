"""Place names the mention rules must not read as entities: member cities and countries.

A head noun can be part of a place name ("Feira" in "Santa Maria da Feira" is a town, not a
fair), a city's name can open a run ("Linz's Tabakfabrik": the name is "Tabakfabrik"), and a
city named alone is never a facility. The names come from the data itself: the city and
country columns of ``data/members.csv`` and the aliases of ``data/city-aliases.csv``.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from .. import shipped


def _fold(name: str) -> str:
    return " ".join(name.replace("’", "'").split()).casefold()


@lru_cache(maxsize=4)
def place_names(data: Path | None = None) -> frozenset[str]:
    """The case-folded names of member cities, their countries and the city aliases."""
    folder = shipped.data() if data is None else data
    names: set[str] = set()
    for file, columns in (("members.csv", ("city", "country")),
                          ("city-aliases.csv", ("alias", "city"))):
        path = folder / file
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                names.update(_fold(row[c]) for c in columns if row.get(c))
    return frozenset(n for n in names if n)


def is_place(label: str) -> bool:
    """Whether the label is a member city, a country or a city alias as a whole."""
    return _fold(label) in place_names()


def ends_in_place(label: str) -> bool:
    """Whether the label ends with the last two or more words of a place name of three words
    or more, so its last word (a head noun) belongs to the place: "Fogaça da Feira" (the
    town Santa Maria da Feira), never "Festival of Porto-Novo" (one word)."""
    words = _fold(label).split()
    return len(words) >= 2 and (words[-2], words[-1]) in _place_ends(place_names())


@lru_cache(maxsize=4)
def _place_ends(places: frozenset[str]) -> frozenset[tuple[str, str]]:
    """The last two words of each place name of three words or more."""
    return frozenset((parts[-2], parts[-1]) for parts in (p.split() for p in places)
                     if len(parts) >= 3)


__all__ = ["ends_in_place", "is_place", "place_names"]
