"""gold_scores.py: the report scores the mentions the build finds, read once with the themes.

gold_report reads the corpus once for the theme gold and the mentions both; its mention
scores must equal those of mention_eval.corpus_mentions (which reads the corpus itself and
links the mentions as the build does), part by part. Given what a build found in the same
profiles (its rules' names by profile text, its pledges' themes), it finds the same scores
without extracting again.
"""

from __future__ import annotations

from pathlib import Path

from ccgraph.extract import read_sources
from ccgraph.extract.mention_eval import corpus_mentions, load_gold, score_mentions
from ccgraph.extract.mention_links import Found, link_mentions
from ccgraph.gold_scores import GOLD_DIR, gold_report, mention_dir
from ccgraph.themes import KnownThemes, load_default_rules


def test_report_scores_the_mentions_of_the_corpus(corpus_path: Path) -> None:
    report = gold_report(corpus_path)
    found = corpus_mentions(corpus_path)
    assert sum(len(m) for m in found.values()) > 1000
    parts = [p.name for p in sorted(GOLD_DIR.glob("mentions/*")) if p.is_dir()]
    assert "development" in parts
    for part in parts:
        assert report["mentions"][part] == score_mentions(
            load_gold(mention_dir(part)), found), part
    assert report["themes"]["development"]["pledges"] > 300


def test_report_takes_what_the_build_found(corpus_path: Path) -> None:
    """As build.mention_quality calls it: the rules' names and the themes the build found are
    used (not found again) and the report is the one made from scratch."""
    fresh = gold_report(corpus_path)
    extracted = read_sources([corpus_path])
    candidates: Found = {}
    link_mentions(extracted.profiles, candidates)
    assert len(candidates) == len(extracted.profiles)
    themes = KnownThemes(load_default_rules())
    for profile in extracted.profiles:
        for pledge in profile.pledges:
            themes(pledge.span.text)
    asked = len(themes)
    assert gold_report(corpus_path, candidates=candidates, themes=themes) == fresh
    assert len(themes) == asked  # every gold pledge was a pledge the build had themed
    # the names handed over are the ones scored: without them, nothing is found
    emptied: Found = {key: [] for key in candidates}
    blind = gold_report(corpus_path, candidates=emptied)
    assert blind["mentions"]["development"]["overall"]["tp"] == 0
    assert fresh["mentions"]["development"]["overall"]["tp"] > 500
    # themes of other rules are not taken
    other = KnownThemes([])
    assert gold_report(corpus_path, themes=other)["themes"] == fresh["themes"]
    assert len(other) == 0
