"""Spans of a document, trimmed of white space (including no-break and zero-width spaces):
every span satisfies ``span.text == text[span.start:span.end]``."""

from __future__ import annotations

from ..records import Span

_SPACE = frozenset(" \t\n\r\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                   "\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff\u0085")

def is_space(ch: str) -> bool:
    return ch in _SPACE or ch.isspace()


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``start..end`` past white space on both sides."""
    while start < end and is_space(text[start]):
        start += 1
    while end > start and is_space(text[end - 1]):
        end -= 1
    return start, end


def make_span(text: str, start: int, end: int) -> Span | None:
    """A trimmed span of ``text``, or None when nothing but white space is left."""
    start, end = trim(text, start, end)
    if start >= end:
        return None
    return Span(start, end, text[start:end])
