"""The pledge list of a profile: split into one span per item by the grammar of the list
(see profile.py, "Item form")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import Span
from .spans import is_space, make_span, trim

_BULLETS = frozenset("•●▪◦‣∙")
_LEAD_BULLET = frozenset("•●▪◦‣∙-*–")

_SEPARATOR = re.compile(r";|[•●▪◦‣∙]|(?:^|\n)[ \t\u00a0]*[-*–](?=[ \t\u00a0])"
                        # a full stop glued to a lower-case gerund: a lost ";" (maybe)
                        r"|(?<=[^\W\d_]{2})\.(?=[ \u00a0]?[a-z][a-z-]{1,30}ing[\s\u00a0])")
_CONNECTOR = re.compile(r"(?:[Aa]nd|[Ee]t)(?=[\s\u00a0]|[A-Z]|[•●▪◦‣∙]|$)")
_GLUED_AND = re.compile(r"and(?=[a-z])(?!roid|ante|ean|es\b|ersen|erson)")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_ABBREVIATIONS = frozenset({"etc", "inc", "ltd", "co", "st", "no", "vs", "e.g", "i.e"})


@dataclass
class _Segment:
    start: int
    end: int
    bullet: bool  # a bullet precedes this segment
    after_semicolon: bool
    after_stop: bool = False  # only a full stop precedes it


def _strip_lead(text: str, start: int, end: int, after_semicolon: bool,
                form: str | None) -> int:
    """Move ``start`` past white space, bullets and a connector that belongs to the list."""
    while True:
        start, end = trim(text, start, end)
        if start < end and text[start] in _LEAD_BULLET and (
                text[start] in _BULLETS or start + 1 >= end or is_space(text[start + 1])):
            start += 1
            continue
        if after_semicolon and start < end:
            m = _CONNECTOR.match(text, start, end)
            if m:
                start = m.end()
                after_semicolon = False
                continue
            if form is not None:
                m = _GLUED_AND.match(text, start, end)
                if m:
                    start = m.end()
                    after_semicolon = False
                    continue
        return start


def _strip_tail(text: str, start: int, end: int) -> int:
    """Move ``end`` back past white space, separators, a dangling "and" and one full stop."""
    while True:
        start, end = trim(text, start, end)
        if start < end and text[end - 1] in ";,":
            end -= 1
            continue
        if start < end and text[end - 1] in _BULLETS:
            end -= 1
            continue
        tail = text[max(start, end - 4):end]
        m = re.search(r"(?:^|[\s\u00a0])(?:and|et)$", tail)
        if m and end - start > 4:
            end -= len("and") if tail.endswith("and") else len("et")
            continue
        break
    if start < end and text[end - 1] == ".":
        words = _WORD.findall(text[max(start, end - 12):end - 1])
        if not (words and words[-1].lower() in _ABBREVIATIONS) and text[end - 2:end] != "..":
            end -= 1
            start, end = trim(text, start, end)
    return end


def _first_word(text: str, start: int, end: int) -> str:
    m = _WORD.match(text, start, end)
    return m.group(0) if m else ""


# -ing words that are never the verb of an item.
_NOT_GERUNDS = frozenset({
    "during", "according", "notwithstanding", "something", "nothing", "anything",
    "everything", "morning", "evening", "king", "thing", "spring", "string", "ceiling",
})
# Words that may stand before the verb of an item ("further promoting", "actively working").
_MODIFIERS = frozenset({"further", "also", "jointly", "then", "better", "more", "continue",
                        "continuously", "long-term", "together", "collectively"})


def _is_gerund(word: str) -> bool:
    return any(len(part) > 4 and part.endswith("ing") and part not in _NOT_GERUNDS
               for part in word.lower().split("-"))


def form_of(text: str, start: int, end: int) -> str:
    """The grammatical form of a list item: "to" (infinitive), "ing" (gerund) or "other"."""
    words = _WORD.findall(text[start:min(end, start + 80)])[:2]
    if not words:
        return "other"
    first = words[0].lower()
    if first == "to":
        return "to"
    if _is_gerund(words[0]):
        return "ing"
    if len(words) > 1 and (first.endswith("ly") or "-" in first or first in _MODIFIERS):
        if _is_gerund(words[1]):
            return "ing"
        if words[1].lower() == "to":
            return "to"
    return "other"


def _starts_item(text: str, start: int, end: int, form: str, capitalised: bool) -> bool:
    """Does the clause at ``start`` (after a ";") start a new item of the list?"""
    word = _first_word(text, start, end)
    if not word:
        return False
    if form != "other":
        return form_of(text, start, end) == form
    return word[0].isupper() == capitalised


def split_pledges(text: str, start: int, end: int) -> list[Span]:
    """Split the pledge list in ``text[start:end]`` into item spans (see module doc)."""
    segments: list[_Segment] = []
    cursor, bullet, semi, stop = start, False, False, False
    for m in _SEPARATOR.finditer(text, start, end):
        sep = m.group(0)
        if sep == "." and _WORD.findall(text[max(start, m.start() - 12):m.start()])[-1:] in (
                ["etc"], ["e.g"], ["i.e"]):
            continue  # an abbreviation, not a lost separator
        cut = m.end() if sep == "." else m.start()  # a full stop stays with its item
        if text[cursor:cut].strip(" \t\n\r\u00a0\u200b"):
            segments.append(_Segment(cursor, cut, bullet, semi, stop and not semi))
            bullet, semi, stop = False, False, False
        if sep == ";":
            semi = True
        elif sep == ".":
            stop = True
        else:
            bullet = True
        cursor = m.end()
    if text[cursor:end].strip(" \t\n\r\u00a0\u200b"):
        segments.append(_Segment(cursor, end, bullet, semi, stop and not semi))

    form, capitalised = "other", False
    items: list[_Segment] = []
    for seg in segments:
        s = _strip_lead(text, seg.start, seg.end, seg.after_semicolon, form if items else None)
        if s >= seg.end:  # nothing but white space, a bullet or a connector
            continue
        if not items:
            word = _first_word(text, s, seg.end)
            form = form_of(text, s, seg.end)
            capitalised = bool(word) and word[0].isupper()
            items.append(_Segment(s, seg.end, seg.bullet, seg.after_semicolon))
        elif seg.after_stop and not seg.bullet:
            # "….fostering …" in a lower-case gerund list: a new item; else one sentence more
            if form == "ing" and not capitalised and form_of(text, s, seg.end) == "ing":
                items.append(_Segment(s, seg.end, False, False))
            else:
                items[-1].end = seg.end
        elif seg.bullet or _starts_item(text, s, seg.end, form, capitalised):
            items.append(_Segment(s, seg.end, seg.bullet, seg.after_semicolon))
        else:
            items[-1].end = seg.end  # a ";" inside a sentence: keep it in the item
    spans: list[Span] = []
    for item in items:
        s = _strip_lead(text, item.start, item.end, False, None)
        e = _strip_tail(text, s, item.end)
        span = make_span(text, s, e)
        if span is not None and any(c.isalnum() for c in span.text):
            spans.append(span)
    return spans
