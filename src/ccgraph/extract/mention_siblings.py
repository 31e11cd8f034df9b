"""Names that stand in a list beside a name of known kind, and names given after their
acronym and a dash.

``sibling``: in an enumeration ("A, B and C"), an item written as a name (capitalised words,
or quoted) that no rule named takes the kind of the named item it is listed beside: "the
Harbour Lantern Festival, Winter Voices, Paper Moons and the Salt Road Fair" (made up;
docs/annotation.md: a name without a head takes its kind from the list it stands in).
The conventions say so for every kind, so the rule reads any list, in both directions, and
stops at the first item that is not a name.

``dash-acronym``: "KIFF - Northern Shores Kite Film Festival" (made up): an
acronym (its initials may be those of the name in another language), a dash, then a
name that ends the list item: the name is the label, the acronym an alias
(docs/annotation.md, round 4).
"""

from __future__ import annotations

from dataclasses import replace

from ..records import Mention, Span
from . import mention_lexicon as lex
from .mention_heads import head_at, kind_head, name_words
from .mention_places import is_place
from .mention_tokens import (
    CLOSE_QUOTES,
    OPEN_QUOTES,
    Tok,
    camel,
    is_acronym,
    is_cap,
    joined,
    possessive,
)

_MAX_ITEM = 9
_DASHES = frozenset({"-", "–", "—"})
#: rules whose kind is read from the name itself or its category noun: safe to propagate
_SURE_RULES = frozenset({"head", "suffix-head", "lower-head", "list", "apposition",
                         "dash-acronym"})


def _token_bounds(toks: list[Tok], span: Span) -> tuple[int, int] | None:
    first = next((k for k, t in enumerate(toks) if t.start == span.start), None)
    last = next((k for k, t in enumerate(toks) if t.end == span.end), None)
    if first is None or last is None:
        return None
    return first, last + 1


def _item_after(toks: list[Tok], p: int,
                with_and: bool = False) -> tuple[int, int, int] | None:
    """A name starting at p (after "the" or an opening quote): (start, end, next index);
    ``with_and``: "and" may join its words ("Children and Youth")."""
    inner = ("the",) if with_and else ("and", "&", "the")
    n = len(toks)
    if p < n and toks[p].text in ("the", "The"):
        p += 1  # "…, The Night Serenades, The Black Sea Sound, …"
    quoted = p < n and toks[p].text in OPEN_QUOTES
    if quoted:
        p += 1
    if p >= n or not is_cap(toks[p]) or toks[p].text in lex.LEADING:
        return None
    q = p + 1
    while q < n and q - p < _MAX_ITEM:
        if is_cap(toks[q]) and joined(toks[q]):
            q += 1
        elif (toks[q].text in lex.CONNECTORS and toks[q].text not in inner
              and q + 1 < n and is_cap(toks[q + 1])):
            q += 2
        elif (toks[q].text in lex.CONNECTORS and toks[q].text not in inner
              and q + 2 < n and toks[q + 1].text == "the" and is_cap(toks[q + 2])):
            q += 3  # "Poetry on the Road"
        else:
            break
    end = q
    if quoted:
        if q >= n or toks[q].text not in CLOSE_QUOTES:
            return None
        q += 1
    return p, end, q


def _item_before(toks: list[Tok], e: int) -> tuple[int, int] | None:
    """A name ending at e (before a separator): (start, end)."""
    end = e
    if end > 0 and toks[end - 1].text in CLOSE_QUOTES:
        end -= 1
    k = end
    while k > 0 and end - k < _MAX_ITEM and (is_cap(toks[k - 1]) or (
            toks[k - 1].text in lex.CONNECTORS and toks[k - 1].text not in ("and", "&")
            and k - 2 >= 0 and is_cap(toks[k - 2]) and k < end)):
        k -= 1
    while k < end and (toks[k].text in lex.LEADING or toks[k].text in lex.CONNECTORS):
        k += 1
    if k == end:
        return None
    return k, end


#: lower-case words after which a list of names may start ("events like A, B and C")
_LIST_LEADS = frozenset({"as", "including", "include", "includes", "included", "like",
                         "namely", "featuring", "features", "feature", "are", "were", "with",
                         "notably", "especially", "particularly", "incl"})


def _list_opens(toks: list[Tok], a: int, words: int) -> int:
    """Whether a list of names may start at token a: 2 after a list lead ("such as"), a
    category noun or a colon; 1 at the start of a sentence (two words or more: not
    "Likewise,"); else 0."""
    k = a
    if k > 0 and toks[k - 1].text == "the":
        k -= 1
    if k == 0:
        return 1 if words >= 2 else 0
    word = toks[k - 1].text
    if word in (":", ";", "(") or word.lower() in _LIST_LEADS or word.lower() in lex.CATEGORIES:
        return 2
    return 1 if word == "." and words >= 2 else 0


def _separator_after(toks: list[Tok], q: int) -> int | None:
    """The index after ", " / " and " / ", and " at q, else None."""
    n = len(toks)
    if q < n and toks[q].text == ",":
        q += 1
        if q < n and toks[q].text == "and":
            q += 1
        return q
    if q < n and toks[q].text == "and":
        return q + 1
    return None


def _separator_before(toks: list[Tok], a: int) -> int | None:
    """The index of the token before ", " / " and " / ", and " ending at a, else None."""
    k = a
    if k > 0 and toks[k - 1].text in OPEN_QUOTES:
        k -= 1
    if k > 0 and toks[k - 1].text == "the":
        k -= 1
    if k > 0 and toks[k - 1].text in ("and", "&"):
        k -= 1
        if k > 0 and toks[k - 1].text == ",":
            k -= 1
        return k
    if k > 0 and toks[k - 1].text == ",":
        return k - 1
    return None


def _ends_item(toks: list[Tok], q: int) -> bool:
    return q >= len(toks) or toks[q].text in (",", "and", ".", ";", ")", "(", ":", "&")


def _acceptable(toks: list[Tok], a: int, b: int, quoted: bool, opened: bool) -> bool:
    words = [t.text for t in toks[a:b]]
    if all(w in lex.GENERIC_WORDS or w in lex.FIELD_WORDS or w in lex.CONNECTORS
           for w in words):
        return False
    if is_place(" ".join(words)) or words[-1] in lex.PLACE_HEADS:
        return False  # "Harbour Road, Lake Lane and …": places are not annotated
    if quoted:
        return True
    if name_words(toks, a, b) >= 2:
        return True
    word = words[0]
    # one plain word is a name only in a list that a list lead opens ("festivals such as A,
    # Batumoba and C") or that holds four names or more, or when no English word is written
    # so ("Kotolňa", "AlmaFest")
    return (len(words) == 1 and len(word) >= 5 and word.isalpha() and not word.endswith("ly")
            and word not in lex.HEADS  # "the Easter and Carnival": common nouns
            and (opened or not word.isascii() or camel(word)))


def siblings(text: str, toks: list[Tok], found: list[Mention]) -> list[Mention]:
    """Rule ``sibling``: names listed beside a found name of sure kind, not found yet."""
    from .mentions import make_mention

    taken = [(m.span.start, m.span.end) for m in found]
    out: list[Mention] = []

    def free(a: int, b: int) -> bool:
        lo, hi = toks[a].start, toks[b - 1].end
        return not any(x < hi and lo < y for x, y in taken)

    def add(a: int, b: int, kind: str, after_and: bool) -> bool:
        owners = [k for k in range(a, b - 1) if possessive(toks[k].text)
                  and toks[k].text[:-2] not in lex.NAME_POSSESSIVES]
        if owners:
            a = owners[-1] + 1  # "Le Corbusier's Firminy Vert": the name after its owner
        h = kind_head(toks, a, b)
        head = head_at(toks, h) if h is not None else None
        if head is not None:  # its own head gives its kind ("…, and FolkoFonija Festival")
            if toks[b - 1].text in lex.POLICY_ENDS or not after_and:
                return False  # after a bare comma a headed name may describe the one before
            kind = head[0]
        mention = make_mention(text, toks, a, b, kind, head[1] if head else kind, "sibling")
        if mention is None:
            return False
        out.append(mention)
        taken.append((mention.span.start, mention.span.end))
        return True

    for m in found:
        if m.rule not in _SURE_RULES:
            continue
        bounds = _token_bounds(toks, m.span)
        if bounds is None:
            continue
        chain, opened = _chain(toks, *bounds)
        # a list, not an apposition ("Eldrimner, the Swedish National Centre …"): "and"
        # joins it, or it has three items, or a list lead opens it ("such as A, B")
        if not (any(after_and for _, _, _, after_and in chain) or len(chain) >= 2 or opened):
            continue
        long_list = opened or len(chain) >= 3  # a list lead, or four names or more
        if not all(_acceptable(toks, a, b, quoted, long_list) for a, b, quoted, _ in chain
                   if free(a, b)):
            continue  # "Culture, Health, Technology and …": a list of words, not of names
        for a, b, _, after_and in chain:
            if free(a, b):
                add(a, b, m.kind, after_and)
    return out


Item = tuple[int, int, bool, bool]  # start, end, quoted, after "and"


def _chain(toks: list[Tok], a0: int, b0: int) -> tuple[list[Item], bool]:
    """The other items of the list the name at a0..b0 stands in, and whether a list lead
    ("such as", a category noun, a colon) opens the list."""
    chain: list[Item] = []
    n = len(toks)
    # forward: ", X", " and X", ", and X"
    q = b0 + 1 if b0 < n and toks[b0].text in CLOSE_QUOTES else b0
    while (p := _separator_after(toks, q)) is not None:
        item = _item_after(toks, p)
        if item is None:
            break
        a, b, q = item
        quoted = q > b
        if (not quoted and q + 1 < n and toks[q].text == "and"
                and any(toks[k].text in lex.TAIL_START for k in range(a, b))):
            longer = _item_after(toks, a, with_and=True)  # "Market for Innovation and
            if longer is not None:  # Creativity": "and" inside the tail
                a, b, q = longer
        if not _ends_item(toks, q):
            break
        chain.append((a, b, quoted, toks[p - 1].text == "and"))
    # backward: "X, " before the name
    opened = False
    start = a0
    if start > 0 and toks[start - 1].text in OPEN_QUOTES:
        start -= 1
    e = _separator_before(toks, a0)
    if e is None:
        opened = _list_opens(toks, start, b0 - a0) == 2
    while e is not None:
        item_b = _item_before(toks, e)
        if item_b is None:
            break
        a, b = item_b
        quoted = a > 0 and toks[a - 1].text in OPEN_QUOTES and b < n and (
            toks[b].text in CLOSE_QUOTES)
        if a > 0 and ((is_cap(toks[a - 1]) and toks[a - 1].text not in lex.LEADING)
                      or toks[a - 1].text in _DASHES or toks[a - 1].text == "("):
            break  # not the start of a list item
        before = _separator_before(toks, a - 1 if quoted else a)
        if before is None:
            opens = _list_opens(toks, a - 1 if quoted else a, b - a)
            if not opens:
                break  # "in Latin America, …": not a list item
            opened = opens == 2
        chain.append((a, b, quoted, toks[e].text == "and" or (
            e + 1 < n and toks[e + 1].text == "and")))
        e = before
    return chain, opened


def dash_acronyms(text: str, toks: list[Tok]) -> list[Mention]:
    """Rule ``dash-acronym``: "COFA - Contemporary Folklore Adventure"."""
    from .mentions import make_mention

    out: list[Mention] = []
    n = len(toks)
    for t in range(1, n - 2):
        if toks[t].text not in _DASHES or not is_acronym(toks[t - 1].text):
            continue
        item = _item_after(toks, t + 1, with_and=True)
        if item is None:
            continue
        a, b, q = item
        words = [x.text for x in toks[a:b]]
        if len(words) < 2 or not _ends_item(toks, q) or (
                t >= 2 and is_cap(toks[t - 2]) and joined(toks[t - 1])):
            continue  # not "…, ACRONYM - Name,": a dash inside a longer name
        h = kind_head(toks, a, b)
        found = head_at(toks, h) if h is not None else None
        kind, subtype = found if found is not None else ("event", "event")
        if found is None and not _listed_event(toks, t - 1):
            continue
        mention = make_mention(text, toks, a, b, kind, subtype, "dash-acronym")
        if mention is not None:
            acronym = toks[t - 1]
            out.append(replace(mention, aliases=(Span(acronym.start, acronym.end,
                                                      acronym.text),)))
    return out


def _listed_event(toks: list[Tok], k: int) -> bool:
    """Whether an event category noun opens the sentence's list before token k."""
    while k > 0 and toks[k - 1].text not in (".", ";"):
        k -= 1
        if lex.CATEGORIES.get(toks[k].text.lower()) == "event":
            return True
    return False


__all__ = ["dash_acronyms", "siblings"]
