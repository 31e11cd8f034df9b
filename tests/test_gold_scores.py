"""gold_scores.py: the report scores the mentions the build finds, read once with the themes.

gold_report reads the corpus once for the theme gold and the mentions both; its mention
scores must equal those of mention_eval.corpus_mentions (which reads the corpus itself and
links the mentions as the build does), part by part.
"""

from __future__ import annotations

from pathlib import Path

from ccgraph.extract.mention_eval import corpus_mentions, load_gold, score_mentions
from ccgraph.gold_scores import GOLD_DIR, gold_report, mention_dir


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
