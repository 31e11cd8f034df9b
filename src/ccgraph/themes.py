"""Assign commitment themes to pledge texts with rules that live in the vocabulary.

Each theme concept in ``data/vocab/themes.ttl`` carries one or more ``ccg:keywordPattern``
literals: Python regular expressions, matched case-insensitively anywhere in the text. A
pledge gets every theme with at least one matching pattern. Nothing about the themes is
coded here, so curators change the rules by editing the Turtle (see docs/themes.md). A
pledge that no pattern matches gets the fallback concept ``theme:other`` (:data:`OTHER`),
which has no patterns of its own.

A pattern whose source begins with the regular-expression comment ``(?#goal)`` names a broad
goal (the economy, growth, sustainable development): it is searched only in the commitment
part of the pledge, the text before a purpose marker ("in order to", "so that", "with the aim
of", "aimed at" ...; :data:`PURPOSE`), because a goal named as the purpose of another
commitment is not its theme (docs/annotation.md, clarification T1). The comment changes
nothing in the regular expression itself. Every pattern skips a match that a negation
governs ("not", "without", "rather than", "instead of", "outside" up to two words before it;
"not only" is no negation: :data:`NEGATION`) and looks for the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from . import shipped
from .namespaces import CCG
from .regex_literals import fold, required_literals

#: the theme of a pledge that no rule matches
OTHER = URIRef("https://w3id.org/ccgraph/id/theme/other")
#: the vocabulary file in the project's data directory
DEFAULT_VOCAB = shipped.vocab() / "themes.ttl"
#: how a pattern says that it names a broad goal, searched only before a purpose marker
GOAL_FLAG = "(?#goal)"
#: where the purpose of a pledge begins (T1): a marker after at least two words of commitment
PURPOSE = re.compile(
    r"(?<=\w)[\s,;]+(?:in\s+order\s+to|so\s+that|so\s+as\s+to|with\s+(?:the|an?)\s+"
    r"(?:aim|goal|objective|purpose|intention)\s+(?:of|to)|with\s+a\s+view\s+to|"
    r"aim(?:ed|ing|s)?\s+(?:at|to)|in\s+an\s+effort\s+to)\b", re.IGNORECASE)
#: a negation that governs the words after it (at most two words between it and a match)
NEGATION = re.compile(
    r"\b(?:not(?!\s+(?:only|just|merely|least)\b)|without|rather\s+than|instead\s+of|outside)"
    r"\s+(?:[\w’'-]+\s+){0,2}$", re.IGNORECASE)


@dataclass(frozen=True)
class ThemeRule:
    """One theme and its compiled keyword patterns (in the vocabulary's order, sorted)."""

    theme: URIRef
    label: str
    patterns: tuple[re.Pattern[str], ...]
    #: for each pattern, words one of which each of its matches contains (lower case, see
    #: regex_literals.py), or ``None``: a text folded without any of them is not searched
    needs: tuple[tuple[str, ...] | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", tuple(
            required_literals(p.pattern, p.flags) for p in self.patterns))

    def search(self, pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
        """The first match of ``pattern`` in ``text`` that no negation governs; a goal
        pattern (``(?#goal)``) only before the purpose."""
        end = commitment_end(text) if pattern.pattern.startswith(GOAL_FLAG) else len(text)
        for m in pattern.finditer(text, 0, end):
            if not NEGATION.search(text, max(0, m.start() - 60), m.start()):
                return m
        return None


@dataclass(frozen=True)
class Match:
    """Why a theme was assigned: the pattern that matched and the text it matched."""

    theme: URIRef
    pattern: str
    start: int
    end: int
    text: str


class ThemeRuleError(ValueError):
    """A ``ccg:keywordPattern`` that is not a valid regular expression."""


def commitment_end(text: str) -> int:
    """Where the commitment part of a pledge ends: at the first purpose marker that follows
    at least two words, else at the end of the text."""
    for m in PURPOSE.finditer(text):
        if len(text[:m.start()].split()) >= 2:
            return m.start()
    return len(text)


def _label(vocab: Graph, theme: URIRef) -> str:
    for obj in vocab.objects(theme, SKOS.prefLabel):
        if isinstance(obj, Literal) and obj.language == "en":
            return str(obj)
    return str(theme).rsplit("/", 1)[-1]


def load_rules(vocab: Graph) -> list[ThemeRule]:
    """The rules of every ``ccg:Theme`` with keyword patterns, sorted by theme IRI.

    Raises :class:`ThemeRuleError` naming the theme when a pattern does not compile.
    """
    rules: list[ThemeRule] = []
    themes = {s for s in vocab.subjects(RDF.type, CCG.Theme) if isinstance(s, URIRef)}
    for theme in sorted(themes):
        sources = sorted(str(p) for p in vocab.objects(theme, CCG.keywordPattern))
        compiled: list[re.Pattern[str]] = []
        for source in sources:
            try:
                compiled.append(re.compile(source, re.IGNORECASE))
            except re.error as exc:
                raise ThemeRuleError(
                    f"{theme}: ccg:keywordPattern {source!r} is not a valid regular "
                    f"expression: {exc}") from exc
        if compiled:
            rules.append(ThemeRule(theme, _label(vocab, theme), tuple(compiled)))
    return rules


def load_default_rules(path: Path = DEFAULT_VOCAB) -> list[ThemeRule]:
    """The rules of the project's own theme vocabulary file."""
    graph = Graph()
    graph.parse(path, format="turtle")
    return load_rules(graph)


def explain(text: str, rules: list[ThemeRule]) -> list[Match]:
    """For each theme that applies, the first pattern (in sorted order) that matches.

    A pattern is searched only when the text holds one of the words it needs
    (:attr:`ThemeRule.needs`): most patterns do not match most pledges, and looking for a
    word costs far less than a case-insensitive search."""
    found: list[Match] = []
    folded = fold(text)
    for rule in rules:
        for pattern, needs in zip(rule.patterns, rule.needs, strict=True):
            if needs is not None and not any(word in folded for word in needs):
                continue
            m = rule.search(pattern, text)
            if m is not None:
                found.append(Match(rule.theme, pattern.pattern, m.start(), m.end(), m.group()))
                break
    return sorted(found, key=lambda match: str(match.theme))


def assign_themes(text: str, rules: list[ThemeRule]) -> list[URIRef]:
    """The themes whose patterns match ``text``, sorted by IRI."""
    return [match.theme for match in explain(text, rules)]


class KnownThemes:
    """:func:`assign_themes` with ``rules``, each text's answer kept: the build assigns the
    themes of every pledge, and its gold scores, which score the same pledges with the same
    rules, ask here instead of matching them a second time."""

    def __init__(self, rules: list[ThemeRule]) -> None:
        self.rules = rules
        self._known: dict[str, list[URIRef]] = {}

    def __call__(self, text: str) -> list[URIRef]:
        """The themes of ``text`` (a new list, sorted by IRI; empty when none applies)."""
        found = self._known.get(text)
        if found is None:
            found = self._known[text] = assign_themes(text, self.rules)
        return list(found)

    def __len__(self) -> int:
        """How many texts it has answered."""
        return len(self._known)


def assign_themes_or_other(text: str, rules: list[ThemeRule]) -> list[URIRef]:
    """The themes whose patterns match ``text``, or ``[OTHER]`` when none does."""
    return assign_themes(text, rules) or [OTHER]


def describe(text: str, rules: list[ThemeRule]) -> list[str]:
    """One line per theme given to ``text``: the theme, the pattern and the words it matched
    (or the fallback ``other`` when no pattern matches)."""
    found = explain(text, rules)
    if not found:
        return [f"{OTHER}  (no keyword pattern matches: the fallback theme)"]
    return [f"{m.theme}  pattern /{m.pattern}/ matched {m.text!r} at {m.start}-{m.end}"
            for m in found]


def main(argv: list[str] | None = None) -> int:
    """``python -m ccgraph.themes TEXT...``: why each theme is given to a pledge text."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m ccgraph.themes PLEDGE TEXT (prints the themes it gets and the "
              "pattern that gave each)", file=sys.stderr)
        return 2
    for line in describe(" ".join(args), load_default_rules()):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
