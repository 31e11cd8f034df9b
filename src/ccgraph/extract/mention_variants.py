"""Other boundaries for the rules' candidates, for the model to choose among.

The rules' commonest errors on unseen profiles are boundaries at "and": two names run
together ("X Festival and Y Museum" as one) or one name cut in two ("International Children
and Youth Animated Film Festival" as "Youth Animated Film Festival"). For each candidate
this module proposes the other reading:

- rule ``split``: a candidate holding "and" / "&", cut there: its part before and its part
  after (each kept only when it has two capitalised words or more);
- rule ``join``: two candidates with only "and" / "&" (maybe after a comma) between them, or
  a candidate and the capitalised words right before it joined by "and", as one name; and a
  candidate with the initials right before it ("P.A. Lalitha Award").

The overlapping readings compete in :func:`.mention_model.decide`: the one the model is
surest of wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from ..records import Mention, Span
from . import mention_lexicon as lex

_AND = re.compile(r",?[ \u00a0]+(?:and|&)[ \u00a0]+")
_CAP_BEFORE = re.compile(r"(?:[A-ZÀ-Þ][\w'’´-]*[ \u00a0]+){1,4}(?:and|&)[ \u00a0]+$")
_INITIALS_BEFORE = re.compile(r"(?:[A-Z]\.[ \u00a0]?)+[ \u00a0]+$")


def _mention(text: str, start: int, end: int, kind: str, rule: str) -> Mention | None:
    label = text[start:end].strip(" ,")
    if not label:
        return None
    start = text.index(label, start)
    words = label.split()
    if sum(1 for w in words if w[:1].isupper()) < 2 or words[0] in lex.LEADING:
        return None
    if words[-1] in lex.CONNECTORS or words[-1].islower():
        return None
    return Mention(kind=kind, label=label, span=Span(start, start + len(label), label),
                   subtype=None, rule=rule)


def _kind_of(label: str, default: str) -> str:
    for word in reversed(label.split()):
        if word in lex.HEADS:
            return lex.HEADS[word][0]
    return default


def variants(text: str, candidates: Sequence[Mention]) -> list[Mention]:
    """The other readings of ``candidates`` (see the module docstring), none equal to a
    candidate's span."""
    have = {(m.span.start, m.span.end) for m in candidates}
    out: list[Mention] = []

    def add(mention: Mention | None) -> None:
        if mention is not None and (mention.span.start, mention.span.end) not in have:
            have.add((mention.span.start, mention.span.end))
            out.append(mention)

    ordered = sorted((m for m in candidates if m.rule != "run"), key=lambda m: m.span.start)
    for mention in ordered:
        span = mention.span
        for m in _AND.finditer(span.text):
            left = _mention(text, span.start, span.start + m.start(),
                            _kind_of(span.text[:m.start()], mention.kind), "split")
            right = _mention(text, span.start + m.end(), span.end, mention.kind, "split")
            add(left)
            add(right)
        before = _CAP_BEFORE.search(text, max(0, span.start - 80), span.start)
        if before is not None:
            add(_mention(text, before.start(), span.end, mention.kind, "join"))
        initials = _INITIALS_BEFORE.search(text, max(0, span.start - 20), span.start)
        if initials is not None:  # "P.A. Lalitha Award"
            add(_mention(text, initials.start(), span.end, mention.kind, "join"))
    for first, second in pairwise(ordered):
        gap = text[first.span.end:second.span.start]
        if _AND.fullmatch(gap):
            add(_mention(text, first.span.start, second.span.end, second.kind, "join"))
    return out


__all__ = ["variants"]
