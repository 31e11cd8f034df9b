"""literal_alternation.py: the factored pattern finds what the flat alternation finds.

Compared on generated names and texts (hypothesis; small alphabets so that names share
beginnings, end inside one another and repeat) and on the corpus gazetteer's own names
against every profile of the corpus, match by match.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccgraph.extract import mention_links
from ccgraph.extract.mention_eval import load_profiles
from ccgraph.literal_alternation import alternation

_LOOKAHEAD = r"(?![\w-])"


def _flat(names: list[str], suffix: str) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(n) for n in names) + suffix)


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet="ab .-(", min_size=1, max_size=5), min_size=1, max_size=12),
       st.text(alphabet="ab .-(x", max_size=40), st.sampled_from(["", _LOOKAHEAD, "b"]),
       st.booleans())
def test_same_matches_as_the_flat_alternation(names: list[str], text: str, suffix: str,
                                              longest_first: bool) -> None:
    if longest_first:
        names = sorted(names, key=len, reverse=True)
    tree = re.compile(alternation(names, suffix))
    assert _spans(tree, text) == _spans(_flat(names, suffix), text), tree.pattern


def test_order_decides_between_names_that_both_match() -> None:
    """The flat form takes the first name that matches, not the longest: so does the tree."""
    assert re.compile(alternation(["Ars", "Ars Electronica"])).match(
        "Ars Electronica").group() == "Ars"
    assert re.compile(alternation(["Ars Electronica", "Ars"])).match(
        "Ars Electronica").group() == "Ars Electronica"
    assert re.compile(alternation(["ab", "a"], "c")).match("ac").group() == "ac"
    assert re.compile(alternation(["a", "ab"], "c")).match("abc").group() == "a"  # a|abc


def test_no_names_is_an_error() -> None:
    with pytest.raises(ValueError, match="no names"):
        alternation([])


def test_corpus_gazetteer(corpus_path: Path) -> None:
    """The gazetteer of the corpus (over a thousand names): the same matches in every
    profile as the flat alternation, which the build used before."""
    profiles = list({id(p): p for p in load_profiles(corpus_path).values()}.values())
    found = {n: mention_links.find_candidates(p.text, mention_links._about(p))
             for n, p in enumerate(profiles)}
    names = sorted(mention_links._gazetteer(found), key=len, reverse=True)
    assert len(names) > 1000
    tree = re.compile(alternation(names, _LOOKAHEAD))
    flat = _flat(names, _LOOKAHEAD)
    matched = 0
    for profile in profiles:
        spans = _spans(tree, profile.text)
        assert spans == _spans(flat, profile.text), profile.city
        matched += len(spans)
    assert matched > 1000
