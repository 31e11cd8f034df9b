"""An honest estimate of the mention extractor: k-fold cross-validation by profile.

The development gold profiles (and the demoted ones of :data:`GROUPS`, wherever they are
filed; never a profile still held out) are cut into ``k`` folds by their
position in index order (profile ``n`` of the sorted gold files is in fold ``n % k``). For
each fold, the model (:mod:`.mention_model`) is trained on the candidates of the other folds'
profiles only, applied to the whole corpus (the linking of one name per entity reads every
profile), and scored on the fold's profiles; the folds' counts are summed. The rules alone
learn nothing from the gold, so their cross-validated score is their plain score; what tells
how much they were fitted to the profiles they were written on is the score of the profiles
that were held out last (:data:`GROUPS`: annotated blind, scored once, then demoted).

``by_field``: leave-one-field-out instead (:func:`field_split`): each fold is one creative
field, learned on the six others. Profiles of one field share their words (festivals in
Music, publishers in Literature), so this is the nearer estimate of profiles nobody tuned on
(docs/annotation.md, round 7). :func:`rule_counts` counts right and false names per rule and
field: a rule that is right only in the fields it was written on shows there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..records import Mention, Profile
from . import mention_lexicon as lex
from .mention_eval import Gold, gold_class, load_gold, load_profiles, score_mentions
from .mention_heads import head_suffix
from .mention_links import corpus_candidates, decide_and_link
from .mention_model import Model, features, train
from .mentions import normalise_label

#: corpus indexes of the profiles held out last, by round (annotated blind, scored once,
#: then demoted to development: docs/annotation.md)
GROUPS: dict[str, frozenset[int]] = {
    "held-out 3": frozenset((
        13, 19, 25, 38, 49, 51, 54, 63, 71, 72, 79, 82, 110, 116, 118, 129, 143, 152, 160, 170,
        173, 186, 190, 193, 207, 229, 251, 267, 269, 275, 288, 304, 306, 310, 312, 317, 327,
        332, 335, 353)),
    "held-out 4": frozenset((
        9, 15, 16, 21, 24, 37, 41, 56, 64, 69, 76, 77, 87, 89, 98, 106, 117, 122, 141, 155, 156,
        161, 166, 169, 198, 205, 218, 227, 231, 237, 241, 247, 260, 264, 287, 301, 311, 328,
        330, 338)),
    "held-out 5": frozenset((
        4, 10, 20, 35, 42, 57, 68, 102, 103, 111, 112, 113, 139, 144, 148, 157, 162, 167, 174,
        175, 176, 184, 204, 209, 215, 238, 250, 254, 255, 263, 265, 283, 291, 294, 302, 325,
        331, 339, 345, 350)),
}
FOLDS = 5


class Corpus:
    """The parsed corpus, its candidates (found once) and the gold profiles on it."""

    def __init__(self, corpus: Path, golds: Sequence[Gold]) -> None:
        by_index = load_profiles(corpus)
        self.profiles: list[Profile] = list({id(p): p for p in by_index.values()}.values())
        self.candidates = corpus_candidates(self.profiles)
        position = {id(p): n for n, p in enumerate(self.profiles)}
        self.slot = {index: position[id(p)] for index, p in by_index.items()}
        self.golds: list[Gold] = sorted(golds, key=lambda g: g.index)

    def examples(self, golds: Sequence[Gold]) -> list[tuple[list[str], str]]:
        """Training examples: every candidate of the gold profiles and its gold class."""
        out: list[tuple[list[str], str]] = []
        for gold in golds:
            profile = self.profiles[self.slot[gold.index]]
            for mention in self.candidates[self.slot[gold.index]]:
                out.append((features(profile.text, mention), gold_class(gold, mention)))
        return out

    def found(self, model: Model | None) -> dict[int, list[Mention]]:
        """Every gold profile's mentions as ``model`` decides them (None: rules alone)."""
        decide_and_link(self.profiles, self.candidates, model)
        return {g.index: self.profiles[self.slot[g.index]].mentions for g in self.golds}

    def train(self, golds: Sequence[Gold] | None = None) -> Model:
        return train(self.examples(self.golds if golds is None else golds))


def development_golds(root: Path | None = None) -> list[Gold]:
    """The gold profiles the estimate may read: the development folder, and those of the
    held-out folder that were demoted (:data:`GROUPS`); never a profile still held out."""
    from ..gold_scores import GOLD_DIR, mention_dir

    root = GOLD_DIR if root is None else root
    demoted = frozenset().union(*GROUPS.values())
    golds = load_gold(mention_dir("development", root))
    have = {g.index for g in golds}
    heldout = mention_dir("heldout", root)
    if heldout.is_dir():
        golds += [g for g in load_gold(heldout) if g.index in demoted and g.index not in have]
    return golds


def fold_split(golds: Sequence[Gold], folds: int, fold: int) -> tuple[list[Gold], list[Gold]]:
    """(training, test) profiles of one fold: profile ``n`` in index order is in fold
    ``n % folds``."""
    ordered = sorted(golds, key=lambda g: g.index)
    return ([g for n, g in enumerate(ordered) if n % folds != fold],
            [g for n, g in enumerate(ordered) if n % folds == fold])


def fields_of(golds: Sequence[Gold]) -> list[str]:
    """The creative fields of the gold profiles, sorted (one fold each with ``by_field``)."""
    return sorted({g.field for g in golds})


def field_split(golds: Sequence[Gold], field: str) -> tuple[list[Gold], list[Gold]]:
    """(training, test) profiles of a leave-one-field-out fold: ``field`` is tested."""
    ordered = sorted(golds, key=lambda g: g.index)
    return ([g for g in ordered if g.field != field], [g for g in ordered if g.field == field])


def rule_counts(golds: Sequence[Gold],
                found: dict[int, list[Mention]]) -> dict[str, dict[str, dict[str, int]]]:
    """Right (``tp``) and false (``fp``) names per rule, over all profiles (``"all"``) and
    per field: ``{rule: {"all" | field: {"tp", "fp"}}}``, matched as :func:`score_mentions`
    matches them."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for gold in golds:
        matched: set[int] = set()
        for mention in found[gold.index]:
            key = normalise_label(mention.label)
            hit = next((n for n, (kind, keys, _) in enumerate(gold.entries)
                        if n not in matched and kind == mention.kind and key in keys), None)
            if hit is not None:
                matched.add(hit)
            row = out.setdefault(mention.rule, {})
            for group in ("all", gold.field):
                cell = row.setdefault(group, {"tp": 0, "fp": 0})
                cell["tp" if hit is not None else "fp"] += 1
    return out


def format_rule_counts(counts: dict[str, dict[str, dict[str, int]]]) -> str:
    """One line per rule: right / false names over all, then per field."""
    fields = sorted({f for row in counts.values() for f in row} - {"all"})
    lines = ["names per rule, right / false (all, then per field)",
             f"{'rule':<16}{'all':>9}" + "".join(f"{f[:10]:>12}" for f in fields)]
    for rule, row in sorted(counts.items(), key=lambda item: -item[1]["all"]["tp"]):
        cells = [row.get(f, {"tp": 0, "fp": 0}) for f in ("all", *fields)]
        text = [f"{c['tp']} / {c['fp']}" for c in cells]
        lines.append(f"{rule:<16}{text[0]:>9}" + "".join(f"{t:>12}" for t in text[1:]))
    return "\n".join(lines)


#: how :func:`head_support` names a head ending ("-haus") beside the head words
SUFFIX_MARK = "-"


def head_support(golds: Sequence[Gold],
                 found: dict[int, list[Mention]]) -> dict[str, set[str]]:
    """Head noun -> the fields of the development profiles where a right name holds it. A
    word that ends in a head (:func:`~.mention_heads.head_suffix`: "Literaturhaus") counts
    for its ending, named ``"-haus"``: endings are learned like head words."""
    out: dict[str, set[str]] = {}
    for gold in golds:
        for mention in found[gold.index]:
            if gold_class(gold, mention) != mention.kind:
                continue
            for word in mention.span.text.replace("“", " ").replace("”", " ").split():
                if word in lex.HEADS:
                    out.setdefault(word, set()).add(gold.field)
                elif (suffix := head_suffix(word)) is not None:
                    out.setdefault(SUFFIX_MARK + suffix, set()).add(gold.field)
    return out


@contextmanager
def without_heads(words: Iterable[str]) -> Iterator[None]:
    """The head lexicon without ``words`` (head words, and endings named ``"-ending"``) for
    the time of the block (restored after)."""
    saved = dict(lex.HEADS)
    saved_suffixes, saved_compounds = lex.SUFFIX_HEADS, lex.COMPOUND_HEADS
    try:
        words = set(words)
        for word in words:
            lex.HEADS.pop(word, None)
        endings = {w.removeprefix(SUFFIX_MARK) for w in words if w.startswith(SUFFIX_MARK)}
        lex.SUFFIX_HEADS = tuple(e for e in lex.SUFFIX_HEADS if e[0] not in endings)
        lex.COMPOUND_HEADS = tuple(e for e in lex.COMPOUND_HEADS if e[0] not in endings)
        lex.HEADS_EDITS[0] += 1
        yield
    finally:
        lex.HEADS.clear()
        lex.HEADS.update(saved)
        lex.HEADS_EDITS[0] += 1
        lex.SUFFIX_HEADS, lex.COMPOUND_HEADS = saved_suffixes, saved_compounds


def lexicon_field_estimate(data: Corpus) -> dict[str, dict[str, dict[str, float]]]:
    """The rules with their head lexicon learned leave-one-field-out: each field is scored
    without the head nouns that name right names only in that field's profiles (a head
    that only one field's profiles use was, as far as the development set can tell, learned
    from them; on unseen profiles other rare heads take its place). Scores per kind of
    "all" and of each field; the corpus's candidates are found again per field (slow)."""
    plain = data.found(None)
    support = head_support(data.golds, plain)
    totals: dict[str, dict[str, Any]] = {"all": {}}
    for field in fields_of(data.golds):
        only_here = [w for w, fields in support.items() if fields == {field}]
        with without_heads(only_here):
            candidates = corpus_candidates(data.profiles)
            decide_and_link(data.profiles, candidates, None)
            found = {g.index: data.profiles[data.slot[g.index]].mentions for g in data.golds}
        part = score_mentions([g for g in data.golds if g.field == field], found)
        _add(totals["all"], part)
        totals[field] = {}
        _add(totals[field], part)
    data.found(None)  # the profiles' mentions as the whole lexicon finds them again
    return {name: _rates(counts) for name, counts in totals.items()}


def _add(total: dict[str, Any], part: dict[str, Any]) -> None:
    for kind, counts in part["kinds"].items():
        row = total.setdefault(kind, {"tp": 0, "fp": 0, "fn": 0})
        for key in ("tp", "fp", "fn"):
            row[key] += counts[key]


def _rates(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, float]]:
    rows = dict(counts)
    rows["overall"] = {k: sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn")}
    out: dict[str, dict[str, float]] = {}
    for kind, c in rows.items():
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        out[kind] = {**c, "precision": tp / (tp + fp) if tp + fp else 1.0,
                     "recall": tp / (tp + fn) if tp + fn else 1.0}
    return out


def cross_validate(data: Corpus, folds: int = FOLDS, learned: bool = True,
                   by_field: bool = False) -> dict[str, dict[str, dict[str, float]]]:
    """Scores per kind of every group ("all", then :data:`GROUPS`; with ``by_field`` each
    field too), each gold profile scored by a model trained without its fold
    (``learned=False``: the rules alone). ``by_field``: one fold per field
    (:func:`field_split`), ``folds`` unused."""
    fields = fields_of(data.golds)
    splits = ([field_split(data.golds, f) for f in fields] if by_field
              else [fold_split(data.golds, folds, fold) for fold in range(folds)])
    groups = dict(GROUPS)
    if by_field:
        groups.update({f: frozenset(g.index for g in data.golds if g.field == f)
                       for f in fields})
    totals: dict[str, dict[str, Any]] = {name: {} for name in ("all", *groups)}
    for training, test in splits:
        model = data.train(training) if learned else None
        found = data.found(model)
        for name in totals:
            part = [g for g in test if name == "all" or g.index in groups[name]]
            _add(totals[name], score_mentions(part, found))
    return {name: _rates(counts) for name, counts in totals.items()}


def format_cv(before: dict[str, Any], after: dict[str, Any], folds: int = FOLDS,
              by_field: bool = False) -> str:
    """Rules alone beside rules + model, per group and kind: precision / recall."""
    how = ("leave-one-field-out cross-validation" if by_field
           else f"{folds}-fold cross-validation by profile")
    lines = [f"named mentions, {how}: precision / recall",
             f"{'group':<12}{'kind':<14}{'rules alone':>16}{'rules + model':>16}"]
    for group in before:
        if not before[group]:
            continue  # no gold profile of the group (a gold set without it)
        for kind in ("facility", "event", "organisation", "overall"):
            b, a = before[group][kind], after[group][kind]
            lines.append(f"{group[:11]:<12}{kind:<14}"
                         f"{b['precision']:>8.3f} / {b['recall']:.3f}"
                         f"{a['precision']:>8.3f} / {a['recall']:.3f}")
    return "\n".join(lines)


def cv_report(corpus: Path, folds: int = FOLDS, gold_root: Path | None = None,
              by_field: bool = False) -> str:
    """The cross-validated table of the development gold profiles of ``gold_root`` (default:
    the shipped gold sets) on ``corpus`` (``by_field``: leave one field out), and the
    rules' right and false names per rule and field."""
    data = Corpus(corpus, development_golds(gold_root))
    before = cross_validate(data, folds, learned=False, by_field=by_field)
    after = cross_validate(data, folds, by_field=by_field)
    out = (f"{len(data.golds)} gold profiles\n" + format_cv(before, after, folds, by_field)
           + "\n\n" + format_rule_counts(rule_counts(data.golds, data.found(None))))
    if by_field:
        lexicon = lexicon_field_estimate(data)
        out += "\n\nrules, head nouns learned leave-one-field-out: precision / recall\n"
        out += "\n".join(
            f"{group[:11]:<12}{kind:<14}{row['precision']:>8.3f} / {row['recall']:.3f}"
            for group, rows in lexicon.items() for kind, row in rows.items()
            if group == "all" or kind == "overall")
    return out


__all__ = ["FOLDS", "GROUPS", "SUFFIX_MARK", "Corpus", "cross_validate", "cv_report",
           "development_golds", "field_split", "fields_of", "fold_split", "format_cv",
           "format_rule_counts", "head_support", "lexicon_field_estimate", "rule_counts",
           "without_heads"]
