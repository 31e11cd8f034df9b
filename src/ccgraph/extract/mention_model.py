"""A learned decision over the rules' candidates: keep a name, change its kind, or drop it.

The rules (:mod:`.mentions`, :mod:`.mention_context`, the gazetteer of :mod:`.mention_links`)
propose *candidates*; so does rule ``run`` (a run of two capitalised words or more that no
rule named). Each candidate is described by a few dozen token features (its words, its first
and last word, the words just before and after it, its shape, the rule and the kind the rule
proposed, whether it is a place) and an averaged perceptron over those features chooses one of
``none``, ``facility``, ``event`` or ``organisation``. The weights are learned from the gold
sets by ``scripts/train_mention_model.py`` (:func:`train`) and shipped as
``extract/mention_weights.json``: single words and word pairs with numbers, never the profiles'
sentences. The decision is deterministic; :func:`explain` names the features that weighed
most for it (``ccgraph explain-mention``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files
from pathlib import Path

from ..records import Mention
from . import mention_lexicon as lex
from .mention_places import is_place

#: the decisions: drop the candidate, or keep it as one of the three kinds
CLASSES: tuple[str, ...] = ("none", "facility", "event", "organisation")
#: how many passes over the training candidates
EPOCHS = 12
_CONTEXT = 3


def model_path() -> Path:
    """The shipped weights (``src/ccgraph/extract/mention_weights.json``, in the wheel)."""
    return Path(str(files("ccgraph.extract") / "mention_weights.json"))


def _words(text: str) -> list[str]:
    return [w.strip("“”\"«»„‘’´'()") for w in text.split() if w.strip("“”\"«»„‘’´'()")]


def _shape(word: str) -> str:
    if word.isupper() and len(word) > 1:
        return "AA"
    if word[:1].isupper():
        return "Aa"
    if word[:1].isdigit():
        return "9"
    return "a" if word[:1].isalpha() else "."


def features(text: str, mention: Mention) -> list[str]:
    """The features of one candidate: strings, each true for it."""
    words = _words(mention.label)
    low = [w.casefold() for w in words]
    before = text[max(0, mention.span.start - 60):mention.span.start].split()[-_CONTEXT:]
    after = text[mention.span.end:mention.span.end + 60].split()[:_CONTEXT]
    prev = [w.casefold() for w in before]
    nxt = [w.casefold() for w in after]
    feats = ["bias", f"rule={mention.rule}"]
    if mention.rule not in ("run", "join"):
        feats += [f"kind={mention.kind}", f"rule+kind={mention.rule}|{mention.kind}",
                  f"subtype={mention.subtype}"]
    if low:
        feats += [f"first={low[0]}", f"last={low[-1]}", f"suffix={low[-1][-4:]}",
                  f"shape={''.join(_shape(w) for w in words[:4])}"]
        feats += [f"word={w}" for w in low]
    feats.append(f"len={min(len(words), 6)}")
    feats.append(f"prev={prev[-1] if prev else '^'}")
    if len(prev) >= 2:
        feats.append(f"prev2={prev[-2]} {prev[-1]}")
    feats.append(f"next={nxt[0] if nxt else '$'}")
    if nxt and nxt[0][:1].isalpha() and nxt[0].islower():
        feats.append(f"next-lower={nxt[0].strip('.,;:')}")
    if any(c in mention.span.text for c in "“”\"«»"):
        feats.append("quoted")
    if mention.aliases:
        feats.append("has-alias")
    if words and words[-1] in lex.HEADS:
        feats.append(f"head-last={lex.HEADS[words[-1]][0]}")
    heads = [lex.HEADS[w][0] for w in words if w in lex.HEADS]
    feats.append(f"heads={min(len(heads), 3)}")
    if len(set(heads)) > 1:
        feats.append("mixed-heads")
    if any(w in ("and", "&") for w in low):
        feats.append(f"and|rule={mention.rule}")
        cut = next(n for n, w in enumerate(low) if w in ("and", "&"))
        left, right = words[:cut], words[cut + 1:]
        left_head = any(w in lex.HEADS for w in left)
        right_head = any(w in lex.HEADS for w in right)
        feats.append(f"and-heads={int(left_head)}{int(right_head)}")
        feats.append(f"and-left-ends-head={bool(left) and left[-1] in lex.HEADS}")
        feats.append(f"and-right-len={min(len(right), 4)}")
        feats.append(f"and-right-first={_shape(right[0]) if right else '-'}")
    if is_place(mention.label):
        feats.append("place")
    if words and is_place(words[0]):
        feats.append("first-place")
    return feats


@dataclass(frozen=True)
class Model:
    """Averaged weights: feature -> class -> weight."""

    weights: dict[str, dict[str, float]]

    def scores(self, feats: Iterable[str]) -> dict[str, float]:
        totals = dict.fromkeys(CLASSES, 0.0)
        for feat in feats:
            for cls, w in self.weights.get(feat, {}).items():
                totals[cls] += w
        return totals

    def decide(self, feats: Iterable[str]) -> str:
        totals = self.scores(feats)
        return max(CLASSES, key=lambda cls: (totals[cls], -CLASSES.index(cls)))


def train(examples: Sequence[tuple[list[str], str]], epochs: int = EPOCHS) -> Model:
    """An averaged multi-class perceptron over ``(features, class)`` examples, in the
    examples' order (deterministic)."""
    weights: dict[str, dict[str, float]] = {}
    totals: dict[str, dict[str, float]] = {}
    stamps: dict[tuple[str, str], int] = {}
    step = 0
    current = Model(weights)

    def bump(feat: str, cls: str, delta: float) -> None:
        w = weights.setdefault(feat, {})
        t = totals.setdefault(feat, {})
        last = stamps.get((feat, cls), 0)
        t[cls] = t.get(cls, 0.0) + (step - last) * w.get(cls, 0.0)
        stamps[(feat, cls)] = step
        w[cls] = w.get(cls, 0.0) + delta

    for _ in range(epochs):
        for feats, gold in examples:
            step += 1
            guess = current.decide(feats)
            if guess != gold:
                for feat in feats:
                    bump(feat, gold, 1.0)
                    bump(feat, guess, -1.0)
    averaged: dict[str, dict[str, float]] = {}
    for feat, w in weights.items():
        row = {}
        for cls, value in w.items():
            total = totals[feat].get(cls, 0.0) + (step - stamps[(feat, cls)]) * value
            avg = round(total / step, 4) if step else 0.0
            if avg:
                row[cls] = avg
        if row:
            averaged[feat] = row
    return Model(averaged)


def save(model: Model, path: Path) -> None:
    """Write the weights as JSON (sorted: the same model gives the same file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"classes": list(CLASSES), "weights": dict(sorted(model.weights.items()))}
    path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0) + "\n",
                    encoding="utf-8")


def load(path: Path) -> Model:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Model({f: {c: float(v) for c, v in row.items()} for f, row in data["weights"].items()})


@cache
def shipped_model() -> Model | None:
    """The shipped model, or None when none has been trained (the rules decide alone)."""
    path = model_path()
    return load(path) if path.is_file() else None


#: the rules that only propose readings for the model (dropped when there is no model)
PROPOSALS = frozenset({"run", "split", "join"})


def decide(text: str, mentions: Sequence[Mention], model: Model | None) -> list[Mention]:
    """The candidates the model keeps, with the kind it chose (subtype dropped when the kind
    changed); of overlapping ones, the one the model is surest of (its best kind's score
    above "none"). Without a model, the rules' mentions (proposals dropped)."""
    if model is None:
        return [m for m in mentions if m.rule not in PROPOSALS]
    chosen: list[tuple[float, int, Mention]] = []
    for n, mention in enumerate(mentions):
        totals = model.scores(features(text, mention))
        cls = max(CLASSES, key=lambda c: (totals[c], -CLASSES.index(c)))
        if cls == "none":
            continue
        if cls != mention.kind:
            mention = replace(mention, kind=cls, subtype=None)
        chosen.append((totals[cls] - totals["none"], n, mention))
    kept: list[tuple[int, Mention]] = []
    for _, n, mention in sorted(chosen, key=lambda c: (-c[0], c[1])):
        if not any(m.span.start < mention.span.end and mention.span.start < m.span.end
                   for _, m in kept):
            kept.append((n, mention))
    return [m for _, m in sorted(kept, key=lambda pair: pair[0])]


def explain(text: str, mention: Mention, model: Model | None, top: int = 4) -> str:
    """The model's decision for a candidate and the features that weighed most for it."""
    if model is None:
        return "no model: the rule decides"
    feats = features(text, mention)
    cls = model.decide(feats)
    weighed = sorted(((model.weights.get(f, {}).get(cls, 0.0), f) for f in feats), reverse=True)
    named = ", ".join(f"{f} ({w:+.2f})" for w, f in weighed[:top] if w > 0)
    return f"model: {cls}, by {named or 'the bias'}"


__all__ = ["CLASSES", "Model", "decide", "explain", "features", "load", "model_path", "save",
           "shipped_model", "train"]
