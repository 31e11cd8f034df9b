"""Literal words that every match of a regular expression contains: a cheap test that skips
a case-insensitive search which cannot match.

:func:`required_literals` reads a pattern (with Python's own regular-expression parser) and
returns strings, lower case, such that any match of the pattern, case-insensitively, contains
at least one of them; ``None`` when it finds no such strings. :func:`fold` turns a text into
the form those strings are looked for in: ``needed`` found in ``fold(text)`` for none of the
strings means the pattern has no match in ``text``. The test only says "cannot match": a text
that passes it is searched with the pattern itself, so the result of the search never
depends on this module (themes.py uses it before each keyword pattern).

Only ASCII characters make up the strings. Under ``re.IGNORECASE`` an ASCII letter of a
pattern matches itself in either case and four other characters (dotted and dotless I, the
long S, the Kelvin sign): :func:`fold` maps those four before lowering the text.
"""

from __future__ import annotations

import importlib
from typing import Any

_parser: Any = importlib.import_module("re._parser")  # no typing stubs for the private module

#: the non-ASCII characters that an ASCII letter matches under re.IGNORECASE
_IGNORECASE_TWINS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})

#: an answer of the analysis: any of these strings is in every match, or nothing is known
Needs = frozenset[str] | None


def fold(text: str) -> str:
    """``text`` as :func:`required_literals`' strings are looked for in it."""
    return text.translate(_IGNORECASE_TWINS).lower()


def required_literals(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Strings of which each match of ``pattern`` (with ``flags``, any case) contains one, the
    longest such choice the parse shows; ``None`` when there is none (or the parse is not
    understood)."""
    try:
        parsed = _parser.parse(pattern, flags)
        needs = _sequence(list(parsed))
    except Exception:  # an unknown parse (another Python): no shortcut, the pattern decides
        return None
    return tuple(sorted(needs)) if needs else None


def _score(needs: frozenset[str]) -> tuple[int, int]:
    return (min(len(s) for s in needs), -len(needs))


def _better(a: Needs, b: Needs) -> Needs:
    if a is None:
        return b
    if b is None:
        return a
    return a if _score(a) >= _score(b) else b


def _sequence(items: list[tuple[Any, Any]]) -> Needs:
    """Items matched one after the other: the best of their literal runs and of the needs of
    each item every match goes through."""
    best: Needs = None
    run: list[str] = []

    def close() -> None:
        nonlocal best
        if run:
            best = _better(best, frozenset({"".join(run)}))
            run.clear()

    for op, av in items:
        name = str(op)
        if name == "LITERAL" and av < 128:
            run.append(chr(av).lower())
            continue
        close()
        best = _better(best, _item(name, av))
    close()
    return best


def _item(name: str, av: Any) -> Needs:
    """What one item of a sequence needs (``None``: nothing, or it may match nothing)."""
    if name == "SUBPATTERN":
        return _sequence(list(av[3]))
    if name == "ATOMIC_GROUP":
        return _sequence(list(av))
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _high, inner = av
        return _sequence(list(inner)) if low >= 1 else None
    if name == "BRANCH":
        union: set[str] = set()
        for branch in av[1]:
            needs = _sequence(list(branch))
            if needs is None:
                return None
            union |= needs
        return frozenset(union)
    return None  # classes, anchors, look-arounds, group references: nothing required


__all__ = ["fold", "required_literals"]
