"""The learned pledge-theme methods that scripts/theme_cv.py measures (issue 13 item 4).

One logistic regression per theme over a pledge's stemmed words (``w:``), neighbouring word
pairs (``p:``) and, for the stacked variant, the keyword rules' verdicts (``t:SLUG`` when a
pattern of that theme matches). Trained by plain stochastic gradient descent in a fixed order
from zero weights (an L2 penalty on every weight once an epoch), so the same rows give the same
model. Measured in round 7 and not adopted (docs/themes.md): nothing here is used by the build.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*")
_STOP = frozenset([
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "by", "as", "at",
    "from", "into", "its", "their", "our", "this", "that", "these", "those", "is", "are", "be",
    "been", "being", "will", "shall", "can", "would", "should", "it", "which", "who", "whom",
    "also", "such", "through", "between", "both", "all", "other", "more", "most", "well",
    "within", "across", "among", "via"])


def _stem(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: len(word) - len(suffix)] + repl
    return word


def text_features(text: str) -> list[str]:
    """Stemmed words (``w:``) and neighbouring pairs once stop words are left out (``p:``)."""
    stems = [_stem(w) for w in _TOKEN.findall(text.casefold()) if w not in _STOP]
    found = {f"w:{s}" for s in stems} | {f"p:{a}_{b}" for a, b in itertools.pairwise(stems)}
    return sorted(found)


def features(text: str, fired: Iterable[str]) -> list[str]:
    """The text's features and ``t:SLUG`` for every theme the keyword rules gave it."""
    return sorted({*text_features(text), *(f"t:{slug}" for slug in fired)})


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class ThemeWeights:
    """One theme's regression: bias, decision threshold and feature weights."""

    bias: float
    threshold: float
    weights: dict[str, float]

    def score(self, feats: Iterable[str]) -> float:
        return self.bias + sum(self.weights.get(f, 0.0) for f in feats)

    def probability(self, feats: Iterable[str]) -> float:
        return _sigmoid(self.score(feats))


@dataclass(frozen=True)
class ThemeModel:
    """Per-theme regressions, keyed by theme slug."""

    themes: dict[str, ThemeWeights]

    def probabilities(self, feats: Sequence[str]) -> dict[str, float]:
        return {slug: tw.probability(feats) for slug, tw in sorted(self.themes.items())}

    def decide_at(self, feats: Sequence[str], threshold: float) -> set[str]:
        """The themes whose probability reaches ``threshold``."""
        return {slug for slug, p in self.probabilities(feats).items() if p >= threshold}

    def decide(self, feats: Sequence[str]) -> set[str]:
        """The themes whose probability reaches their own threshold."""
        return {slug for slug, tw in self.themes.items()
                if tw.probability(feats) >= tw.threshold}


@dataclass(frozen=True)
class TrainOptions:
    """How a model is trained (the defaults are what scripts/theme_cv.py chose by CV)."""

    epochs: int = 25
    rate: float = 0.5
    l2: float = 0.01
    min_count: int = 2


def train(rows: Sequence[tuple[Sequence[str], frozenset[str]]], slugs: Sequence[str],
          options: TrainOptions = TrainOptions(), threshold: float = 0.5) -> ThemeModel:
    """Fit one regression per theme on (features, gold slugs) rows, deterministically.

    Features seen in fewer than ``options.min_count`` rows are left out. Stochastic gradient
    descent visits the rows in the given order every epoch, with a decaying rate and an L2
    penalty applied to every weight once an epoch."""
    counts = Counter(f for feats, _ in rows for f in set(feats))
    kept = [[f for f in feats if counts[f] >= options.min_count] for feats, _ in rows]
    weights: dict[str, dict[str, float]] = {s: {} for s in slugs}
    bias = dict.fromkeys(slugs, 0.0)
    for epoch in range(options.epochs):
        rate = options.rate / (1.0 + 0.2 * epoch)
        for feats, (_, want) in zip(kept, rows, strict=True):
            for slug in slugs:
                w = weights[slug]
                d = _sigmoid(bias[slug] + sum(w.get(f, 0.0) for f in feats)) - (slug in want)
                if d * d < 1e-8:
                    continue
                bias[slug] -= rate * d
                for f in feats:
                    w[f] = w.get(f, 0.0) - rate * d
        # the L2 penalty once an epoch, on every weight alike (a frequent feature is not
        # penalised more often than a rare one)
        shrink = max(0.0, 1.0 - rate * options.l2)
        for slug in slugs:
            weights[slug] = {f: v * shrink for f, v in weights[slug].items()}
    return ThemeModel({s: ThemeWeights(bias[s], threshold, weights[s]) for s in slugs})


def with_thresholds(model: ThemeModel, thresholds: dict[str, float]) -> ThemeModel:
    """The same model with other per-theme thresholds (themes not named keep theirs)."""
    return ThemeModel({s: ThemeWeights(tw.bias, thresholds.get(s, tw.threshold), tw.weights)
                       for s, tw in model.themes.items()})


def contributions(model: ThemeModel, slug: str, feats: Sequence[str],
                  n: int = 5) -> list[tuple[str, float]]:
    """The ``n`` features that pushed ``slug``'s score most (either way), largest first."""
    tw = model.themes[slug]
    found = [(f, tw.weights[f]) for f in feats if f in tw.weights]
    return sorted(found, key=lambda fw: (-abs(fw[1]), fw[0]))[:n]
