"""Mentions across the whole corpus: a gazetteer from the data, and one name per entity.

:func:`find_mentions` reads one profile. :func:`link_mentions` reads them all and then

1. *gazetteer*: a name of two words or more found in one profile is recognised, written the
   same way, in every other profile's "About" text, where the rules may have missed it
   (rule ``gazetteer``, with the kind it was found with); and a name found with a head noun
   ("Sinulog Festival", "Ars Electronica Centre") is recognised without it ("Sinulog", "Ars
   Electronica") when what is left is distinctive: not a place, not only generic words
   (rule ``gazetteer-stem``; the kind of its head, or an organisation when the stem was seen
   with heads of two kinds: the body behind a festival and a centre);
2. *the model's decision* (:mod:`.mention_model`), only when a trained model is shipped: the
   candidates, with other readings of their boundaries and the runs no rule named, kept,
   re-kinded or dropped;
3. *one name per entity*: within a city (for organisations: anywhere, as their IRIs are
   not scoped by city), every name that is an alias of another ("MLF", "National Bakery
   Institute"), or another spelling of the same name ("Heidelberg University"), is renamed
   to the first full name seen, keeping its own words as an alias span; and one name has
   one kind in a city. So no two resources share a name and a city, and an acronym
   resolves to the resource of its full name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from ..literal_alternation import alternation
from ..records import Mention, Profile, Span
from . import mention_lexicon as lex
from .mention_model import Model, decide, shipped_model
from .mention_places import is_place
from .mentions import entity_key, find_candidates, with_proposals

_MIN_GAZETTEER_WORDS = 2
_LONGER_AFTER = re.compile(r"[ \u00a0]+(?:(?:of|for|de|del|di|do|da|du|des|in|on)[ \u00a0]+"
                           r")?(?:the[ \u00a0]+)?[A-ZÀ-ÖØ-Þ]")
_LONGER_BEFORE = re.compile(r"(?:\b(?:[Aa]n?)|[A-Z][\w'’´-]*)[ \u00a0]+$")


def _about(profile: Profile) -> Span:
    if profile.about is not None:
        return profile.about
    from .mention_eval import about_span

    return about_span(profile.text)


Names = dict[str, tuple[str, str | None, str]]


def _gazetteer(found: dict[int, list[Mention]]) -> Names:
    """name as written -> (kind, subtype, rule): full names, then names without their head."""
    names: Names = {}
    for mentions in found.values():
        for mention in mentions:
            if len(mention.label.split()) >= _MIN_GAZETTEER_WORDS and mention.rule != "gazetteer":
                names.setdefault(mention.span.text, (mention.kind, mention.subtype, "gazetteer"))
    for stem, (kind, subtype) in _stems(found).items():
        names.setdefault(stem, (kind, subtype, "gazetteer-stem"))
    return names


def _stems(found: dict[int, list[Mention]]) -> dict[str, tuple[str, str | None]]:
    """Names without their final head noun, for :func:`_gazetteer`'s second part."""
    kinds: dict[str, set[str]] = {}
    subtypes: dict[str, str | None] = {}
    for mentions in found.values():
        for mention in mentions:
            words = mention.span.text.split()
            if mention.rule != "head" or len(words) < 2 or words[-1] not in lex.HEADS:
                continue
            stem = " ".join(words[:-1])
            if len(words) < 3 or not _distinctive(words[:-1]) or is_place(stem):
                continue
            kinds.setdefault(stem, set()).add(mention.kind)
            subtypes.setdefault(stem, mention.subtype)
    return {stem: ((next(iter(k)), subtypes[stem]) if len(k) == 1
                   else ("organisation", "organisation")) for stem, k in kinds.items()}


def _distinctive(words: list[str]) -> bool:
    """Capitalised words of which one at least is neither generic, a place nor a head."""
    if not all(w[:1].isupper() for w in words) or any(w in lex.HEADS for w in words):
        return False
    return any(w not in lex.GENERIC_WORDS and w not in lex.FIELD_WORDS and w not in lex.LEADING
               and not is_place(w) and len(w) >= 4 for w in words)


def _add_gazetteer(profile: Profile, mentions: list[Mention],
                   names: Names,
                   pattern: re.Pattern[str] | None) -> list[Mention]:
    if pattern is None:
        return list(mentions)  # a list of its own: ``mentions`` may be shared (Found)
    about = _about(profile)
    taken = [(m.span.start, m.span.end) for m in mentions]
    taken += [(a.start, a.end) for m in mentions for a in m.aliases]
    keys = {entity_key(m.label) for m in mentions}
    out = list(mentions)
    for m in pattern.finditer(profile.text, about.start, about.end):
        start, end = m.span()
        if any(a < end and start < b for a, b in taken):
            continue
        if start > 0 and profile.text[start - 1:start].isalnum():
            continue
        if _LONGER_AFTER.match(profile.text, end) or _LONGER_BEFORE.search(
                profile.text, max(0, start - 40), start):
            continue  # part of a longer name, or a generic "a X"
        key = entity_key(m.group())
        if key in keys:
            continue
        kind, subtype, rule = names[m.group()]
        out.append(Mention(kind=kind, label=m.group(), span=Span(start, end, m.group()),
                           subtype=subtype, rule=rule))
        keys.add(key)
        taken.append((start, end))
    return sorted(out, key=lambda mention: mention.span.start)


def _scope(profile: Profile, mention: Mention) -> str:
    return "" if mention.kind == "organisation" else profile.city


def _canonical(profiles: list[Profile]) -> None:
    """Rename aliases and variant spellings to one name per entity and scope."""
    names: dict[tuple[str, str], tuple[str, str, str | None]] = {}  # (scope, key) -> name
    for profile in profiles:
        for mention in profile.mentions:
            scope = _scope(profile, mention)
            names.setdefault((scope, entity_key(mention.label)),
                             (mention.label, mention.kind, mention.subtype))
    aliases: dict[tuple[str, str], tuple[str, str, str | None]] = {}
    for profile in profiles:
        for mention in profile.mentions:
            canon = names[(_scope(profile, mention), entity_key(mention.label))]
            for alias in mention.aliases:
                aliases.setdefault((_scope(profile, mention), entity_key(alias.text)), canon)
    for profile in profiles:
        linked: list[Mention] = []
        seen: dict[str, int] = {}
        for mention in profile.mentions:
            scope = _scope(profile, mention)
            key = entity_key(mention.label)
            label, kind, subtype = aliases.get((scope, key)) or names[(scope, key)]
            if label != mention.label:
                mention = replace(mention, label=label, kind=kind, subtype=subtype,
                                  aliases=(mention.span, *mention.aliases))
            elif kind != mention.kind:
                mention = replace(mention, kind=kind, subtype=subtype)
            canon_key = entity_key(label)
            if canon_key in seen:  # the same entity twice in one profile: one mention
                n = seen[canon_key]
                first = linked[n]
                linked[n] = replace(first, aliases=(*first.aliases, mention.span,
                                                    *mention.aliases))
                continue
            seen[canon_key] = len(linked)
            linked.append(mention)
        profile.mentions = linked


#: the rules' names of profiles (:func:`find_candidates`) by what the rules read: the text
#: and the bounds of its About span. The build keeps them, and its gold scores, which read
#: the same corpus again, take them from there instead of finding them a second time.
Found = dict[tuple[str, int, int], list[Mention]]


def rule_candidates(profile: Profile, known: Found | None = None) -> list[Mention]:
    """:func:`find_candidates` of the profile's About span; taken from ``known`` when it
    holds the same text and span, else found and added to it. The list is shared: callers
    read it, never change it."""
    about = _about(profile)
    if known is None:
        return find_candidates(profile.text, about)
    key = (profile.text, about.start, about.end)
    found = known.get(key)
    if found is None:
        found = known[key] = find_candidates(profile.text, about)
    return found


def corpus_candidates(profiles: Sequence[Profile], proposals: bool = True,
                      known: Found | None = None) -> list[list[Mention]]:
    """The candidates of every profile, before the model decides: the rules' names (from
    ``known`` where it has them, see :func:`rule_candidates`), those of the corpus-wide
    gazetteer, and (``proposals``) other readings for the model: other boundaries at "and"
    (:mod:`.mention_variants`) and the runs no rule named."""
    found = {n: rule_candidates(p, known) for n, p in enumerate(profiles)}
    names = _gazetteer(found)
    # longest name first; the lookahead binds to the last (shortest) name only, as it did in
    # the flat alternation this pattern was before (literal_alternation.py: same matches)
    pattern = (re.compile(alternation(sorted(names, key=len, reverse=True), r"(?![\w-])"))
               if names else None)
    out: list[list[Mention]] = []
    for n, profile in enumerate(profiles):
        named = _add_gazetteer(profile, found[n], names, pattern)
        out.append(with_proposals(profile.text, _about(profile), named) if proposals
                   else named)
    return out


def decide_and_link(profiles: Sequence[Profile], candidates: Sequence[list[Mention]],
                    model: Model | None) -> None:
    """Set ``profile.mentions`` from its candidates as ``model`` decides them (None: the
    rules alone), then link them to one name per entity."""
    for profile, found in zip(profiles, candidates, strict=True):
        profile.mentions = decide(profile.text, found, model)
    _canonical(list(profiles))


def link_mentions(profiles: Iterable[Profile], known: Found | None = None) -> None:
    """Set ``profile.mentions`` of every profile: found, completed from the corpus-wide
    gazetteer, decided by the shipped model and linked to one name per entity (see the
    module docstring). ``known``: the rules' names found before, kept and completed
    (:func:`rule_candidates`)."""
    profiles = list(profiles)
    model = shipped_model()
    decide_and_link(profiles, corpus_candidates(profiles, model is not None, known), model)
