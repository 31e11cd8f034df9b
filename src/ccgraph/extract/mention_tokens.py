"""Tokens for the mention rules: words, numbers, quotes and single punctuation characters."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

_TOKEN = re.compile(
    r"[^\W\d_][\w-]*\.(?:org|com|net)\b"        # a web name: "kuda.org", "berlindesign.net"
    r"|(?:[A-Z]\.){2,3}(?=[ \u00a0]+[A-Z][a-z])"  # initials before a name: "P.A. Lalitha"
    r"(?![ \u00a0]+(?:The|A|An|In|It|Its|This|These|They|Their|Since|As)\b)"
    r"|[^\W\d_](?:[\w]|['’´\-](?=[^\W_]))*"   # a word starting with a letter
    r"(?:(?<=s)['’](?=[ \u00a0]+[^\W\d_]))?"  # a plural possessive: "Writers’ Festival"
    r"|\d[A-Z]\b"                                # "3D", "2D": a word of a name
    r"|\d+(?:[.,]\d+)*"                        # a number
    r"|&"
    r"|[“”\"«»„‘´]"                             # quotes
    r"|\S",                                     # any other single character
)
OPEN_QUOTES = frozenset("“\"«„‘´")
CLOSE_QUOTES = frozenset("”\"»’´")


class Tok(NamedTuple):
    """A token (a tuple: a profile has thousands, and a tuple is made faster than a frozen
    dataclass)."""

    start: int
    end: int
    text: str
    gap: str  # the characters between the previous token and this one


def tokens(text: str, start: int, end: int) -> list[Tok]:
    out: list[Tok] = []
    previous = start
    for m in _TOKEN.finditer(text, start, end):
        a, b = m.span()
        out.append(Tok(a, b, m.group(), text[previous:a]))
        previous = b
    return out


def camel(word: str) -> bool:
    """A word with a capital after its first letter: "AlmaFest", "engageLab", "TRAKK"."""
    return any(c.isupper() for c in word[1:])


def is_cap(tok: Tok) -> bool:
    """A capitalised word, a word written in camel case ("engageLab"), or an elided article
    before a capitalised word ("d'Art")."""
    return _cap_word(tok.text)


@lru_cache(maxsize=1 << 16)
def _cap_word(word: str) -> bool:
    """:func:`is_cap` of a token's text (asked about each word many times over)."""
    first = word[0]
    if len(word) == 2 and first.isdigit() and word[1].isupper():
        return True  # "Courant 3D Festival"
    if not first.isalpha():
        return False
    if word.endswith((".org", ".com", ".net")):
        return True
    if _ELIDED.match(word):
        return True  # "Festival International d'Art Vidéo", "Théâtre de l'Odéon"
    return first.isupper() or (first.islower() and camel(word) and word.isalnum())


#: a Romance article or preposition elided before a capitalised word: "d'Art", "l'Odéon"
_ELIDED = re.compile(r"(?:d|l|dell|dall|all|nell|sull)['’´][A-ZÀ-Ý]")


def is_word(tok: Tok) -> bool:
    return tok.text[0].isalpha()


def is_acronym(word: str) -> bool:
    """"MLF", "ISTKA", "D3", "HfG": two to eight letters or digits, mostly capitals."""
    if not 2 <= len(word) <= 8 or not word[0].isupper() or not word.isalnum():
        return False
    return sum(c.isupper() or c.isdigit() for c in word) >= max(2, len(word) - 1)


def joined(tok: Tok) -> bool:
    """True when only ordinary spaces separate this token from the one before."""
    return len(tok.gap) <= 3 and all(c in " \u00a0" for c in tok.gap)


def possessive(word: str) -> bool:
    return word.endswith(("'s", "’s", "´s"))
