"""Head nouns in a run of tokens: which word gives a name its kind, and where.

The words themselves are in :mod:`.mention_lexicon`; :mod:`.mention_runs` and
:mod:`.mentions` ask these questions of a run ``toks[i:j]``.
"""

from __future__ import annotations

from . import mention_lexicon as lex
from .mention_cognates import cognate_head
from .mention_tokens import Tok, is_acronym, is_cap, joined, possessive

HEADS = lex.HEADS


def head_at(toks: list[Tok], i: int) -> tuple[str, str] | None:
    """The (kind, subtype) of the head noun at token i, or None."""
    word = toks[i].text
    if possessive(word):
        word = word[:-2]  # "the Food Bank's market": the head is "Bank"
    if word == "House" and i > 0 and toks[i - 1].text == "Opera":
        return HEADS["Opera House"]
    if word in lex.NEEDS_TAIL and (i + 1 >= len(toks) or toks[i + 1].text != "of"):
        return None
    if word == "Festivals" and not acronym_after(toks, i + 1):
        return None  # a plural head is generic, unless an acronym names it
    found = HEADS.get(word)
    if found is None and len(word) > 3 and word.isupper():
        found = HEADS.get(word.title())  # "Banja Luka FEST"
    if found is None:
        found = cognate_head(word)  # "Teatro" as "Theatre": a head of the same family
    return found


def suffix_head(word: str) -> tuple[str, str] | None:
    """The (kind, subtype) of one word ending in a head ("Kunsthalle", "AlmaFest",
    "Literaturhaus")."""
    suffix = head_suffix(word)
    if suffix is None:
        return None
    return dict((*lex.SUFFIX_HEADS, *lex.COMPOUND_HEADS))[suffix]


def head_suffix(word: str) -> str | None:
    """The head ending of one word (:data:`~.mention_lexicon.SUFFIX_HEADS` after three
    letters, :data:`~.mention_lexicon.COMPOUND_HEADS` after four), or None."""
    low = word.casefold()
    for table, before in ((lex.SUFFIX_HEADS, 3), (lex.COMPOUND_HEADS, 4)):
        for suffix, _ in table:
            if low.endswith(suffix) and len(low) >= len(suffix) + before:
                return suffix
    return None


def acronym_after(toks: list[Tok], j: int) -> int | None:
    """If tokens j.. are " (ACRONYM)", the index after the closing parenthesis."""
    if (j + 2 < len(toks) and toks[j].text == "(" and is_acronym(toks[j + 1].text)
            and toks[j + 2].text == ")"):
        return j + 3
    return None


def has_head(toks: list[Tok], i: int, j: int) -> bool:
    """Whether toks[i:j] holds a head noun."""
    return any(head_at(toks, k) is not None for k in range(i, j))


def name_words(toks: list[Tok], i: int, j: int) -> int:
    """How many capitalised words toks[i:j] holds."""
    return sum(1 for k in range(i, j) if is_cap(toks[k]))


def kind_head(toks: list[Tok], i: int, j: int) -> int | None:
    """The head that gives the name its kind: the last one before the first tail connector
    that follows a head ("Department of Music of the University": Department), unless the
    name ends in an event head right after a capitalised word of the tail ("Society of …
    Conference")."""
    heads = [k for k in range(i, j) if head_at(toks, k) is not None]
    if not heads:
        return None
    tails = [k for k in range(heads[0] + 1, j) if toks[k].text in lex.TAIL_START]
    last = heads[-1]
    if (tails and last == j - 1 and last - 1 > tails[0] and is_cap(toks[last - 1])
            and toks[last - 1].text not in lex.CONNECTORS
            and (head_at(toks, last) or ("", ""))[0] == "event"):
        return last  # "Society of Automotive Engineers Conference": a conference
    if tails:
        before = [h for h in heads if h < tails[0]]
        if before:
            return before[-1]
    return heads[-1]


def lower_head_at(toks: list[Tok], j: int) -> tuple[str, str, int] | None:
    """A lower-case head at j, or after one lower-case modifier: (kind, subtype, end)."""
    n = len(toks)
    for skip in (0, 1, 2):
        k = j + skip
        if k >= n or not joined(toks[k]) or not toks[k].text.islower():
            return None
        word = toks[k].text
        if k + 1 < n and joined(toks[k + 1]) and f"{word} {toks[k + 1].text}" in lex.LOWER_HEADS:
            kind, subtype = lex.LOWER_HEADS[f"{word} {toks[k + 1].text}"]
            return kind, subtype, k + 2
        if word in lex.LOWER_HEADS:
            kind, subtype = lex.LOWER_HEADS[word]
            return kind, subtype, k + 1
        if word in lex.CONNECTORS or word in lex.CATEGORIES:
            return None
    return None
