"""One regular expression for many literal names, factored by their shared beginnings.

``"|".join(re.escape(n) for n in names)`` makes Python's regex engine try every name, in
order, at each place a name could begin: with the corpus gazetteer's 1,400 names that is
most of the search. :func:`alternation` writes the same choice as a tree (the names that
begin with "Ars " under one branch, and so on), so that a place is compared with the few
names that share its first letters only.

The match is the same as the flat alternation's, name for name: the flat form takes the
first name, in the given order, that matches at the leftmost place; the tree keeps that
order among names that could both match at a place, and only regroups names that differ
at some character, which cannot both match there. A name that ends where others go on
(an empty rest) matches wherever it is tried, so it is never moved past another name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: a name still to place: the characters not yet written, and what follows the name
_Entry = tuple[str, str]


def alternation(names: Sequence[str], last_suffix: str = "") -> str:
    """A pattern equal in its matches to ``"|".join(map(re.escape, names)) + last_suffix``
    (the suffix, a regular expression, binding to the last name only, as it does there)."""
    if not names:
        raise ValueError("alternation of no names: the flat form would match everywhere")
    entries: list[_Entry] = [(name, "") for name in names]
    entries[-1] = (names[-1], last_suffix)
    return _choice(entries)


def _choice(entries: list[_Entry]) -> str:
    """The alternatives of ``entries``, in order, grouped by their next character between
    the names that end here."""
    parts: list[str] = []
    segment: list[_Entry] = []
    for entry in entries:
        if entry[0]:
            segment.append(entry)
            continue
        parts.extend(_groups(segment))
        segment = []
        parts.append(entry[1])  # the name ends: only what follows it is left
    parts.extend(_groups(segment))
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _groups(segment: list[_Entry]) -> list[str]:
    """Names that all go on, grouped by their next character (groups in the order of their
    first name); each group writes its longest shared beginning once."""
    groups: dict[str, list[_Entry]] = {}
    for rest, tail in segment:
        groups.setdefault(rest[0], []).append((rest, tail))
    out: list[str] = []
    for members in groups.values():
        shared = _shared_start([rest for rest, _tail in members])
        rests = [(rest[len(shared):], tail) for rest, tail in members]
        out.append(re.escape(shared) + _choice(rests))
    return out


def _shared_start(words: list[str]) -> str:
    first, last = min(words), max(words)
    n = 0
    while n < len(first) and n < len(last) and first[n] == last[n]:
        n += 1
    return first[:n]


__all__ = ["alternation"]
