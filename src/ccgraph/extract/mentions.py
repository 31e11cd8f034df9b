"""Find the facilities, events and organisations *named* in a profile's "About" text.

Deterministic rules, no models; every mention says which rule found it (``Mention.rule``,
``ccgraph explain-mention``). The words the rules know are in :mod:`.mention_lexicon`; the
conventions they aim at are in docs/annotation.md.

How a name is found
-------------------

1. The text is cut into tokens (:mod:`.mention_tokens`). A *run* is a maximal sequence of
   capitalised words joined by white space and by connectors ("of", "for", "and", "de",
   "in", "of the", …; at most three in a row, always followed by a capitalised word). A
   possessive word ends a run ("Chamber of Commerce's Y": two runs).
2. A run is cut at "and"/"&" after a head noun only when what follows is a complete name
   of two words or more ("Kuching Jazz Festival and Sarawak Regatta"; but "Spring Fair and
   Peace", "Music Library and Museum" stay one), and at "in" unless a head noun follows it
   ("Man in Danger Festival"; but "Festival in Berlin" ends before "in").
3. Rules, in this order (the first that applies names the run):

   ``head``         the run holds a head noun ("Festival", "Museo", "Council"); the name runs
                    to the end of the run, with a quoted name right after it ("Sapporo
                    Concert Hall “Kitara”"). The kind comes from the head before the first
                    tail connector ("Department of … University": a department).
   ``suffix-head``  one word ending in a head ("Kunsthalle", "AlmaFest", "Futurelab").
   ``lower-head``   a name followed by a lower-case head, maybe after one modifier word:
                    "the “Small Press Zine” festival", "the Polar Bear Pitching startup event".
   ``apposition``   a lower-case category noun right before a name: "the design fair STYLE
                    Bangkok", "the award “Cultural Capital”", "film school (NAFTA)".
   ``list``         names listed after a category noun: "festivals, such as DYOM, Ekala Mba
                    Ni Nkem and …", "organisations, including Australian Poetry, …".
4. Aliases: an acronym or another name in parentheses right after a name is the same thing
   ("Manchester Literature Festival (MLF)"); later uses of the acronym are more evidence for
   it, never a second mention. "University of X" and "X University" are one name.
5. Rejected: one-word names (unless a suffix head, an acronym, quoted, camel case or listed),
   names after "a"/"an" (generic or planned), plural heads, the UNESCO network, a city
   government named as the city ("X Municipality"), names followed by "project", "plan"…,
   degrees ("Master of Design"), holidays ("Mother's Day"), unions of states, and place
   names (:mod:`.mention_places`: a member city or country named alone, a head noun that
   belongs to a place, "Santa Maria da Feira"; a city's possessive is not part of the name:
   "Linz's Tabakfabrik" -> "Tabakfabrik"). A later name that ends an earlier one of the same
   kind ("the Writers' Workshop" after "the Iowa Writers' Workshop") is a short form.
"""

from __future__ import annotations

import re

from ..records import Mention, Span
from . import mention_lexicon as lex
from .mention_places import ends_in_place, is_place
from .mention_tokens import (
    CLOSE_QUOTES,
    OPEN_QUOTES,
    Tok,
    camel,
    is_acronym,
    is_cap,
    joined,
    possessive,
    tokens,
)

HEADS = lex.HEADS
_TYPO = str.maketrans({"’": "'", "´": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"',
                       "„": '"', "\u00a0": " "})


def _runs(toks: list[Tok]) -> list[tuple[int, int]]:
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


def _head_at(toks: list[Tok], i: int) -> tuple[str, str] | None:
    word = toks[i].text
    if possessive(word):
        word = word[:-2]  # "the Food Bank's market": the head is "Bank"
    if word == "House" and i > 0 and toks[i - 1].text == "Opera":
        return HEADS["Opera House"]
    if word in lex.NEEDS_TAIL and (i + 1 >= len(toks) or toks[i + 1].text != "of"):
        return None
    if word == "Festivals" and not _acronym_after(toks, i + 1):
        return None  # a plural head is generic, unless an acronym names it
    return HEADS.get(word)


def _suffix_head(word: str) -> tuple[str, str] | None:
    low = word.casefold()
    for suffix, found in lex.SUFFIX_HEADS:
        if low.endswith(suffix) and len(low) >= len(suffix) + 3:
            return found
    return None


def _acronym_after(toks: list[Tok], j: int) -> int | None:
    """If tokens j.. are " (ACRONYM)", the index after the closing parenthesis."""
    if (j + 2 < len(toks) and toks[j].text == "(" and is_acronym(toks[j + 1].text)
            and toks[j + 2].text == ")"):
        return j + 3
    return None


def _has_head(toks: list[Tok], i: int, j: int) -> bool:
    return any(_head_at(toks, k) is not None for k in range(i, j))


def _name_words(toks: list[Tok], i: int, j: int) -> int:
    return sum(1 for k in range(i, j) if is_cap(toks[k]))


def _split(toks: list[Tok], i: int, j: int) -> list[tuple[int, int]]:
    """Cut a run at "and"/"&" between two complete names and at "in" before a non-name."""
    for k in range(i + 1, j - 1):
        word = toks[k].text
        if word in ("and", "&") and _complete_names(toks, i, k, j):
            return [(i, k), *_split(toks, k + 1, j)]
        if (word == "and" and k + 2 == j and _head_at(toks, k + 1) is not None
                and not _has_head(toks, i, k)):
            return []  # "Easter and Carnival": two common nouns, no name
        if word == "in" and (_place_or_named(toks, k + 1, j) if _has_head(toks, i, k) else not (
                _has_head(toks, k + 1, j) or _lower_head_at(toks, j))):
            return [(i, k), *_split(toks, k + 1, j)]
        if (word == "of" and k == i + 1 and _suffix_head(toks[i].text) is not None
                and _has_head(toks, k + 1, j)):
            return [(i, k), *_split(toks, k + 1, j)]  # "engageLab of the Minho University"
    return [(i, j)]


def _place_or_named(toks: list[Tok], i: int, j: int) -> bool:
    """After "in" behind a head: a place ("Festival in Berlin"), a name with its own head, or
    words that are not a tail of the name ("Contest of … in Crafts Production" is one)."""
    if i < j and toks[i].text == "the":
        i += 1
    words = [t.text for t in toks[i:j]]
    return (any(is_place(" ".join(words[:n])) for n in range(1, min(4, len(words)) + 1))
            or _has_head(toks, i, j) or _name_words(toks, i, j) < 2)


def _complete_names(toks: list[Tok], i: int, k: int, j: int) -> bool:
    """Whether "and" at k joins two complete names ("Kuching Jazz Festival and Sarawak
    Regatta", "Africa Oye and Liverpool International Festival of Psychedelia") rather than
    two words of one name ("Spring Fair and Peace", "Art and Design Centre")."""
    left, right = _name_words(toks, i, k), _name_words(toks, k + 1, j)
    if _head_at(toks, k - 1) is not None:
        # "Ars Electronica Centre and Futurelab": one word that is a name of its own
        return right >= 2 or (right == 1 and _suffix_head(toks[k + 1].text) is not None)
    if toks[k - 1].text in lex.FIELD_WORDS and not _has_head(toks, i, k):
        return False  # "Reykjavík Music and Conference Centre": two modifiers of one head
    if left < 2 or right < 3:
        return False
    if _has_head(toks, i, k) and not _has_head(toks, k + 1, j):
        return True
    first_head = _kind_head(toks, k + 1, j)
    tails = [m for m in range(k + 1, j) if toks[m].text in lex.TAIL_START]
    return first_head is not None and (not tails or first_head < tails[0])


def _quoted_after(toks: list[Tok], j: int) -> int | None:
    """If tokens j.. are a quoted run of capitalised words, return the index after the quote."""
    n = len(toks)
    if j >= n or toks[j].text not in OPEN_QUOTES or not joined(toks[j]):
        return None
    k = j + 1
    while k < n and k - j <= 6 and is_cap(toks[k]) and joined(toks[k]):
        k += 1
    if k == j + 1 or k >= n or toks[k].text not in CLOSE_QUOTES:
        return None
    return k + 1


def _indefinite(toks: list[Tok], i: int) -> bool:
    return i > 0 and toks[i - 1].text.lower() in ("a", "an")


def _clean(label: str) -> str:
    """The label as written, with white space folded and unpaired edge quotes removed."""
    label = " ".join(label.split())
    if label[:1] in OPEN_QUOTES and not any(q in label[1:] for q in CLOSE_QUOTES):
        label = label[1:]
    if label[-1:] in CLOSE_QUOTES and not any(q in label[:-1] for q in OPEN_QUOTES):
        label = label[:-1]
    return label.strip()


def _make(text: str, toks: list[Tok], i: int, j: int, kind: str, subtype: str,
          rule: str) -> Mention | None:
    start, end = toks[i].start, toks[j - 1].end
    if possessive(toks[j - 1].text):
        end -= 2
    label = _clean(text[start:end])
    if not label or lex.REJECT.search(label) or lex.CITY_GOVERNMENT.search(label):
        return None
    if is_place(label) or (label.split()[-1] in HEADS and ends_in_place(label)):
        return None  # "Shenzhen"; "Santa Maria da Feira" is a town, not a fair
    return Mention(kind=kind, label=label, span=Span(start, end, text[start:end]),
                   subtype=subtype, rule=rule)


def _trim(toks: list[Tok], i: int, j: int) -> tuple[int, int]:
    while i < j and (toks[i].text in lex.LEADING or toks[i].text in lex.CONNECTORS):
        i += 1
    while j > i and toks[j - 1].text in lex.CONNECTORS:
        j -= 1
    return i, j


def _head_with_tail(toks: list[Tok], i: int, j: int) -> bool:
    """ "a School of Industrial Design": a head first, then a capitalised tail: a name even
    after "a" (a generic phrase does not capitalise its tail)."""
    return (j - i >= 3 and _head_at(toks, i) is not None and toks[i + 1].text in lex.TAIL_START
            and is_cap(toks[j - 1]))


def _kind_head(toks: list[Tok], i: int, j: int) -> int | None:
    """The head that gives the name its kind: the last one before the first tail connector
    that follows a head ("Department of Music of the University": Department)."""
    heads = [k for k in range(i, j) if _head_at(toks, k) is not None]
    if not heads:
        return None
    tails = [k for k in range(heads[0] + 1, j) if toks[k].text in lex.TAIL_START]
    if tails:
        before = [h for h in heads if h < tails[0]]
        if before:
            return before[-1]
    return heads[-1]


def _from_run(text: str, toks: list[Tok], i: int, j: int) -> Mention | None:
    i, j = _trim(toks, i, j)
    if i >= j or (_indefinite(toks, i) and not _head_with_tail(toks, i, j)):
        return None  # "a Coffee Museum": generic, or only planned
    if possessive(toks[i].text) and j - i >= 2 and is_place(toks[i].text[:-2]):
        i += 1  # "Linz's Tabakfabrik": the name after the city that owns it
    elif (possessive(toks[i].text) and j - i > 2
          and toks[i].text[:-2] not in lex.NAME_POSSESSIVES):  # "Women's Voices … Festival"
        if j - i > 4 and any(toks[k].text in lex.TAIL_START for k in range(i + 2, j)):
            i += 1  # "Alba's White Night of Bookshops": the name after the owner
        else:
            return None  # "Mannheim's Cultural Office" describes; "Chetham's Library" names
    if j < len(toks) and toks[j].text.lower() in lex.NOT_ENTITY_AFTER:
        return None
    h = _kind_head(toks, i, j)
    quoted = i > 0 and toks[i - 1].text in OPEN_QUOTES and j < len(toks) and (
        toks[j].text in CLOSE_QUOTES)
    if h is None or quoted:  # the "Oldest House" competition: the lower-case head names it
        lower = _lower_head(text, toks, i, j)
        if lower is not None:
            return lower
    if h is None and text[toks[i].start:toks[j - 1].end].startswith(lex.ORGANISATION_PREFIXES):
        return _make(text, toks, i, j, "organisation", "organisation", "head")
    if h is None or (j - i == 1 and _suffix_head(toks[i].text) is not None):
        # the last word ending in a head, at the end of the run or before "and"
        for k in range(j - 1, i - 1, -1):
            found = _suffix_head(toks[k].text)
            if found is not None and is_cap(toks[k]) and (
                    k == j - 1 or toks[k + 1].text in ("and", "&")):
                return _make(text, toks, i, k + 1, *found, "suffix-head")
        return None
    found = _head_at(toks, h)
    assert found is not None
    kind, subtype = found
    if h > i:
        subtype = lex.QUALIFIED.get((toks[h - 1].text, toks[h].text), subtype)
    if (toks[h].text in lex.NATIONAL_BODY_HEADS and h + 2 < j and toks[h + 1].text == "of"
            and is_place(" ".join(t.text for t in toks[h + 2:j]))):
        kind, subtype = "organisation", "agency"  # "Academy of Finland": a national body
    # "Free Film Screenings for Municipal Corporation": the name starts after a "for".
    fors = [k for k in range(i + 1, h) if toks[k].text == "for"]
    if fors and not _has_head(toks, i, fors[-1]):
        i = fors[-1] + 1
    end = j
    after_quote = _quoted_after(toks, end)
    if after_quote is not None:
        end = after_quote
    elif _lower_tail(toks, h, j):
        end = j + 1  # "Museum of African art": the tail's noun written in lower case
    if _name_words(toks, i, min(end, j)) < 2:
        return None
    return _make(text, toks, i, end, kind, subtype, "head")


def _lower_tail(toks: list[Tok], h: int, j: int) -> bool:
    """Whether the name's tail ends in an adjective ("of African") whose noun follows in
    lower case ("art", "culture", "music")."""
    return (j < len(toks) and j - 1 > h and toks[j].text in lex.LOWER_TAIL_NOUNS
            and joined(toks[j]) and any(toks[m].text in lex.TAIL_START for m in range(h, j))
            and toks[j - 1].text.endswith(lex.ADJECTIVE_ENDINGS))


def _lower_head_at(toks: list[Tok], j: int) -> tuple[str, str, int] | None:
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


def _lower_head(text: str, toks: list[Tok], i: int, j: int) -> Mention | None:
    """ "the X festival", "the “X” exhibition", "the X startup event"."""
    n = len(toks)
    quoted = (i > 0 and toks[i - 1].text in OPEN_QUOTES and j < n
              and toks[j].text in CLOSE_QUOTES)
    after = j + 1 if quoted else j
    before = i - 2 if quoted else i - 1
    if before < 0 or toks[before].text.lower() not in ("the", "and", ","):
        return None
    found = _lower_head_at(toks, after)
    if found is None:
        return None
    if (not quoted and _name_words(toks, i, j) < 2 and not camel(toks[i].text)
            and (found[2] > after + 1 or len(toks[i].text) < 4
                 or toks[i].text in lex.FIELD_WORDS)):
        return None  # one plain word is a name only right before its head: "the X festival"
    return _make(text, toks, i, j, found[0], found[1], "lower-head")


def normalise_label(label: str) -> str:
    """A key for comparing labels: typographic quotes folded, edges and case ignored."""
    folded = " ".join(label.translate(_TYPO).replace('"', " ").split()).casefold()
    return folded.removeprefix("the ").strip(" '")


_UNIVERSITY_OF = re.compile(r"^university of (.+)$")


def entity_key(label: str) -> str:
    """One key for the names of one thing: "University of X" and "X University" agree."""
    key = normalise_label(label)
    m = _UNIVERSITY_OF.match(key)
    return f"{m.group(1)} university" if m else key


def _bounds(text: str, about: Span | None) -> tuple[int, int]:
    if about is None:
        return 0, len(text)
    start = max(0, min(about.start, len(text)))
    return start, max(start, min(about.end, len(text)))


def _short_form(key: str, kind: str, found: list[Mention]) -> bool:
    """A later name that is the end of an earlier one of the same kind ("the Writers'
    Workshop" after "the Iowa Writers' Workshop"): a short form, not a second entity."""
    return len(key.split()) >= 2 and any(
        m.kind == kind and entity_key(m.label).endswith(" " + key) for m in found)


def find_mentions(text: str, about: Span | None = None) -> list[Mention]:
    """The named facilities, events and organisations in ``about`` (or the whole text).

    Every mention's span (and alias span) satisfies ``span.text ==
    text[span.start:span.end]``; a name is reported once, at its first occurrence, with
    its acronyms and parenthesised other names as aliases.
    """
    from .mention_context import aliases_of, context_mentions

    start, end = _bounds(text, about)
    toks = tokens(text, start, end)
    candidates: list[tuple[int, Mention]] = []
    for i, j in _runs(toks):
        for a, b in _split(toks, i, j):
            mention = _from_run(text, toks, a, b)
            if mention is not None:
                candidates.append((mention.span.start, mention))
    for mention in context_mentions(text, toks):
        same = [n for n, (_, m) in enumerate(candidates) if m.span == mention.span]
        if same:  # a list of networks says what an ambiguous head ("Forum") names
            candidates[same[0]] = (mention.span.start, mention)
        elif not any(m.span.start <= mention.span.start < m.span.end for _, m in candidates):
            candidates.append((mention.span.start, mention))
    candidates.sort(key=lambda pair: pair[0])
    found: list[Mention] = []
    seen: dict[str, int] = {}
    for _, mention in candidates:
        key = entity_key(mention.label)
        if key in seen or _short_form(key, mention.kind, found):
            continue
        seen[key] = len(found)
        found.append(mention)
    return aliases_of(text, toks, found)


def explain_mentions(text: str) -> list[tuple[Mention, str]]:
    """Every mention of ``text`` with a one-line account of the rule that found it."""
    from .mention_context import RULES

    return [(m, RULES.get(m.rule, m.rule)) for m in find_mentions(text)]


__all__ = ["HEADS", "entity_key", "explain_mentions", "find_mentions", "normalise_label"]
