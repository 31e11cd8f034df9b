"""The words a regular expression needs (regex_literals.py), and the themes' shortcut on them.

The shortcut is only allowed to skip searches that cannot match: checked on generated
patterns and texts (hypothesis, against Python's own ``re``), on the characters that match
an ASCII letter only under IGNORECASE, and on every keyword pattern against every pledge of
the corpus, where the themes given with the shortcut must equal those of a plain search.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ccgraph.extract.mention_eval import load_profiles
from ccgraph.regex_literals import fold, required_literals
from ccgraph.themes import Match, ThemeRule, explain, load_default_rules


def _contains_a_need(pattern: str, text: str, flags: int = re.IGNORECASE) -> bool:
    needs = required_literals(pattern, flags)
    return needs is None or any(word in fold(text) for word in needs)


def test_needs_of_simple_patterns() -> None:
    assert required_literals(r"\bcourses?\b", re.I) == ("course",)
    assert required_literals(r"\b(?:design|books)\s+days?\b", re.I) == ("books", "design")
    assert required_literals(r"\b(?:design|book)\s+weeks?\b", re.I) == ("week",)
    assert required_literals(r"\bgreater\s+accessibility\b", re.I) == ("accessibility",)
    assert required_literals(r"(?:cultural\s+)?outreach", re.I) == ("outreach",)
    assert required_literals(r"Fund", re.I) == ("fund",)  # lower case: IGNORECASE


def test_no_needs_when_a_match_can_be_anything() -> None:
    for pattern in (r"\w+", r"(?!)", r"(?:abc)?", r"x*", r"abc|", r"[a-z]{3}", ""):
        assert required_literals(pattern, re.I) is None, pattern
    assert required_literals(r"(", re.I) is None  # not a pattern: no shortcut, no error


def test_non_ascii_letters_are_not_needed() -> None:
    """A non-ASCII literal breaks a run: only ASCII is looked for in the folded text."""
    assert required_literals("caf\u00e9s", re.I) == ("caf",)
    assert required_literals("\u2019ab", re.I) == ("ab",)


def test_characters_that_match_ascii_letters_under_ignorecase() -> None:
    """The dotted and dotless I, the long S and the Kelvin sign match i, s and k under
    IGNORECASE: a text written with them still holds the words a pattern needs."""
    for pattern, text in (("kind", "\u212aIND"), ("civic", "C\u0130V\u0130C"),
                          ("civic", "c\u0131v\u0131c"), ("music", "mu\u017fic")):
        assert re.search(pattern, text, re.I), (pattern, text)
        assert _contains_a_need(pattern, text), (pattern, text)


_PIECES = st.sampled_from([
    "a", "b", "ab", "ba", "K", "s", "i", r"\b", r"\s+", r"\w*", ".", "[ab]", r"\u0131",
    "(?:a|b)", "(?:ab|)", "(?:ba)?", "(?:k|s)+", "(?=a)", "(?<!b)", "a{0,2}", "(?:ib){1,2}",
])
_TEXT = st.text(alphabet="abksiABKSI \u0130\u0131\u017f\u212a-", max_size=30)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=6), st.lists(_PIECES, max_size=4), _TEXT)
def test_a_match_always_holds_a_need(first: list[str], second: list[str], text: str) -> None:
    """Whenever Python finds a match, the folded text holds one of the needed words."""
    pattern = "".join(first) + ("|" + "".join(second) if second else "")
    for flags in (re.IGNORECASE, 0):
        if re.search(pattern, text, flags):
            assert _contains_a_need(pattern, text, flags), (pattern, text, flags)


def _explain_plainly(text: str, rules: list[ThemeRule]) -> list[Match]:
    """explain() without the shortcut: every pattern searched."""
    found = []
    for rule in rules:
        for pattern in rule.patterns:
            m = rule.search(pattern, text)
            if m is not None:
                found.append(Match(rule.theme, pattern.pattern, m.start(), m.end(), m.group()))
                break
    return sorted(found, key=lambda match: str(match.theme))


def test_shortcut_gives_the_themes_of_a_plain_search(corpus_path: Path) -> None:
    """Every keyword pattern against every pledge of the corpus: each match holds a word its
    pattern needs, and explain() gives what searching every pattern gives."""
    rules = load_default_rules()
    profiles = {id(p): p for p in load_profiles(corpus_path).values()}.values()
    pledges = [pledge.span.text for profile in profiles for pledge in profile.pledges]
    assert len(pledges) > 1000
    assert sum(needs is not None for rule in rules for needs in rule.needs) > 250
    matched = 0
    for text in pledges:
        for rule in rules:
            for pattern in rule.patterns:
                if pattern.search(text):
                    matched += 1
                    assert _contains_a_need(pattern.pattern, text), (pattern.pattern, text)
        assert explain(text, rules) == _explain_plainly(text, rules)
    assert matched > 1000
