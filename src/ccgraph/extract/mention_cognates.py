"""Head nouns of one family: a word spelled as a known head in another language of naming.

The head lexicon (:mod:`.mention_lexicon`) lists words; an unseen profile writes the same
head in a spelling the list lacks ("Teatru" beside "Teatro", "Bibliothek" beside
"Biblioteca", "Fundación" beside "Foundation", "Festiwal" beside "Festival"). A capitalised
word that is not a head itself is read as the head it is a *cognate* of when, after folding
the spellings that vary across the languages of naming (accents, "th", "ph", "qu", "k",
"w", "y", "z", "ou", "lh", doubled "s", "c", "t", "l", and "-tion" / "-ción" / "-ção" /
"-zione"), it is that head, or differs from it only in a final vowel or two or in "-er" /
"-re", after a common stem of five letters or more. A plural ("Museums") or an adjective
("Academic", "Orchestral") ends in a consonant the head lacks, and an adverb ("Biennially")
or a word that is the head cut short ("Factor") is never read as a head
(docs/annotation.md, round 8).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from . import mention_lexicon as lex

_FOLD = (("ph", "f"), ("th", "t"), ("qu", "c"), ("k", "c"), ("w", "v"), ("y", "i"),
         ("z", "s"), ("ou", "u"), ("lh", "l"), ("œ", "oe"), ("æ", "ae"))

_cache: dict[tuple[int, int], dict[str, list[tuple[str, tuple[str, str]]]]] = {}


@lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """The word with the spellings that vary across languages of naming folded:
    "Théâtre" -> "teatre", "Theater" -> "teatre", "Bibliothek" -> "bibliotec"."""
    low = word.casefold()
    for a, b in _FOLD[-2:]:
        low = low.replace(a, b)
    low = "".join(c for c in unicodedata.normalize("NFKD", low)
                  if not unicodedata.combining(c))
    for a, b in _FOLD[:-2]:
        low = low.replace(a, b)
    low = _DOUBLE.sub(r"\1", low)  # "Associazione", "Asociación"
    for a, b in _ENDINGS:
        if low.endswith(a):
            return low[: -len(a)] + b
    return low


_DOUBLE = re.compile(r"([sctl])\1")
#: the one ending of a family written several ways: "-tion", "-ción", "-ção", "-zione"
_ENDINGS = (("tion", "cion"), ("cao", "cion"), ("sione", "cion"), ("cione", "cion"),
            ("ao", "on"))


def _table() -> dict[str, list[tuple[str, tuple[str, str]]]]:
    """Folded heads by their first three letters (rebuilt when the lexicon changes)."""
    key = (len(lex.HEADS), lex.HEADS_EDITS[0])
    table = _cache.get(key)
    if table is None:
        table = {}
        for word, found in lex.HEADS.items():
            if len(word) >= 5 and " " not in word and not word.isupper():
                folded = fold(word)
                table.setdefault(folded[:3], []).append((folded, found))
        _cache.clear()
        _cache[key] = table
        _answers.clear()
    return table


#: cognate_head's answers by word, for the table of the lexicon as it is (cleared with it)
_answers: dict[str, tuple[str, str] | None] = {}


def cognate_head(word: str) -> tuple[str, str] | None:
    """The (kind, subtype) of the head that ``word`` (capitalised, not itself a head) is a
    spelling of in another language of naming, or None."""
    if (len(word) < 5 or not word[0].isupper() or word.isupper() or not word.isalpha()
            or word.endswith("ly")):
        return None  # "Biennially": an adverb
    table = _table()
    if word in _answers:
        return _answers[word]
    folded = fold(word)
    answer = next((found for stem, found in table.get(folded[:3], ())
                   if folded == stem or _same_family(folded, stem)), None)
    _answers[word] = answer
    return answer


def _same_family(a: str, b: str) -> bool:
    """A folded word ``a`` that differs from the folded head ``b`` only in a final vowel or
    two ("teatro", "teatre"; "laboratorio", "laboratori"), or in "-er"/"-re" ("teater",
    "teatre"), after a common stem of five letters or more; never a word that is the head
    cut short ("factor" of "factori")."""
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    if p < 5:
        return False
    tails = {a[p:], b[p:]}
    if not a[p:] and (b[p:] not in ("a", "e", "o") or len(a) < 7):
        return False  # "Factor" of "Factory", "Commit" of "Comité": another word (but
        # "Philharmonic" is "Filarmonica" without its final vowel)
    return tails == {"er", "re"} or all(len(t) <= 2 and set(t) <= _VOWELS for t in tails)


_VOWELS = frozenset("aeiou")


__all__ = ["cognate_head", "fold"]
