"""Find the facilities, events and organisations *named* in a profile's "About" text.

Deterministic rules, no models. Precision matters more than recall: a name is reported
only when it looks like a proper name built around a known head noun.

How a name is found
-------------------

1. The text is cut into tokens: words (letters and digits, with inner apostrophes and
   hyphens), quotes and single punctuation characters. Anything that is not a word or a
   connector ends a run, so sentence ends glued without a space ("Museum.Sapporo") do too.
2. A *run* is a maximal sequence of capitalised words joined by white space and by the
   connectors "of", "for", "and", "&", "de", "la", "du", "of the", … (at most three
   connector words in a row, always followed by a capitalised word).
3. A run holding two names joined by "and"/"&" ("Kuching Jazz Festival and Sarawak
   Regatta") is cut in two when both halves hold a head noun.
4. Leading function words ("The", "In", "Since", …) are dropped. The *head* is the last
   head noun of the run ("Festival", "Museum", "Council", …; see ``HEADS``); the name ends
   at the head unless a connector tail follows ("Academy of Arts", "University of Oulu").
   A quoted name right after the head is kept ("Sapporo Concert Hall “Kitara”").
5. Two more shapes are accepted when the head is written in lower case after the name:
   "the “Small Press Zine” festival", "the Literary Masters festival".
6. Rejected: names of fewer than two words (unless quoted or CamelCase), names after "a"/"an"
   (a planned or generic thing: "a Coffee Museum"), plural heads ("Music Festivals"), the
   UNESCO network and other listed non-entities (``_REJECT``).

The kind and subtype come from the head noun.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import Mention, Span

# head noun -> (kind, subtype). Singular forms only: plural heads are generic phrases.
HEADS: dict[str, tuple[str, str]] = {}


def _add(kind: str, subtype: str, *words: str) -> None:
    for word in words:
        HEADS[word] = (kind, subtype)


_add("facility", "museum", "Museum", "Museo", "Musée", "Museu")
_add("facility", "gallery", "Gallery")
_add("facility", "hall", "Hall")
_add("facility", "theatre", "Theatre", "Theater", "Teatro", "Théâtre", "Playhouse")
_add("facility", "opera-house", "Opera House")
_add("facility", "house", "House")
_add("facility", "library", "Library", "Biblioteca", "Bibliothèque")
_add("facility", "archive", "Archive", "Archives")
_add("facility", "centre", "Centre", "Center", "Centro")
_add("facility", "park", "Park")
_add("facility", "garden", "Garden")
_add("facility", "school", "School")
_add("facility", "university", "University", "Universidad", "Université", "Universidade")
_add("facility", "college", "College")
_add("facility", "academy", "Academy")
_add("facility", "conservatory", "Conservatory", "Conservatoire", "Conservatorium")
_add("facility", "faculty", "Faculty")
_add("facility", "laboratory", "Lab", "Laboratory")
_add("facility", "incubator", "Incubator")
_add("facility", "factory", "Factory")
_add("facility", "cinema", "Cinema", "Cinematheque", "Cinémathèque")
_add("facility", "arena", "Arena", "Stadium", "Auditorium", "Amphitheatre", "Pavilion")
_add("facility", "heritage-site", "Church", "Cathedral", "Basilica", "Palace", "Castle",
     "Temple", "Mosque", "Monastery", "Abbey", "Fortress")
_add("event", "festival", "Festival", "Fest", "Festa", "Fiesta")
_add("event", "carnival", "Carnival")
_add("event", "biennale", "Biennale", "Biennial", "Bienal", "Biennal")
_add("event", "triennale", "Triennale", "Triennial")
_add("event", "fair", "Fair", "Expo", "Feria", "Fête")
_add("event", "exhibition", "Exhibition", "Exposition", "Salon")
_add("event", "forum", "Forum")
_add("event", "competition", "Competition", "Contest", "Awards", "Olympiad")
_add("event", "week", "Week")
_add("event", "day", "Day", "Days")
_add("event", "night", "Night")
_add("event", "conference", "Conference", "Symposium", "Congress", "Summit", "Convention")
_add("event", "games", "Games", "Regatta")
_add("organisation", "association", "Association")
_add("organisation", "foundation", "Foundation", "Fundación", "Fondation", "Fundação")
_add("organisation", "council", "Council")
_add("organisation", "orchestra", "Orchestra", "Philharmonic", "Choir", "Ensemble")
_add("organisation", "company", "Company", "Corporation")
_add("organisation", "institute", "Institute", "Instituto", "Institut")
_add("organisation", "agency", "Agency", "Authority", "Office", "Bureau", "Ministry")
_add("organisation", "society", "Society", "Guild", "Club")
_add("organisation", "federation", "Federation", "Alliance", "Consortium")
_add("organisation", "chamber", "Chamber", "Commission", "Committee", "Trust")

# Heads that make a name only with a tail ("Chamber of Commerce", not "Red Chamber";
# "Federation of …", not "Russian Federation").
_NEEDS_TAIL = frozenset({"Chamber", "Federation"})
# A name followed by one of these words names a project or a plan, not an entity.
_NOT_ENTITY_AFTER = frozenset({
    "project", "projects", "programme", "program", "initiative", "plan", "strategy", "scheme",
    "brand", "campaign", "network", "label", "series", "model", "policy",
})

# Event and facility heads written in lower case after a name ("the X festival").
_LOWER_HEADS: dict[str, tuple[str, str]] = {
    "festival": ("event", "festival"), "fair": ("event", "fair"),
    "biennale": ("event", "biennale"), "biennial": ("event", "biennale"),
    "exhibition": ("event", "exhibition"), "contest": ("event", "competition"),
    "competition": ("event", "competition"), "forum": ("event", "forum"),
    "museum": ("facility", "museum"), "theatre": ("facility", "theatre"),
    "library": ("facility", "library"), "gallery": ("facility", "gallery"),
    "concert hall": ("facility", "concert-hall"),
}

# Heads whose subtype depends on the word before them.
_QUALIFIED: dict[tuple[str, str], str] = {
    ("Concert", "Hall"): "concert-hall", ("Music", "Hall"): "concert-hall",
    ("Concert", "House"): "concert-hall", ("Opera", "House"): "opera-house",
}

_CONNECTORS = frozenset({
    "of", "for", "and", "&", "de", "del", "della", "delle", "dei", "di", "da", "do", "dos",
    "das", "du", "des", "la", "le", "les", "el", "los", "las", "van", "von", "der", "den",
    "y", "e", "the", "on",
})
# Connectors that may start the tail after a head ("Academy of Arts").
_TAIL_START = frozenset({
    "of", "for", "de", "del", "della", "di", "da", "do", "dos", "das", "du", "des", "on",
})
# Capitalised words that are not part of a name when they open a run.
_LEADING = frozenset({
    "The", "A", "An", "This", "That", "These", "Those", "Its", "Their", "His", "Her", "Our",
    "In", "At", "On", "By", "From", "With", "Since", "During", "Through", "For", "Of", "To",
    "Today", "Both", "Each", "Every", "Many", "Several", "Other", "Such", "Also", "Moreover",
    "Furthermore", "Additionally", "Indeed", "And", "Among", "As", "Like", "While", "When",
    "About", "Besides", "Including", "Some", "Annual", "Under", "Within",
    "Thanks", "Recently", "Currently", "Meanwhile", "However", "Finally", "Then",
    "Here", "There", "Where", "Famous", "Renowned", "Notable", "Home", "Host", "Hosting",
})
_REJECT = re.compile(
    r"UNESCO|\bUCCN\b|Creative Cities? Network|Creative Cities of|Sustainable Development Goal"
    r"|^(?:Historic(?:al)?|City|Town|Old|Urban|Village) (?:Centre|Center)\b"
    r"|^(?:Cultural|Creative|Art|Arts|Culture|Music|Film|Design) (?:Centre|Center)$"
    r"|^(?:International|World|National) (?:Day|Week|Forum|Festival|Conference)$"
    r"| (?:Capital|City|Cities|Region|District|Area|Zone|Quarter|Societies|Students|Members"
    r"|Artists|Visitors|Teachers|Graduates|Residents)$",
)

_TOKEN = re.compile(
    r"[^\W\d_](?:[\w]|['’´\-](?=[^\W_]))*"   # a word starting with a letter
    r"|\d+(?:[.,]\d+)*"                       # a number
    r"|&"
    r"|[“”\"«»„‘]"                             # quotes
    r"|\S",                                    # any other single character
)
_OPEN_QUOTES = frozenset("“\"«„‘")
_CLOSE_QUOTES = frozenset("”\"»’")
_TYPO = str.maketrans({"’": "'", "´": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"',
                       "„": '"', "\u00a0": " "})


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    text: str
    gap: str  # the characters between the previous token and this one


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    out: list[_Tok] = []
    previous = start
    for m in _TOKEN.finditer(text, start, end):
        out.append(_Tok(m.start(), m.end(), m.group(), text[previous:m.start()]))
        previous = m.end()
    return out


def _is_cap(tok: _Tok) -> bool:
    first = tok.text[0]
    return first.isalpha() and first.isupper()


def _is_word(tok: _Tok) -> bool:
    return tok.text[0].isalpha()


def _joined(tok: _Tok) -> bool:
    """True when only ordinary spaces separate this token from the one before."""
    return len(tok.gap) <= 3 and all(c in " \u00a0" for c in tok.gap)


def _runs(toks: list[_Tok]) -> list[tuple[int, int]]:
    """Maximal runs [i, j) of capitalised words joined by connectors."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(toks)
    while i < n:
        if not _is_cap(toks[i]):
            i += 1
            continue
        j = i + 1
        while j < n:
            if _is_cap(toks[j]) and _joined(toks[j]):
                j += 1
                continue
            # up to three connector words, then a capitalised word
            k = j
            while (k < n and k - j < 3 and _joined(toks[k])
                   and toks[k].text in _CONNECTORS):
                k += 1
            words = [t.text for t in toks[j:k]]
            # "the" only after "of"/"for"/…: "Visit the X Museum" and "X Festival and the
            # Y Show" are not one name.
            if words and (words[0] == "the" or ("and" in words and "the" in words)):
                break
            if k > j and k < n and _is_cap(toks[k]) and _joined(toks[k]):
                j = k + 1
                continue
            break
        runs.append((i, j))
        i = j
    return runs


def _head_at(toks: list[_Tok], i: int) -> tuple[str, str] | None:
    word = toks[i].text
    if word == "House" and i > 0 and toks[i - 1].text == "Opera":
        return HEADS["Opera House"]
    if word in _NEEDS_TAIL and (i + 1 >= len(toks) or toks[i + 1].text != "of"):
        return None
    return HEADS.get(word)


def _has_head(toks: list[_Tok], i: int, j: int) -> bool:
    return any(_head_at(toks, k) is not None for k in range(i, j))


def _split_and(toks: list[_Tok], i: int, j: int) -> list[tuple[int, int]]:
    """Cut a run at an "and"/"&" that follows a head noun: a name ends at its head.

    "Kuching Jazz Festival and Sarawak Regatta" is two names; "Architecture and Urbanism
    Research Centre" is one.
    """
    for k in range(i + 1, j - 1):
        if toks[k].text in ("and", "&") and _head_at(toks, k - 1) is not None:
            return [(i, k), *_split_and(toks, k + 1, j)]
    return [(i, j)]


def _quoted_after(toks: list[_Tok], j: int) -> int | None:
    """If tokens j.. are a quoted run of capitalised words, return the index after the quote."""
    n = len(toks)
    if j >= n or toks[j].text not in _OPEN_QUOTES or not _joined(toks[j]):
        return None
    k = j + 1
    while k < n and k - j <= 6 and _is_cap(toks[k]) and _joined(toks[k]):
        k += 1
    if k == j + 1 or k >= n or toks[k].text not in _CLOSE_QUOTES:
        return None
    return k + 1


def _name_words(toks: list[_Tok], i: int, j: int) -> int:
    return sum(1 for k in range(i, j) if _is_cap(toks[k]))


def _camel(word: str) -> bool:
    return any(c.isupper() for c in word[1:])


def _indefinite(toks: list[_Tok], i: int) -> bool:
    return i > 0 and toks[i - 1].text.lower() in ("a", "an")


def _clean(label: str) -> str:
    """The label as written, with white space folded and unpaired edge quotes removed."""
    label = " ".join(label.split())
    if label[:1] in _OPEN_QUOTES and not any(q in label[1:] for q in _CLOSE_QUOTES):
        label = label[1:]
    if label[-1:] in _CLOSE_QUOTES and not any(q in label[:-1] for q in _OPEN_QUOTES):
        label = label[:-1]
    return label.strip()


def _make(text: str, toks: list[_Tok], i: int, j: int, kind: str,
          subtype: str) -> Mention | None:
    start, end = toks[i].start, toks[j - 1].end
    label = _clean(text[start:end])
    if not label or _REJECT.search(label):
        return None
    return Mention(kind=kind, label=label, span=Span(start, end, text[start:end]),
                   subtype=subtype)


def _from_run(text: str, toks: list[_Tok], i: int, j: int) -> Mention | None:
    while i < j and (toks[i].text in _LEADING or toks[i].text in _CONNECTORS):
        i += 1
    while j > i and toks[j - 1].text in _CONNECTORS:
        j -= 1
    if i >= j or _indefinite(toks, i):
        return None  # "a Coffee Museum": generic, or only planned
    if toks[i].text.endswith(("'s", "’s", "´s")) and j - i > 2:
        return None  # "Mannheim's Cultural Office" describes; "Chetham's Library" names
    if j < len(toks) and toks[j].text.lower() in _NOT_ENTITY_AFTER:
        return None
    heads = [k for k in range(i, j) if _head_at(toks, k) is not None]
    if not heads:
        return _lower_head(text, toks, i, j)
    h = heads[-1]
    found = _head_at(toks, h)
    assert found is not None
    kind, subtype = found
    if h > i:
        subtype = _QUALIFIED.get((toks[h - 1].text, toks[h].text), subtype)
    # "Free Film Screenings for Municipal Corporation": the name starts after a "for".
    fors = [k for k in range(i + 1, h) if toks[k].text == "for"]
    if fors and not _has_head(toks, i, fors[-1]):
        i = fors[-1] + 1
    # The name runs to the end of the run: a tail after the head is part of it
    # ("Academy of Arts", "Talent Garden Kaunas").
    end = j
    quoted = _quoted_after(toks, end) if end == j else None
    if quoted is not None:
        end = quoted
    if _name_words(toks, i, min(end, j)) < 2:
        return None
    return _make(text, toks, i, end, kind, subtype)


def _lower_head(text: str, toks: list[_Tok], i: int, j: int) -> Mention | None:
    """ "the X festival", "the “X” exhibition": a name followed by a lower-case head."""
    n = len(toks)
    quoted = (i > 0 and toks[i - 1].text in _OPEN_QUOTES and j < n
              and toks[j].text in _CLOSE_QUOTES)
    after = j + 1 if quoted else j
    before = i - 2 if quoted else i - 1
    if before < 0 or toks[before].text.lower() != "the" or after >= n:
        return None
    head = toks[after].text
    if after + 1 < n and _joined(toks[after + 1]):
        pair = f"{head} {toks[after + 1].text}"
        if pair in _LOWER_HEADS:
            head = pair
    if head not in _LOWER_HEADS or not _joined(toks[after]):
        return None
    if not quoted and _name_words(toks, i, j) < 2 and not _camel(toks[i].text):
        return None
    kind, subtype = _LOWER_HEADS[head]
    return _make(text, toks, i, j, kind, subtype)


def normalise_label(label: str) -> str:
    """A key for comparing labels: typographic quotes folded, edges and case ignored."""
    folded = " ".join(label.translate(_TYPO).replace('"', " ").split()).casefold()
    return folded.removeprefix("the ").strip(" '")


def find_mentions(text: str, about: Span | None = None) -> list[Mention]:
    """The named facilities, events and organisations in ``about`` (or the whole text).

    Every mention's span satisfies ``span.text == text[span.start:span.end]``; a label is
    reported once, at its first occurrence.
    """
    if about is not None:
        start = max(0, min(about.start, len(text)))
        end = max(start, min(about.end, len(text)))
    else:
        start, end = 0, len(text)
    toks = _tokens(text, start, end)
    found: list[Mention] = []
    seen: set[str] = set()
    for i, j in _runs(toks):
        for a, b in _split_and(toks, i, j):
            mention = _from_run(text, toks, a, b)
            if mention is None:
                continue
            key = normalise_label(mention.label)
            if key in seen:
                continue
            seen.add(key)
            found.append(mention)
    return found
