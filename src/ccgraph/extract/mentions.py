"""Find the facilities, events and organisations *named* in a profile's "About" text.

Deterministic rules; every mention says which rule found it (``Mention.rule``,
``ccgraph explain-mention``). A learned decision over the rules' candidates
(:mod:`.mention_model`) is used only when a trained model is shipped; none is, as it does not
beat the rules on the cross-validated estimate (:mod:`.mention_cv`, docs/annotation.md).
The words the rules know are in :mod:`.mention_lexicon`; the
conventions they aim at are in docs/annotation.md. This module turns one run into a name;
runs and their cuts are in :mod:`.mention_runs`, head nouns in :mod:`.mention_heads`, the
rules that read the words around a name in :mod:`.mention_context`, the corpus-wide
gazetteer and linking in :mod:`.mention_links`.

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
                    tail connector ("Department of … University": a department). A word
                    spelled as a head in another language of naming is that head
                    (:mod:`.mention_cognates`: "Teatru", "Fundación").
   ``suffix-head``  one word ending in a head ("Kunsthalle", "AlmaFest", "Futurelab",
                    "Literaturhaus", "Stadtbibliothek").
   ``lower-head``   a name followed by a lower-case head, maybe after one modifier word:
                    "the “Small Press Zine” festival", "the Polar Bear Pitching startup event".
   ``apposition``   a lower-case category noun right before a name: "the design fair STYLE
                    Bangkok", "the award “Cultural Capital”", "film school (NAFTA)".
   ``list``         names listed after a category noun: "festivals, such as DYOM, Ekala Mba
                    Ni Nkem and …", "organisations, including Australian Poetry, …".
   ``cue``          a name without a head after a phrase that says what it is: "organised
                    by the X", "in partnership with the X", "the 10th edition of X".
   ``acronym``      a name without a head, three capitalised words or more, right before
                    an acronym of its initials in parentheses: an organisation ("Women in
                    Film and Television (WIFT)"); not titles, goals, programmes.
   ``sibling``      a name without a head listed beside a name of known kind ("the X
                    Festival, Spotlight on Y, Z Nights and …") takes its kind
                    (:mod:`.mention_siblings`); only in a real list, never one holding a
                    field word or a place.
   ``dash-acronym`` "COFA - Contemporary Folklore Adventure": the name after an acronym and
                    a dash, the acronym an alias.
   The ``list`` rule also reads names listed right *before* a plural category noun ("the
   Chœur Oratorio, Arabesque and Fifres et Tambours associations"), and a name whose first
   words are a list ("the Tea, Rice, and Citrus Festival of Lankaran") starts at the list.
   The ``apposition`` rule also reads "the harvest festival, X," (a category noun, a comma,
   a name set off by a second comma).
4. Aliases: an acronym or another name in parentheses right after a name is the same thing
   ("Manchester Literature Festival (MLF)"), so is an acronym after a dash ("X Fair –
   XFAIR") and a name after "also known as"; later uses of the acronym are more evidence for
   it, never a second mention. "University of X" and "X University" are one name.
5. Rejected: one-word names (unless a suffix head, an acronym, quoted, camel case or listed),
   names after "a"/"an" (generic or planned), plural heads, the UNESCO network, a city
   government named as the city ("X Municipality"), names followed by "project", "plan"…
   or ending in one ("Food Bank Project"),
   degrees ("Master of Design"), holidays ("Mother's Day"), unions of states, and place
   names (:mod:`.mention_places`: a member city or country named alone, a head noun that
   belongs to a place, "Santa Maria da Feira"; a city's possessive is not part of the name:
   "Linz's Tabakfabrik" -> "Tabakfabrik"). A later name that ends an earlier one of the same
   kind ("the Writers' Workshop" after "the Iowa Writers' Workshop") is a short form.
   Boundaries (round 8): a descriptor before a place or a saint is not part of the name
   ("the Gothic Saint Peter Church"); a unit "of" an institution is one name ("engageLab of
   the Minho University"); "the City Council" without the city is generic.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ..records import Mention, Span
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
from .mention_places import ends_in_place, is_place
from .mention_runs import runs, split_run
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

_TYPO = str.maketrans({"’": "'", "´": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"',
                       "„": '"', "\u00a0": " "})


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


def make_mention(text: str, toks: list[Tok], i: int, j: int, kind: str, subtype: str,
          rule: str) -> Mention | None:
    start, end = toks[i].start, toks[j - 1].end
    if possessive(toks[j - 1].text):
        end -= 2
    label = _clean(text[start:end])
    if not label or (lex.REJECT.search(label) and not _own_body(label, kind)) or (
            lex.CITY_GOVERNMENT.search(label)):
        return None
    if is_place(label) or (label.split()[-1] in HEADS and ends_in_place(label)):
        return None  # "Shenzhen"; "Santa Maria da Feira" is a town, not a fair
    return Mention(kind=kind, label=label, span=Span(start, end, text[start:end]),
                   subtype=subtype, rule=rule)


def _own_body(label: str, kind: str) -> bool:
    """A body of a city named after the network ("Tsuruoka Creative City of Gastronomy
    Promotion Council"): an organisation of its own, not UNESCO or its network
    (docs/annotation.md)."""
    words = label.split()
    return kind == "organisation" and (
        words[-1] in lex.OWN_BODY_ENDS)


def _trim(toks: list[Tok], i: int, j: int) -> tuple[int, int]:
    while i < j and (toks[i].text in lex.LEADING or toks[i].text in lex.CONNECTORS):
        if (toks[i].text == "Annual" and i > 0 and toks[i - 1].text == "the"
                and j - i >= 3):
            break  # "the Annual Conference on …": capitalised inside the sentence, part of it
        i += 1
    while j > i and toks[j - 1].text in lex.CONNECTORS:
        j -= 1
    if j - i >= 3 and toks[i].text in lex.DESCRIPTORS and (
            toks[i + 1].text in lex.SAINTS or is_place(_bare(toks[i + 1].text))):
        i += 1  # "the Gothic Saint Peter Church": a descriptor before the name
    return i, j


def _bare(word: str) -> str:
    """A word without its possessive ("Sharjah's" -> "Sharjah")."""
    return word[:-2] if possessive(word) else word


def _head_with_tail(toks: list[Tok], i: int, j: int) -> bool:
    """ "a School of Industrial Design": a head first, then a capitalised tail: a name even
    after "a" (a generic phrase does not capitalise its tail)."""
    return (j - i >= 3 and head_at(toks, i) is not None and toks[i + 1].text in lex.TAIL_START
            and is_cap(toks[j - 1]))


def _from_run(text: str, toks: list[Tok], i: int, j: int) -> Mention | None:
    i, j = _trim(toks, i, j)
    if i >= j or (_indefinite(toks, i) and not _head_with_tail(toks, i, j)):
        return None  # "a Coffee Museum": generic, or only planned
    if possessive(toks[i].text) and j - i >= 2 and is_place(toks[i].text[:-2]):
        i += 1  # "Linz's Tabakfabrik": the name after the city that owns it
    elif (possessive(toks[i].text) and j - i > 2
          and toks[i].text[:-2] not in lex.NAME_POSSESSIVES  # "Women's Voices … Festival"
          and not (i > 0 and toks[i - 1].text == "the")):  # "the Premier's Reading Challenge"
        if j - i > 4 and any(toks[k].text in lex.TAIL_START for k in range(i + 2, j)):
            i += 1  # "Alba's White Night of Bookshops": the name after the owner
        else:
            return None  # "Mannheim's Cultural Office" describes; "Chetham's Library" names
    if j < len(toks) and toks[j].text.lower() in lex.NOT_ENTITY_AFTER:
        return None
    h = kind_head(toks, i, j)
    quoted = i > 0 and toks[i - 1].text in OPEN_QUOTES and j < len(toks) and (
        toks[j].text in CLOSE_QUOTES)
    if h is None or quoted:  # the "Oldest House" competition: the lower-case head names it
        lower = _lower_head(text, toks, i, j)
        if lower is not None:
            return lower
    if h is None and text[toks[i].start:toks[j - 1].end].startswith(lex.ORGANISATION_PREFIXES):
        return make_mention(text, toks, i, j, "organisation", "organisation", "head")
    if h is not None and toks[j - 1].text in lex.POLICY_ENDS and not any(
            toks[m].text in lex.TAIL_START for m in range(h + 1, j - 1)):
        return None  # "Food Bank Project": a project, not the bank (but "Association of
        # Writers and Writing Programs": the programmes are what the body's tail names)
    if h is None or (j - i == 1 and suffix_head(toks[i].text) is not None):
        # the last word ending in a head, at the end of the run or before "and"
        for k in range(j - 1, i - 1, -1):
            found = suffix_head(toks[k].text)
            if found is not None and is_cap(toks[k]) and (
                    k == j - 1 or toks[k + 1].text in ("and", "&")):
                return make_mention(text, toks, i, k + 1, *found, "suffix-head")
        return None
    found = head_at(toks, h)
    assert found is not None
    kind, subtype = found
    if i > 0 and toks[i - 1].text == "first" and kind != "event":
        return None  # "the first Design Museum in Scotland": a kind of place, not its name
        # (but "the first X Festival" is the first edition of a named event)
    if h > i:
        subtype = lex.QUALIFIED.get((toks[h - 1].text, toks[h].text), subtype)
    if (toks[h].text in lex.NATIONAL_BODY_HEADS and h + 2 < j and toks[h + 1].text == "of"
            and is_place(" ".join(t.text for t in toks[h + 2:j]))):
        kind, subtype = "organisation", "agency"  # "Academy of Finland": a national body
    # "Free Film Screenings for Municipal Corporation": the name starts after a "for".
    fors = [k for k in range(i + 1, h) if toks[k].text == "for"]
    if fors and not has_head(toks, i, fors[-1]):
        i = fors[-1] + 1
    i = _list_start(toks, i, h)
    if (j - 2 > h and toks[j - 2].text == "for" and is_acronym(toks[j - 1].text)
            and j < len(toks) and joined(toks[j]) and toks[j].text.islower()):
        j -= 2  # "the Villa Decius Association for ICORN guest writers": the acronym is
        # a modifier of the lower-case noun after it, not the name's tail
    end = j
    after_quote = _quoted_after(toks, end)
    if after_quote is not None:
        end = after_quote
    elif _lower_tail(toks, h, j):
        end = j + 1  # "Museum of African art": the tail's noun written in lower case
    if name_words(toks, i, min(end, j)) < 2:
        tail = _romance_lower_tail(toks, i, j)
        if tail is None:
            return None
        end = tail  # "Maison de la littérature", "Jardin de la compagnie"
    return make_mention(text, toks, i, end, kind, subtype, "head")


def _romance_lower_tail(toks: list[Tok], i: int, j: int) -> int | None:
    """A one-word French, Spanish, Portuguese or Italian head followed by a tail in lower
    case ("Maison de la littérature", "Maison de l'architecture du Québec"): the end of the
    tail (at most six words, up to punctuation), or None."""
    n = len(toks)
    if j != i + 1 or j >= n or toks[j].text not in lex.ROMANCE_CONNECTORS or (
            not joined(toks[j])) or toks[i].text not in lex.ROMANCE_HEADS:
        return None
    q = j
    while q < n and q - j < 6 and joined(toks[q]) and toks[q].text[:1].isalpha() and (
            toks[q].text.islower() or toks[q].text in lex.CONNECTORS
            or (q > j and toks[q - 1].text in lex.ROMANCE_CONNECTORS and is_cap(toks[q]))):
        q += 1
    if q - j < 2 or (q < n and toks[q].text not in (".", ",", ";", ":", ")", "(")):
        return None
    return q


def _list_start(toks: list[Tok], i: int, h: int) -> int:
    """Where a name starts whose first words are a list: "the Tea, Rice, and Citrus Festival
    of Lankaran", "The Literature, Publishing, and Translation Commission", "the New Media,
    Animation and Game Expo". The run starts after a comma of the list; the items before it
    (one to three capitalised words each, no head noun, no place, at least one comma) are part
    of the name when the word before the list is not capitalised."""
    if i < 2 or not joined(toks[i]):
        return i
    if toks[i - 1].text in ("and", "&") and h == i + 1:
        k = i - 1  # "Rice, and Citrus Festival": the run starts after the list's "and"
        if toks[k - 1].text == ",":
            k -= 1  # the serial comma
    elif toks[i - 1].text == "," and any(t.text in ("and", "&") for t in toks[i + 1:h]) and (
            not has_head(toks, i, h)):
        k = i - 1  # "New Media, Animation and Game Expo": the run holds the list's end
    else:
        return i
    if toks[k].text != ",":
        return i
    start = i
    while k > 0 and toks[k].text == ",":
        end = k
        while k > 0 and end - k < 3 and is_cap(toks[k - 1]) and joined(toks[k - 1]) and (
                toks[k - 1].text not in lex.LEADING) and head_at(toks, k - 1) is None:
            k -= 1
        if k == end or is_place(" ".join(t.text for t in toks[k:end])):
            return i
        start = k
        k -= 1
    if k >= 0 and is_cap(toks[k]) and toks[k].text not in lex.LEADING:
        return i
    if k >= 1 and toks[k].text in lex.CONNECTORS and (
            is_cap(toks[k - 1]) or toks[k - 1].text in lex.CONNECTORS) and not (
            toks[k].text == "the"
            and toks[k - 1].text in ("and", "&", ",")):
        return i  # "Barbecue on the River, LowerTown Art and Music Festival": two names
    return start


def _lower_tail(toks: list[Tok], h: int, j: int) -> bool:
    """Whether the name's tail ends in an adjective ("of African") whose noun follows in
    lower case ("art", "culture", "music")."""
    return (j < len(toks) and j - 1 > h and toks[j].text in lex.LOWER_TAIL_NOUNS
            and joined(toks[j]) and any(toks[m].text in lex.TAIL_START for m in range(h, j))
            and toks[j - 1].text.endswith(lex.ADJECTIVE_ENDINGS))


def _lower_head(text: str, toks: list[Tok], i: int, j: int) -> Mention | None:
    """ "the X festival", "the “X” exhibition", "the X startup event"."""
    n = len(toks)
    quoted = (i > 0 and toks[i - 1].text in OPEN_QUOTES and j < n
              and toks[j].text in CLOSE_QUOTES)
    after = j + 1 if quoted else j
    before = i - 2 if quoted else i - 1
    if before < 0 or toks[before].text.lower() not in ("the", "and", ","):
        return None
    found = lower_head_at(toks, after)
    if found is None:
        return None
    if (not quoted and name_words(toks, i, j) < 2 and not camel(toks[i].text)
            and (len(toks[i].text) < 4 or toks[i].text in lex.FIELD_WORDS
                 or (found[2] > after + 1 and (
                     toks[before].text.lower() != "the"
                     or len(toks[i].text) < 5 or toks[i].text in lex.GENERIC_WORDS)))):
        # one plain word is a name right before its head ("the X festival"), or after "the"
        # before a few lower-case modifiers ("the Barbarella electronic music festival")
        return None
    return make_mention(text, toks, i, j, found[0], found[1], "lower-head")


def normalise_label(label: str) -> str:
    """A key for comparing labels: typographic quotes folded, edges and case ignored."""
    folded = " ".join(label.translate(_TYPO).replace('"', " ").split()).casefold()
    return folded.removeprefix("the ").strip(" '")


_UNIVERSITY_OF = re.compile(r"^university of (.+)$")


@lru_cache(maxsize=1 << 16)
def entity_key(label: str) -> str:
    """One key for the names of one thing: "University of X" and "X University" agree
    (asked of each name many times over: kept)."""
    key = lex.LEGAL_FORMS.sub("", normalise_label(label))
    m = _UNIVERSITY_OF.match(key)
    return f"{m.group(1)} university" if m else key


def _bounds(text: str, about: Span | None) -> tuple[int, int]:
    if about is None:
        return 0, len(text)
    start = max(0, min(about.start, len(text)))
    return start, max(start, min(about.end, len(text)))


def _short_form(key: str, kind: str, found: list[Mention]) -> bool:
    """A later name that is the end of an earlier one of the same kind ("the Writers'
    Workshop" after "the Iowa Writers' Workshop"), or its start before a tail ("National Quilt
    Museum" after "National Quilt Museum of the United States"): a short form, not a second
    entity."""
    return len(key.split()) >= 2 and any(
        m.kind == kind and (entity_key(m.label).endswith(" " + key)
                            or _tail_after(entity_key(m.label), key)) for m in found)


def _tail_after(longer: str, key: str) -> bool:
    """ "national quilt museum" before "national quilt museum of the united states": the
    longer name with its tail cut off ("of", "for", "de" …) is a short form of it."""
    rest = longer.removeprefix(key + " ")
    return rest != longer and rest.split(" ", 1)[0] in lex.TAIL_START


def find_mentions(text: str, about: Span | None = None) -> list[Mention]:
    """The named facilities, events and organisations in ``about`` (or the whole text).

    Every mention's span (and alias span) satisfies ``span.text ==
    text[span.start:span.end]``; a name is reported once, at its first occurrence, with
    its acronyms and parenthesised other names as aliases. The rules' candidates
    (:func:`find_candidates`, :func:`run_candidates`) are kept, re-kinded or dropped by the
    shipped model (:mod:`.mention_model`).
    """
    from .mention_model import decide, shipped_model

    model = shipped_model()
    found = find_candidates(text, about)
    if model is None:
        return found
    return decide(text, with_proposals(text, about, found), model)


def with_proposals(text: str, about: Span | None, found: list[Mention]) -> list[Mention]:
    """The rules' candidates with the other readings the model may choose instead
    (:mod:`.mention_variants`, :func:`run_candidates`), in text order."""
    from .mention_variants import variants

    return sorted([*found, *variants(text, found), *run_candidates(text, about, found)],
                  key=lambda m: m.span.start)


def run_candidates(text: str, about: Span | None, taken: list[Mention]) -> list[Mention]:
    """Rule ``run``: every run of two capitalised words or more that no candidate covers,
    for the model to decide (its kind here is a placeholder, never kept as such)."""
    start, end = _bounds(text, about)
    toks = tokens(text, start, end)
    spans = [(m.span.start, m.span.end) for m in taken]
    spans += [(a.start, a.end) for m in taken for a in m.aliases]
    keys = {entity_key(m.label) for m in taken}
    out: list[Mention] = []
    for i, j in runs(toks):
        for a, b in split_run(toks, i, j):
            a, b = _trim(toks, a, b)
            if a >= b or name_words(toks, a, b) < 2:
                continue
            lo, hi = toks[a].start, toks[b - 1].end
            if any(x < hi and lo < y for x, y in spans):
                continue
            mention = make_mention(text, toks, a, b, "organisation", "", "run")
            if mention is not None and entity_key(mention.label) not in keys and not any(
                    k.endswith(" " + entity_key(mention.label))
                    or k.startswith(entity_key(mention.label) + " ") for k in keys):
                out.append(replace(mention, subtype=None))
    return out


def find_candidates(text: str, about: Span | None = None) -> list[Mention]:
    """The rules' names in ``about`` (or the whole text), before the model decides."""
    from .mention_aliases import aliases_of
    from .mention_context import context_mentions
    from .mention_siblings import dash_acronyms, siblings

    start, end = _bounds(text, about)
    toks = tokens(text, start, end)
    candidates: list[tuple[int, Mention]] = []
    for i, j in runs(toks):
        for a, b in split_run(toks, i, j):
            mention = _from_run(text, toks, a, b)
            if mention is not None:
                candidates.append((mention.span.start, mention))
    for mention in context_mentions(text, toks):
        same = [n for n, (_, m) in enumerate(candidates) if m.span == mention.span]
        if same:  # a list of networks says what an ambiguous head ("Forum") names
            candidates[same[0]] = (mention.span.start, mention)
        elif not any(m.span.start <= mention.span.start < m.span.end for _, m in candidates):
            candidates.append((mention.span.start, mention))
    for mention in dash_acronyms(text, toks):  # "COFA - Name": over the runs it cuts across
        lo, hi = mention.span.start, mention.span.end
        candidates = [(s, m) for s, m in candidates
                      if not (m.span.start < hi and lo < m.span.end)]
        candidates.append((lo, mention))
    found = _dedup(candidates)
    found = _dedup([(m.span.start, m) for m in [*found, *siblings(text, toks, found)]])
    return aliases_of(text, toks, found)


def _dedup(candidates: list[tuple[int, Mention]]) -> list[Mention]:
    """The candidates in text order, each entity once (its first name), short forms out."""
    candidates.sort(key=lambda pair: pair[0])
    found: list[Mention] = []
    seen: set[str] = set()
    for _, mention in candidates:
        key = entity_key(mention.label)
        if key in seen or _short_form(key, mention.kind, found):
            continue
        seen.add(key)
        found.append(mention)
    return found


def explain_mentions(text: str) -> list[tuple[Mention, str]]:
    """Every mention of ``text`` with a one-line account of the rule that proposed it and
    of the model's decision (the features that weighed most)."""
    from .mention_context import RULES
    from .mention_model import decide, explain, shipped_model

    model = shipped_model()
    found = find_candidates(text)
    if model is None:
        return [(m, RULES.get(m.rule, m.rule)) for m in found]
    candidates = with_proposals(text, None, found)
    kept = {(m.span.start, m.span.end): m for m in decide(text, candidates, model)}
    out: list[tuple[Mention, str]] = []
    for candidate in candidates:
        mention = kept.get((candidate.span.start, candidate.span.end))
        if mention is not None:
            why = RULES.get(candidate.rule, candidate.rule)
            out.append((mention, f"{why}; {explain(text, candidate, model)}"))
    return out


__all__ = ["HEADS", "entity_key", "explain_mentions", "find_candidates", "find_mentions",
           "normalise_label", "run_candidates", "with_proposals"]
