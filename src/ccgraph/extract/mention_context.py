"""Mention rules that read the words around a name: category nouns, lists and aliases.

See :mod:`.mentions` for the rules that read the name itself. Here:

- ``apposition``: a lower-case category noun right before a name ("the design fair STYLE
  Bangkok", "the award “Cultural Capital”", "festivals White Night and …", "film school
  (NAFTA)");
- ``list``: names listed after a category noun and "such as", "including", "like",
  "namely", "notably" or a colon ("festivals, such as DYOM, Ekala Mba Ni Nkem and …");
- aliases: an acronym or another name in parentheses right after a name, and later uses of
  that acronym, are the same thing.
"""

from __future__ import annotations

import re

from ..records import Mention
from . import mention_lexicon as lex
from .mention_heads import head_at, kind_head, name_words
from .mention_places import is_place
from .mention_tokens import (
    CLOSE_QUOTES,
    OPEN_QUOTES,
    Tok,
    is_acronym,
    is_cap,
    joined,
    possessive,
)
from .mentions import make_mention, normalise_label

#: what each rule means, for ``ccgraph explain-mention``
RULES: dict[str, str] = {
    "head": "a capitalised name holding a head noun (Festival, Museum, Council, …) that "
            "gives its kind",
    "suffix-head": "one word ending in a head noun (…halle, …fest, …lab, …haus, …thek)",
    "lower-head": "a capitalised or quoted name followed by a lower-case head noun "
                  "(the X festival)",
    "apposition": "a name right after a lower-case category noun (the design fair X)",
    "list": "a name listed after a category noun and 'such as' / 'including' / 'like'",
    "cue": "a name after a phrase that says what it is ('organised by the X', 'the 10th "
           "edition of X', 'the annual X')",
    "acronym": "a name without a head noun, three words or more, followed by its acronym in "
               "parentheses (an organisation: 'Women in Film and Television (WIFT)')",
    "gazetteer": "a name of two words or more found by the rules in another profile "
                 "(corpus-wide, in the build)",
    "gazetteer-stem": "a name found with a head noun in another profile, written here "
                      "without it (corpus-wide, in the build)",
    "sibling": "a name listed beside a name of known kind ('A Festival, B and C'): it takes "
               "that kind",
    "dash-acronym": "a name after its acronym and a dash ('COFA - Contemporary Folklore "
                    "Adventure'): the acronym is an alias",
    "run": "a run of two capitalised words or more that no rule named, kept by the model",
    "split": "a candidate cut at 'and', the part the model chose over the whole",
    "join": "two candidates joined across 'and' (or a name with its initials), the reading "
            "the model chose over the parts",
}

_MAX_ITEM = 9
_CUE_STARTS = frozenset(words[0] for words, _ in lex.CUES)
#: the cues by their first word, each list in the order of lex.CUES
_CUES_BY_START: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _cue in lex.CUES:
    _CUES_BY_START.setdefault(_cue[0][0], []).append(_cue)


def _item(toks: list[Tok], p: int, first: bool = True) -> tuple[int, int, int] | None:
    """A name at p: (first token, end token, index after it incl. a closing quote)."""
    n = len(toks)
    if p >= n:
        return None
    if toks[p].text in OPEN_QUOTES:
        q = p + 1
        while q < n and q - p <= _MAX_ITEM and toks[q].text not in CLOSE_QUOTES:
            q += 1
        if q >= n or q == p + 1 or not is_cap(toks[p + 1]):
            return None
        return p + 1, q, q + 1
    if (toks[p].text.isdigit() and p + 1 < n and is_cap(toks[p + 1])
            and joined(toks[p + 1])):
        pass  # "401 Richmond"
    elif not is_cap(toks[p]) or (first and toks[p].text in lex.LEADING):
        return None
    q = p + 1
    while q < n and q - p < _MAX_ITEM:
        if is_cap(toks[q]) and joined(toks[q]):
            q += 1
            continue
        if (toks[q].text in lex.CONNECTORS and toks[q].text not in ("and", "the")
                and q + 1 < n and is_cap(toks[q + 1]) and joined(toks[q + 1])):
            q += 2
            continue
        if (toks[q].text in lex.CONNECTORS and toks[q].text not in ("and", "the")
                and q + 2 < n and toks[q + 1].text == "the" and is_cap(toks[q + 2])):
            q += 3  # "Music on the Waterfront"
            continue
        if toks[q].text == "&" and q + 1 < n and is_cap(toks[q + 1]):
            q += 2
            continue
        break
    return p, q, q


def _ends_item(toks: list[Tok], q: int) -> bool:
    return q >= len(toks) or toks[q].text in (",", "and", ".", ";", ")", "(", ":")


def _skip_parenthesis(toks: list[Tok], q: int) -> int:
    if q < len(toks) and toks[q].text == "(":
        for k in range(q + 1, min(len(toks), q + 12)):
            if toks[k].text == ")":
                return k + 1
    return q


def _opener_at(text: str, toks: list[Tok], p: int) -> int | None:
    """If a list opener ("such as", "including", ":") starts at token p: the index after it."""
    rest = text[toks[p].start:toks[p].start + 12]
    for opener in lex.LIST_OPENERS:
        if rest.startswith(opener) and (len(rest) == len(opener)
                                        or not rest[len(opener)].isalpha()):
            k = p
            while k < len(toks) and toks[k].end <= toks[p].start + len(opener):
                k += 1
            return k
    return None


def _category_before(toks: list[Tok], p: int) -> str | None:
    """The kind of the category nouns in the few words before p (same clause): the most
    frequent ("trade fairs, festivals and platforms such as": events), else the nearest."""
    kinds: list[str] = []
    for k in range(p - 1, max(-1, p - 9), -1):
        word = toks[k].text
        kind = lex.CATEGORIES.get(word.lower())
        if kind is not None:
            kinds.append(kind)
            continue
        if word in (".", ";", "(", ")") or is_cap(toks[k]):
            break
    if not kinds:
        return None
    return max(kinds, key=lambda kind: (kinds.count(kind), -kinds.index(kind)))


def _named(text: str, toks: list[Tok], a: int, b: int, kind: str, rule: str) -> Mention | None:
    """A mention for tokens a..b found by a context rule; None when a head rule finds it."""
    if b <= a:
        return None
    h = kind_head(toks, a, b)
    if h is not None and not (rule == "list" and toks[h].text in lex.AMBIGUOUS_HEADS):
        return None  # it has its own head: the head rule names it
    if b - a == 1 and (toks[a].text in lex.FIELD_WORDS or toks[a].text in lex.LEADING
                       or toks[a].text.endswith("ly") or (
            toks[a].text.isalpha() and toks[a].text.istitle() and len(toks[a].text) < 4)):
        return None
    head = head_at(toks, h) if h is not None else None
    subtype = head[1] if head is not None and head[0] == kind else kind
    return make_mention(text, toks, a, b, kind, subtype, rule)


def _list_items(text: str, toks: list[Tok], p: int, kind: str) -> list[Mention]:
    out: list[Mention] = []
    n = len(toks)
    last = False
    while p < n:
        if toks[p].text == "the":
            p += 1
        found = _item(toks, p, first=not out)
        if found is None:
            break
        a, b, q = found
        if (last and a > 0 and q + 1 < n and toks[q].text == "and"
                and toks[a - 1].text == "the"
                and (more := _item(toks, q + 1, first=False)) is not None):
            b = q = more[2]  # "… and the Cashmere and Camel Hair … Congregation": a list has
            # one "and"; after it, "and" is inside the last item
        q = _skip_parenthesis(toks, q)
        if not _ends_item(toks, q) and not last:
            break
        mention = _named(text, toks, a, b, kind, "list")
        if mention is not None:
            out.append(mention)
        last = (q < n and toks[q].text == "and") or (
            q + 1 < n and toks[q].text == "," and toks[q + 1].text == "and")
        if q < n and toks[q].text == ",":
            q += 1
            if q < n and toks[q].text == "and":
                q += 1
        elif q < n and toks[q].text in ("and", "or"):
            q += 1
        else:
            break
        p = q
    return out


def _apposition(text: str, toks: list[Tok], t: int, kind: str) -> list[Mention]:
    """Names right after a category noun (no punctuation between)."""
    n = len(toks)
    p = t + 1
    if p >= n or not joined(toks[p]):
        return []
    if (toks[p].text == "(" and p + 2 < n and is_acronym(toks[p + 1].text)
            and toks[p + 2].text == ")"):
        mention = make_mention(text, toks, p + 1, p + 2, kind, kind, "apposition")
        return [mention] if mention is not None else []
    if toks[t].text.endswith("s") and toks[t].text not in ("days", "biennials"):
        return _list_items(text, toks, p, kind) if is_cap(toks[p]) else []
    found = _item(toks, p)
    if found is None:
        return []
    a, b, _ = found
    b = _romance_tail(toks, a, b)
    mention = _named(text, toks, a, b, kind, "apposition")
    return [mention] if mention is not None else []


def _romance_tail(toks: list[Tok], a: int, b: int) -> int:
    """A French, Spanish or Portuguese name goes on in lower case after its first word ("the
    craft forum Rencontres des artisans", "the event Marché au fil du temps"): up to the
    next punctuation, at most six words, when a Romance connector follows the first word."""
    n = len(toks)
    if b != a + 1 or b >= n or toks[b].text not in lex.ROMANCE_CONNECTORS or not joined(toks[b]):
        return b
    q = b
    while q < n and q - b < 6 and joined(toks[q]) and toks[q].text.isalpha() and (
            toks[q].text.islower()):
        q += 1
    if q - b < 2 or (q < n and toks[q].text not in (".", ",", ";", ":", ")")):
        return b
    return q


def _listed_before_verb(text: str, toks: list[Tok], v: int, kind: str) -> list[Mention]:
    """ "A, B and C are all festivals": the names from the clause start up to the verb."""
    s = v
    while s > 0 and toks[s - 1].text not in (".", ";", ":"):
        s -= 1
    items: list[Mention] = []
    p = s
    while p < v:
        if toks[p].text == "the":
            p += 1
        found = _item(toks, p, first=p == s)
        if found is None:
            return []
        a, b, q = found
        mention = _named(text, toks, a, b, kind, "list")
        if mention is not None:
            items.append(mention)
        if q < v and toks[q].text == ",":
            q += 1
        if q < v and toks[q].text == "and":
            q += 1
        if q == p:
            return []
        p = q
    return items if p == v else []


def _item_before(toks: list[Tok], e: int) -> int:
    """The start of a capitalised name ending at e (connectors inside: "Fifres et Tambours")."""
    k = e
    while k > 0 and joined(toks[k - 1] if k - 1 == e - 1 else toks[k]) and (
            is_cap(toks[k - 1]) or (k - 1 < e - 1 and toks[k - 1].text in lex.CONNECTORS
                                    and toks[k - 1].text not in ("and", "&", "the")
                                    and k - 2 >= 0 and is_cap(toks[k - 2]))):
        k -= 1
    return k


def _listed_before_category(text: str, toks: list[Tok], t: int, kind: str) -> list[Mention]:
    """ "the Chœur Oratorio, Arabesque and Fifres et Tambours associations": two or more
    names listed right before a plural category noun, each a name of that kind."""
    if t < 3 or not joined(toks[t]):
        return []
    spans: list[tuple[int, int]] = []
    e = t
    while True:
        k = _item_before(toks, e)
        if k == e or e - k >= _MAX_ITEM:
            return []
        spans.append((k, e))
        if k >= 2 and toks[k - 1].text in ("and", "&") and toks[k - 2].text == ",":
            e = k - 2
        elif k >= 1 and toks[k - 1].text in ((",", "and", "&") if len(spans) == 1 else (",",)):
            e = k - 1  # "and" only before the last item
        else:
            break
    if len(spans) < 2 or (k > 0 and is_cap(toks[k - 1]) and toks[k - 1].text not in lex.LEADING):
        return []
    out: list[Mention] = []
    for a, b in reversed(spans):
        while a < b and toks[a].text in lex.LEADING:
            a += 1
        if b - a == 1 and toks[a].text.endswith(lex.ADJECTIVE_ENDINGS):
            return []  # "the Korean, Chinese and Japanese associations": nationalities
        if all(x.text in lex.FIELD_WORDS or x.text in lex.GENERIC_WORDS
               or x.text in lex.CONNECTORS for x in toks[a:b]):
            return []  # "the Crafts and Folk Art festivals": fields, not names
        mention = _named(text, toks, a, b, kind, "list")
        if mention is not None:
            out.append(mention)
    return out


def initials_match(words: list[str], acronym: str) -> bool:
    """ "WIFT" for "Women in Film and Television": the acronym's letters, in order, are
    initials of the name's words, the first word's among them."""
    letters = [c for c in acronym.casefold() if c.isalpha()]
    initials = [w[0].casefold() for w in words]
    if not letters or not initials or letters[0] != initials[0]:
        return False
    k = 0
    for initial in initials:
        if k < len(letters) and initial == letters[k]:
            k += 1
    return k == len(letters) or (k == len(letters) - 1 and acronym.endswith("s"))


def _named_by_acronym(text: str, toks: list[Tok], p: int) -> list[Mention]:
    """ "Women in Film and Television (WIFT)": a capitalised name of three words or more,
    no head noun, right before an acronym in parentheses made of its initials."""
    if p < 3 or p + 2 >= len(toks) or not is_acronym(toks[p + 1].text) or (
            toks[p + 2].text != ")"):
        return []
    k = p
    while k > 0 and p - k < _MAX_ITEM and (is_cap(toks[k - 1]) or (
            toks[k - 1].text in lex.CONNECTORS and toks[k - 1].text != "the"
            and k - 2 >= 0 and is_cap(toks[k - 2]))) and joined(toks[k]):
        k -= 1
    while k < p and (toks[k].text in lex.LEADING or toks[k].text in lex.CONNECTORS):
        k += 1
    words = [t.text for t in toks[k:p]]
    if len(words) < 3 or name_words(toks, k, p) < 3 or kind_head(toks, k, p) is not None:
        return []
    if all(w in lex.GENERIC_WORDS or w in lex.FIELD_WORDS or w in lex.CONNECTORS
           or w in ("Capital", "Region", "Goals") for w in words):
        return []  # "Creative and Cultural Industries (CCIs)": words, not a name
    if words[-1] in lex.POLICY_ENDS or words[-1].lower() in lex.NOT_ENTITY_AFTER or (
            words[-1] in lex.DOCUMENT_ENDS) or (
            "Capital" in words or words[-1] in ("Goals", "Region", "Industries")):
        return []  # programmes, titles ("European Capital of Culture"), goals, regions
    if not initials_match(words, toks[p + 1].text):
        return []
    mention = make_mention(text, toks, k, p, "organisation", "organisation", "acronym")
    return [mention] if mention is not None else []


def _described_after(text: str, toks: list[Tok], t: int) -> list[Mention]:
    """ "Wildscreen, the world's leading wildlife film festival, …": a name, a comma (or a
    dash, "is", "was"), then "the"/"a" and a singular category noun within a few lower-case
    words."""
    if t < 4 or toks[t].text.endswith("s"):
        return []
    k = t - 1
    while k > 0 and t - k <= 6 and toks[k].text not in ("the", "a", "an"):
        if not toks[k].text[0].islower():
            return []
        k -= 1
    if toks[k].text not in ("the", "a", "an") or k < 2:
        return []
    j = k - 1  # the word before the article: "is", "was", a comma or a semicolon
    if toks[j].text not in ("is", "was", ",", ";", "-", "–", "—"):
        return []
    j -= 1
    if toks[j].text == ")":  # "X (Y) is a …": the name before the parenthesis
        while j > 0 and toks[j].text != "(":
            j -= 1
        j -= 1
    end = j + 1
    start = end
    while start > 0 and not possessive(toks[start - 1].text) and (is_cap(toks[start - 1]) or (
            toks[start - 1].text in lex.CONNECTORS and start - 2 >= 0
            and is_cap(toks[start - 2]) and start < end)) and joined(toks[start]):
        start -= 1
    if start == end or (start > 0 and toks[start - 1].text not in (".", ",", ";")
                        and not toks[start - 1].text[0].islower()
                        and not possessive(toks[start - 1].text)):
        return []
    if start > 0 and toks[start - 1].text == "," and not (
            start > 1 and (
                toks[start - 2].text in lex.LEADING or toks[start - 2].text[0].isdigit()
                or toks[start - 2].text.islower())):
        return []  # "A, B is a festival": a list; but "Furthermore, X, a …", "in 2014, X is"
    while start < end and toks[start].text in lex.LEADING:
        start += 1
    mention = _named(text, toks, start, end, lex.CATEGORIES[toks[t].text], "apposition")
    return [mention] if mention is not None else []


#: counts before a plural category noun that then lists its names ("two associations, A
#: and B")
_COUNTS = frozenset({"two", "three", "four", "five", "six", "both", "dedicated", "main",
                     "major", "leading", "key"})


def _comma_apposition(text: str, toks: list[Tok], t: int) -> list[Mention]:
    """ "the harvest festival, Bénichon, with …", "Poland's oldest university, the
    Jagiellonian, founded …": a singular category noun, a comma, a name set off by a second
    comma (or the end of the sentence): a name of that kind."""
    n = len(toks)
    word = toks[t].text
    if t + 2 >= n or toks[t + 1].text != ",":
        return []
    p = t + 2
    if word.endswith("s") and word not in ("campus",):
        if t < 1 or not toks[t - 1].text.isalpha() or (
                toks[t - 1].text.islower() and toks[t - 1].text not in _COUNTS):
            return []
        # "two dedicated associations, the X and the Y": the names the count announced
        items = _list_items(text, toks, p, lex.CATEGORIES[word])
        return items
    if toks[p].text == "the":
        p += 1
    found = _item(toks, p)
    if found is None:
        return []
    a, b, q = found
    if q >= n or toks[q].text not in (",", ".", ";") or b - a > 6:
        return []
    if b - a == 1 and (len(toks[a].text) < 3 or toks[a].text in lex.GENERIC_WORDS):
        return []
    if any(x.text in lex.GENERIC_WORDS or x.text in lex.FIELD_WORDS for x in toks[a:b]) and (
            all(x.text in lex.GENERIC_WORDS or x.text in lex.FIELD_WORDS
                or x.text in lex.CONNECTORS for x in toks[a:b])):
        return []
    if is_place(" ".join(x.text for x in toks[a:b])):
        return []
    mention = _named(text, toks, a, b, lex.CATEGORIES[word], "apposition")
    return [mention] if mention is not None else []


def _cued(text: str, toks: list[Tok], t: int) -> list[Mention]:
    """A name of two words or more (or quoted) right after a cue phrase starting at t."""
    for words, kind in _CUES_BY_START.get(toks[t].text.lower(), ()):
        end = t + len(words)
        if end > len(toks) or tuple(tok.text.lower() for tok in toks[t:end]) != words:
            continue
        if end < len(toks) and toks[end].text == "the":
            end += 1
        found = _item(toks, end)
        if found is None:
            return []
        a, b, q = found
        quoted = q > b
        if not quoted and (name_words(toks, a, b) < 2 or b - a >= _MAX_ITEM):
            return []
        if q < len(toks) and toks[q].text.lower() in lex.NOT_ENTITY_AFTER:
            return []  # the annual "Docek" initiative
        if any(toks[k].text == "of" and is_place(re.sub(
                r"['’´]s$", "", " ".join(x.text for x in toks[k + 1:b])))
               for k in range(a + 1, b - 1)):
            return []  # "the annual GDP of X": a measure of a place, not a name
        mention = _named(text, toks, a, b, kind, "cue")
        return [mention] if mention is not None else []
    return []


def context_mentions(text: str, toks: list[Tok]) -> list[Mention]:
    """The names that category nouns and cue phrases introduce."""
    out: list[Mention] = []
    for t, tok in enumerate(toks):
        if tok.text == "(":
            out.extend(_named_by_acronym(text, toks, t))
            continue
        if tok.text.lower() in _CUE_STARTS:
            out.extend(_cued(text, toks, t))
        after = _opener_at(text, toks, t) if tok.text[0] in "sinlNe:–—" else None
        if after is not None:
            kind = _category_before(toks, t)
            if kind is not None:
                out.extend(_list_items(text, toks, after, kind))
            continue
        if tok.text in lex.LIST_VERBS:
            for k in range(t + 1, min(len(toks), t + 4)):
                if toks[k].text in lex.CATEGORIES and toks[k].text.endswith("s"):
                    out.extend(_listed_before_verb(text, toks, t, lex.CATEGORIES[toks[k].text]))
                    break
            continue
        kind = lex.CATEGORIES.get(tok.text)
        if kind is not None:
            out.extend(_apposition(text, toks, t, kind))
            out.extend(_described_after(text, toks, t))
            out.extend(_comma_apposition(text, toks, t))
            if tok.text.endswith("s") and tok.text not in ("days", "biennials"):
                out.extend(_listed_before_category(text, toks, t, kind))
    return out


__all__ = ["RULES", "context_mentions", "head_at", "normalise_label"]
