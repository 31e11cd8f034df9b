"""Near-duplicate passages across profiles: pledges (or descriptions) of two cities whose
words are the same, or almost, once the city names are set aside.

The similarity of two passages, a number from 0 to 1, is computed in three steps:

1. **Normalise** each text: Unicode NFKD with diacritics stripped; every name of a network
   city, where the text writes it capitalised (``Leiria``, ``Llíria's``, ``Santiago de Cali``),
   becomes the word ``city``, so that a copy with the city name swapped scores as a copy (and
   one that forgot to swap it, too); lower case; the words are the runs of ``[a-z0-9]``.
2. **Align** the two word lists with the Ratcliff/Obershelp algorithm (Python's
   :class:`difflib.SequenceMatcher`, no junk heuristic): the longest run of words the two
   share, then recursively the longest runs left and right of it. With ``M`` the number of
   words in those runs, the similarity is ``2M / (len(a) + len(b))``: 1 for the same words
   in the same order, lower the more words are inserted, deleted or replaced. The pair is
   always aligned in the order of its keys, so the score does not depend on the input order.
3. **Keep** the pairs of passages of two different cities, of the same kind, whose similarity
   is at least :data:`THRESHOLD`.

The threshold comes from the data (``docs/near-duplicates.md`` has the histogram): over the
whole network's pledges, similarities fall off steadily from 0 to 0.8, no pair scores between
0.8 and 0.85, and the pairs above 0.85 are copies (word for word, or with a word or three
changed); just below sit pledges that share a formula of the network (cooperation with the
other Creative Cities of the field) but say different things.

Only pairs that share a word bigram are aligned, and of those only the ones that the two
bounds of :func:`_may_reach` do not rule out; neither step can drop a pair that reaches a
threshold above 0.8 (see there), so the result is the same as aligning every pair.
"""

from __future__ import annotations

import difflib
import math
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from ..literal_alternation import alternation

#: Pairs at or above this similarity are near-duplicates (chosen from the data, see above).
THRESHOLD = 0.85
#: The quality report's histogram counts the pairs from this similarity up (one bin below
#: the threshold, which the data leaves empty: a pair landing there is worth a look).
HISTOGRAM_FLOOR = 0.8
#: Width of a histogram bin.
BIN = 0.05
#: The word a city's name becomes.
CITY_WORD = "city"
#: Kinds of passages, in the order reports list them.
KINDS = ("pledge", "description")

_WORD = re.compile(r"[a-z0-9]+")

Normaliser = Callable[[str], list[str]]


@dataclass(frozen=True)
class Passage:
    """A piece of a profile: ``key`` identifies it (the IRI of a commitment, a span...),
    ``kind`` says what it is (pledge, description), ``city`` whose it is: passages of one city
    are never paired with each other."""

    key: str
    kind: str
    city: str
    text: str


@dataclass(frozen=True)
class NearDuplicate:
    """Two passages of two cities with a similarity at or above the threshold; ``a.key`` sorts
    before ``b.key``."""

    a: Passage
    b: Passage
    similarity: float


@dataclass
class DuplicateReport:
    pairs: list[NearDuplicate]
    threshold: float
    passages: dict[str, int]  # kind -> passages compared
    candidates: int  # pairs of different cities sharing a word bigram
    aligned: int  # candidates aligned (the others cannot reach the histogram floor)
    floor: float = HISTOGRAM_FLOOR
    histogram: dict[str, int] = field(default_factory=dict)  # bin start -> pairs in the bin
    seconds: float = 0.0

    def summary(self) -> dict[str, object]:
        """How the search went, as plain data for the quality report (the pairs aside)."""
        return {
            "method": "word alignment (Ratcliff/Obershelp) after folding case, accents and "
                      "city names; see docs/near-duplicates.md",
            "threshold": self.threshold,
            "passages": self.passages,
            "candidate_pairs": self.candidates,
            "aligned_pairs": self.aligned,
            "histogram_from": self.floor,
            "histogram": self.histogram,
            "seconds": round(self.seconds, 3),
        }


def fold(text: str) -> str:
    """NFKD with combining marks removed (``Llíria`` -> ``Lliria``); case is kept."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normaliser(city_names: Iterable[str]) -> Normaliser:
    """A function text -> normalised words, that replaces each of ``city_names`` (matched
    case-sensitively after folding, whole words, longest name first) with ``city``."""
    names = sorted({fold(n).strip() for n in city_names if n.strip()}, key=lambda n: (-len(n), n))
    # the names as a tree (literal_alternation.py): the same matches as the flat alternation
    # of the names in this order, without trying each of the hundreds of names at each place
    pattern = re.compile(r"(?<!\w)(?:" + alternation(names) + r")(?!\w)") if names else None

    def words(text: str) -> list[str]:
        folded = fold(text)
        if pattern is not None:
            folded = pattern.sub(f" {CITY_WORD} ", folded)
        return _WORD.findall(folded.lower())

    return words


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """``2M / (len(a) + len(b))``, M the words of the Ratcliff/Obershelp alignment; 0 for two
    empty lists. Order matters (rarely) to the alignment: callers pass a canonical order."""
    if not a and not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _bigrams(words: Sequence[str]) -> Counter[tuple[str, ...]]:
    """Word bigrams with their counts; a one-word text is its own 'bigram'."""
    if len(words) == 1:
        return Counter([(words[0],)])
    return Counter(pairwise(words))


def _int_bigrams(texts: Sequence[Sequence[str]]) -> list[Counter[int]]:
    """:func:`_bigrams` of each text, every bigram written as one integer (hashed and
    compared much faster than a pair of words), in the order of the word pairs: the words
    are numbered from 1 in sorted order, and ``(a, b)`` is ``a * (V + 1) + b``, a one-word
    text's ``(a,)`` is ``a * (V + 1)``, V the number of words."""
    vocabulary = sorted({word for words in texts for word in words})
    number = {word: n for n, word in enumerate(vocabulary, start=1)}
    width = len(vocabulary) + 1
    out: list[Counter[int]] = []
    for words in texts:
        ids = [number[w] for w in words]
        if len(ids) == 1:
            out.append(Counter([ids[0] * width]))
        else:
            out.append(Counter([a * width + b for a, b in pairwise(ids)]))
    return out


def _occurrences(kinds: Sequence[str], grams: Sequence[Counter[int]]) -> list[list[int]]:
    """Each passage's bigram occurrences ``(kind, bigram, n)`` (n from 0 to the bigram's
    count less one) as integers that sort as those tuples do: ``(kind number * B + bigram)
    * N + n``, the kinds numbered in sorted order, B above every bigram, N above every n."""
    kind_number = {kind: n for n, kind in enumerate(sorted(set(kinds)))}
    above_gram = max((max(bag) for bag in grams if bag), default=0) + 1
    above_n = max((max(bag.values()) for bag in grams if bag), default=0) + 1
    out: list[list[int]] = []
    for kind, bag in zip(kinds, grams, strict=True):
        base = kind_number[kind] * above_gram
        out.append([(base + gram) * above_n + n for gram, count in bag.items()
                    for n in range(count)])
    return out


def _may_reach(shared: int, la: int, lb: int, floor: float) -> bool:
    """Whether an alignment of word lists of lengths ``la``, ``lb`` that share ``shared``
    bigram occurrences (the size of the multiset intersection) can reach ``floor``.

    Let the alignment have ``k`` runs holding ``M`` words and ``U = la + lb - 2M`` words
    outside them. Runs are never adjacent in both lists, so ``k - 1 <= U``; a run of ``n``
    words holds ``n - 1`` bigrams found in both lists, so ``M - k <= shared``. Hence
    ``3M <= shared + la + lb + 1``, and the similarity ``2M / (la + lb)`` is at most
    ``2 (shared + la + lb + 1) / 3 (la + lb)``. Also ``M <= min(la, lb)``. With ``shared = 0``
    every run is one word long and the similarity is at most ``2k / (3k - 1) <= 0.8`` for
    ``k >= 2`` (``k = 1``: two identical one-word texts, which share their one-word 'bigram'),
    which is why only pairs sharing a bigram are candidates.
    """
    total = la + lb
    return 2 * min(la, lb) >= floor * total and 2 * (shared + total + 1) >= 3 * floor * total


def _needed(length: int, floor: float) -> int:
    """The fewest bigram occurrences a passage of ``length`` words shares with any passage
    it may reach ``floor`` with (at least 1): :func:`_may_reach` needs
    ``shared >= (la + lb)(3 floor / 2 - 1) - 1``, and its length bound gives
    ``la + lb >= 2 la / (2 - floor)``."""
    bound = 2 * length * (1.5 * floor - 1) / (2 - floor) - 1
    return max(1, math.ceil(bound - 1e-9))


def find_near_duplicates(passages: Iterable[Passage], city_names: Iterable[str],
                         threshold: float = THRESHOLD,
                         floor: float = HISTOGRAM_FLOOR) -> DuplicateReport:
    """Every pair of passages of the same kind and two different cities whose similarity is
    at least ``threshold``, most similar first (then by keys); with the histogram of the
    similarities of the pairs sharing a word bigram, from ``floor`` up (every bin, empty or
    not). The threshold must be above 0.8 (see :func:`_may_reach`).

    Candidates are found with a prefix filter (Chaudhuri, Ganti and Kaushik 2006): the
    bigram occurrences of each passage are ordered rarest first, and two passages that must
    share ``t`` of them for the pair to reach the floor share one among the first
    ``n - t + 1`` of each (``n`` its occurrences, ``t`` from :func:`_needed`); only those
    first ones are indexed. So no pair that can reach the floor is missed, and the common
    bigrams ("of the") never make pairs."""
    if not 0.8 < threshold <= 1 or not 2 / 3 < floor <= 1:
        raise ValueError("the threshold must lie in (0.8, 1] (below, pairs that share no word "
                         "bigram could qualify, and the candidate search would miss them), "
                         "the histogram floor in (2/3, 1]")
    started = time.perf_counter()
    words_of = normaliser(city_names)
    unique = {p.key: p for p in passages}
    items = sorted(unique.values(), key=lambda p: p.key)
    words = [words_of(p.text) for p in items]
    low = min(threshold, floor)
    grams = _int_bigrams(words)
    # each bigram occurrence (kind, bigram, n: its n-th occurrence in the passage) as one
    # integer, in the same order as those tuples (see _occurrences)
    occurrences = _occurrences([p.kind for p in items], grams)
    frequency: Counter[int] = Counter()
    for mine in occurrences:
        frequency.update(mine)
    counts: Counter[str] = Counter(p.kind for p, w in zip(items, words, strict=True) if w)
    index: dict[int, list[int]] = defaultdict(list)
    candidates: set[tuple[int, int]] = set()
    rarity = frequency.__getitem__
    for i, mine in enumerate(occurrences):
        if not mine:
            continue
        mine.sort()
        mine.sort(key=rarity)  # stable: rarest first, then in the order of the tuples
        prefix = mine[:max(0, len(mine) - _needed(len(words[i]), low) + 1)]
        for element in prefix:
            for j in index[element]:
                if items[j].city != items[i].city:
                    candidates.add((j, i))
            index[element].append(i)
    bins = {_bin(b * BIN): 0 for b in range(int(floor / BIN + 1e-9), int(1 / BIN) + 1)}
    pairs: list[NearDuplicate] = []
    aligned = 0
    keys = [frozenset(bag) for bag in grams]
    repeated = [{g: n for g, n in bag.items() if n > 1} for bag in grams]
    for i, j in sorted(candidates):
        la, lb = len(words[i]), len(words[j])
        if 2 * min(la, lb) < low * (la + lb):  # the length bound alone rules it out
            continue
        # the size of the multiset intersection: each bigram both hold once, plus what
        # the bigrams both hold more than once add
        shared = len(keys[i] & keys[j])
        if repeated[i] and repeated[j]:
            more = repeated[j]
            shared += sum(min(n, more[g]) - 1 for g, n in repeated[i].items() if g in more)
        if not _may_reach(shared, la, lb, low):
            continue
        aligned += 1
        score = similarity(words[i], words[j])
        if score >= floor:
            bins[_bin(score)] += 1
        if score >= threshold:
            pairs.append(NearDuplicate(items[i], items[j], round(score, 3)))
    pairs.sort(key=lambda p: (-p.similarity, p.a.kind, p.a.key, p.b.key))
    return DuplicateReport(
        pairs=pairs, threshold=threshold,
        passages={k: counts[k] for k in sorted(counts, key=_kind_order)},
        candidates=len(candidates), aligned=aligned, floor=floor, histogram=bins,
        seconds=time.perf_counter() - started)


def _bin(score: float) -> str:
    """The histogram bin of a score: ``"0.85"`` for 0.85 <= score < 0.90, ``"1.00"`` for 1."""
    start = min(int(score / BIN + 1e-9), int(1 / BIN)) * BIN
    return f"{start:.2f}"


def _kind_order(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), kind)
