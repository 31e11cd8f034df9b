"""Other names of a found name: an acronym or a name in parentheses or square brackets
right after it ("Manchester Literature Festival (MLF)", "… [Craft Village]"), an acronym after
a dash ("X Fair – XFAIR"), a name after "also known as"; later uses of an acronym are more
evidence for the same entity, never a second one (docs/annotation.md)."""

from __future__ import annotations

import re
from dataclasses import replace

from ..records import Mention, Span
from .mention_tokens import Tok, is_acronym
from .mentions import entity_key

_PAREN = re.compile(r"[ \u00a0]*(?:\(([^()\n]{1,90})\)|\[([^\[\]\n]{1,90})\])")


_KNOWN_AS = re.compile(r"[^.;:“”\"]{0,40}?[\s,(]+(?:also |commonly |locally |popularly )?"
                       r"(?:known|referred to) as (?:the )?[“\"‘]?")
_DASH_ACRONYM = re.compile(r"[ \u00a0]+[–—-][ \u00a0]+([A-Z][A-Z0-9]{1,14})(?=[,.;:)]|\s)")


def _alias_after(text: str, mention: Mention, limit: int) -> Span | None:
    m = _PAREN.match(text, mention.span.end, limit)
    dash = _DASH_ACRONYM.match(text, mention.span.end, limit)
    if m is None and dash is not None:
        # "Family Agriculture Fair – AGRIMINAS": the acronym after a dash is an alias
        return Span(dash.start(1), dash.end(1), dash.group(1))
    if m is None:
        return None
    group = 1 if m.group(1) is not None else 2  # "(MLF)", or a gloss "[Craft Village]"
    inner = m.group(group).strip()
    start = m.start(group) + (len(m.group(group)) - len(m.group(group).lstrip()))
    words = inner.split()
    if is_acronym(inner) or (len(words) >= (1 if group == 2 else 3) and inner[:1].isupper()):
        return Span(start, start + len(inner), inner)
    return None


def aliases_of(text: str, toks: list[Tok], found: list[Mention]) -> list[Mention]:
    """Attach acronyms and parenthesised names to the mention they follow; drop mentions
    that are only such an alias; later uses of an acronym are more evidence for it."""
    limit = toks[-1].end if toks else 0
    first = toks[0].start if toks else 0
    aliases: dict[int, list[Span]] = {}
    alias_keys: dict[str, int] = {}
    for n, mention in enumerate(found):
        span = _alias_after(text, mention, limit)
        if span is not None:
            aliases[n] = [span]
            alias_keys[entity_key(span.text)] = n
    known: set[int] = set()
    for n in range(1, len(found)):
        between = text[found[n - 1].span.end:found[n].span.start]
        if _KNOWN_AS.fullmatch(between):
            # "X, also known as the Y": Y is another name of X
            aliases.setdefault(n - 1, []).append(found[n].span)
            known.add(n)
    out: list[Mention] = []
    for n, mention in enumerate(found):
        owner = alias_keys.get(entity_key(mention.label))
        if (owner is not None and owner != n) or n in known:
            continue  # "(National Bakery Institute)" after the French name: the same thing
        spans = aliases.get(n, [])
        for span in list(spans):
            if is_acronym(span.text):
                for m in re.finditer(rf"(?<![\w-]){re.escape(span.text)}(?![\w-])",
                                     text[:limit]):
                    if m.start() >= first and m.start() != span.start:
                        spans.append(Span(m.start(), m.end(), m.group()))
        out.append(replace(mention, aliases=tuple(spans)) if spans else mention)
    return out


__all__ = ["aliases_of"]
