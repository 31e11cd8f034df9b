"""Runs of capitalised words, and where a run is cut into several names.

A *run* is a maximal sequence of capitalised words joined by white space and by connectors
("of", "for", "and", "de", …; at most three in a row, always followed by a capitalised
word). :func:`split_run` cuts it at "and"/"&" between two complete names (not at an "and"
inside a tail: "Association of Writers and Writing Programs") and at "in" before a place or
another name, unless the place ends a name that has a tail ("Centre for Social Development
in Al-Ahsa"; see :mod:`.mentions` for the whole account).
"""

from __future__ import annotations

from . import mention_lexicon as lex
from .mention_heads import (
    HEADS,
    has_head,
    head_at,
    kind_head,
    lower_head_at,
    name_words,
    suffix_head,
)
from .mention_places import is_place
from .mention_tokens import Tok, is_acronym, is_cap, joined, possessive


def runs(toks: list[Tok]) -> list[tuple[int, int]]:
    """Maximal runs [i, j) of capitalised words joined by connectors."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(toks)
    while i < n:
        if not is_cap(toks[i]):
            i += 1
            continue
        j = i + 1
        while j < n and not (possessive(toks[j - 1].text) and j - 1 > i
                             and toks[j - 1].text[:-2] not in lex.NAME_POSSESSIVES
                             and toks[j].text not in HEADS):  # "Seal Engraver's Society"
            if toks[j].text in lex.BREAK_WORDS:
                break
            if is_cap(toks[j]) and joined(toks[j]):
                j += 1
                continue
            if (toks[j].text == "(" and j + 3 < n and is_cap(toks[j + 1])
                    and toks[j + 2].text == ")" and is_cap(toks[j + 3]) and joined(toks[j + 3])
                    and head_at(toks, j + 3) is not None
                    and not (j + 4 < n and is_cap(toks[j + 4]) and joined(toks[j + 4]))):
                j += 4  # "… Arts Theatre (NEAT) Festival", "Koza (Cocoon) Khan": one name
                continue
            if toks[j].text == "," and (end := _comma_tail(toks, i, j)) is not None:
                j = end
                break
            k = j
            while k < n and k - j < 3 and joined(toks[k]) and toks[k].text in lex.CONNECTORS:
                k += 1
            words = [t.text for t in toks[j:k]]
            # "the" only after "of"/"for"/…: "Visit the X Museum" and "X Festival and the
            # Y Show" are not one name.
            if words and (words[0] == "the" or ("and" in words and "the" in words)):
                break
            if k > j and k < n and is_cap(toks[k]) and joined(toks[k]):
                j = k + 1
                continue
            break
        runs.append((i, j))
        i = j
    return runs


def _comma_tail(toks: list[Tok], i: int, j: int) -> int | None:
    """A tail "of A, B and C" that goes on past the comma at j ("Ministry of Science,
    Industry and Technology"): the index after C, or None."""
    heads = [k for k in range(i, j) if toks[k].text in HEADS]
    if not heads or not any(toks[k].text in ("of", "for") for k in range(heads[0], j)):
        return None
    k, n = j, len(toks)
    while k + 1 < n and toks[k].text == "," and is_cap(toks[k + 1]):
        k += 2
        if k < n and toks[k].text == ",":
            continue
        if k + 1 < n and toks[k].text == "and" and is_cap(toks[k + 1]):
            return k + 2
        return None
    return None


def split_run(toks: list[Tok], i: int, j: int) -> list[tuple[int, int]]:
    """Cut a run at "and"/"&" between two complete names and at "in" before a non-name."""
    for k in range(i + 1, j - 1):
        word = toks[k].text
        if word in ("and", "&") and _tail_goes_on(toks, i, k, j):
            continue
        if word in ("and", "&") and (_complete_names(toks, i, k, j) or (
                has_head(toks, i, k) and name_words(toks, i, k) >= 2
                and name_words(toks, k + 1, j) >= 1 and not has_head(toks, k + 1, j)
                and lower_head_at(toks, j) is not None)):
            return [(i, k), *split_run(toks, k + 1, j)]
        if (word == "and" and k + 2 == j and head_at(toks, k + 1) is not None
                and not has_head(toks, i, k)):
            return []  # "Easter and Carnival": two common nouns, no name
        if word == "in" and _locative_tail(toks, i, k, j):
            continue  # "Centre for Social Development in Al-Ahsa": the place is in the name
        if word == "in" and (_place_or_named(toks, k + 1, j) if has_head(toks, i, k) else not (
                has_head(toks, k + 1, j) or lower_head_at(toks, j))):
            return [(i, k), *split_run(toks, k + 1, j)]
    return [(i, j)]


def _tail_goes_on(toks: list[Tok], i: int, k: int, j: int) -> bool:
    """ "Association of Writers and Writing Programs and Modern Language Association": the
    first "and" is inside the tail (what follows it up to the next "and" has no head), and
    the name ends at the next "and", before a complete name (docs/annotation.md: "and"
    inside one name)."""
    h = kind_head(toks, i, k)
    if h is None or not any(toks[m].text in lex.TAIL_START for m in range(h + 1, k)):
        return False
    nxt = next((m for m in range(k + 1, j) if toks[m].text in ("and", "&")), None)
    return (nxt is not None and name_words(toks, k + 1, nxt) >= 1
            and not has_head(toks, k + 1, nxt) and _complete_names(toks, i, nxt, j))


def _locative_tail(toks: list[Tok], i: int, k: int, j: int) -> bool:
    """ "in" + a place that ends a name whose head already has a tail ("Centre for Social
    Development in Al-Ahsa", "Design Centre of Université du Québec in Montréal"): a locative
    tail written as part of the name (docs/annotation.md, round 5); "Festival in Berlin",
    without a tail, ends before "in"."""
    h = kind_head(toks, i, k)
    if h is None or not any(toks[m].text in ("of", "for") for m in range(h + 1, k)):
        return False
    return is_place(" ".join(t.text for t in toks[k + 1:j]))


def _place_or_named(toks: list[Tok], i: int, j: int) -> bool:
    """After "in" behind a head: a place ("Festival in Berlin"), a name with its own head, or
    words that are not a tail of the name ("Contest of … in Crafts Production" is one)."""
    if i < j and toks[i].text == "the":
        i += 1
    words = [t.text for t in toks[i:j]]
    return (any(is_place(" ".join(words[:n])) for n in range(1, min(4, len(words)) + 1))
            or has_head(toks, i, j) or name_words(toks, i, j) < 2)


def _complete_names(toks: list[Tok], i: int, k: int, j: int) -> bool:
    """Whether "and" at k joins two complete names ("Kuching Jazz Festival and Sarawak
    Regatta", "Africa Oye and Liverpool International Festival of Psychedelia") rather than
    two words of one name ("Spring Fair and Peace", "Art and Design Centre")."""
    left, right = name_words(toks, i, k), name_words(toks, k + 1, j)
    if (toks[k - 1].text in lex.FIELD_WORDS and toks[k + 1].text in lex.MEDIUM_WORDS
            and has_head(toks, k + 2, j)):
        return False  # "Pan-African Cinema and Television Festival": two media, one head
    if head_at(toks, k - 1) is not None or (
            k - 2 > i and is_place(toks[k - 1].text)
            and head_at(toks, k - 2) is not None):
        # "Ars Electronica Centre and Futurelab": one word that is a name of its own;
        # "Design Week Mexico and City Mextrópoli": a head, its place, then a second name
        return right >= 2 or (right == 1 and (suffix_head(toks[k + 1].text) is not None
                                              or is_place(_bare(toks[k + 1].text))
                                              or (k + 2 == j and is_acronym(toks[k + 1].text))))
    if toks[k - 1].text in lex.FIELD_WORDS and not has_head(toks, i, k):
        return False  # "Reykjavík Music and Conference Centre": two modifiers of one head
    if left < 2 or right < 3:
        return False
    if has_head(toks, i, k) and not has_head(toks, k + 1, j):
        return True
    first_head = kind_head(toks, k + 1, j)
    tails = [m for m in range(k + 1, j) if toks[m].text in lex.TAIL_START]
    return first_head is not None and (not tails or first_head < tails[0])


def _bare(word: str) -> str:
    """A word without its possessive ("Poland’s" -> "Poland")."""
    return word[:-2] if possessive(word) else word
