"""How hard a patient text is to read: SMOG and the Flesch-Kincaid grade, offline.

Patient materials should read at about US school grade 6 to 8 (AMA, NIH and
CDC guidance); SIJ Desk holds every text a patient receives to SMOG <= 8 and
Flesch-Kincaid grade <= 7 (tests/documents/test_readability.py uses this).

Counted as textstat 0.7.3 counts (that release needs ``pkg_resources``, which
current setuptools no longer ship, and later releases fetch a dictionary from
the network, so the counting is done here with the same parts):

- words: the text split at white space once punctuation is removed (a
  hyphenated word or a number is one word);
- syllables: pyphen's en_US hyphenation points plus one, per word;
- polysyllables: words of three syllables or more;
- sentences: split at ``.``, ``!`` and ``?``, and at the end of every line, so
  that a heading or one line of a list is a sentence of its own, as a reader
  takes it; a piece of two words or fewer is not counted (as textstat).

The formulas, without rounding in between:

- Flesch-Kincaid grade (Kincaid et al. 1975):
  0.39 x words per sentence + 11.8 x syllables per word - 15.59
- SMOG grade (McLaughlin 1969, as textstat): 1.043 x sqrt(30 x polysyllables /
  sentences) + 3.1291; for fewer than 3 sentences the text is too short to
  grade and SMOG is 0.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

SMOG_LIMIT = 8.0
GRADE_LIMIT = 7.0

_PUNCTUATION = re.compile(r"[^\w\s]")
_SENTENCE = re.compile(r"[^.!?\n]+")


@functools.lru_cache(maxsize=1)
def _dictionary():
    import pyphen

    return pyphen.Pyphen(lang="en_US")


def words(text: str) -> list[str]:
    return _PUNCTUATION.sub("", text).split()


@functools.lru_cache(maxsize=8192)
def syllables(word: str) -> int:
    """Syllables of one word (punctuation already removed)."""
    return len(_dictionary().positions(word.lower())) + 1


def sentences(text: str) -> list[str]:
    """The text's sentences: split at . ! ? and line ends; pieces of two words or
    fewer (a list marker, a lone number) are left out."""
    return [s.strip() for s in _SENTENCE.findall(text) if len(words(s)) > 2]


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    syllables: int
    polysyllables: int

    @property
    def grade(self) -> float:
        """The Flesch-Kincaid grade level."""
        if not self.words:
            return 0.0
        return (
            0.39 * self.words / max(1, self.sentences) + 11.8 * self.syllables / self.words - 15.59
        )

    @property
    def smog(self) -> float:
        """The SMOG grade; 0 for a text of fewer than 3 sentences."""
        if self.sentences < 3:
            return 0.0
        return 1.043 * math.sqrt(30 * self.polysyllables / self.sentences) + 3.1291

    @property
    def words_per_sentence(self) -> float:
        return self.words / max(1, self.sentences)

    def within_limits(self) -> bool:
        return self.smog <= SMOG_LIMIT and self.grade <= GRADE_LIMIT


def measure(text: str) -> Readability:
    counted = [syllables(word) for word in words(text)]
    return Readability(
        words=len(counted),
        sentences=len(sentences(text)),
        syllables=sum(counted),
        polysyllables=sum(1 for n in counted if n >= 3),
    )


def hardest_sentences(text: str, count: int = 3) -> list[str]:
    """The sentences that raise the grade most: long ones with long words."""

    def cost(sentence: str) -> float:
        found = measure(sentence)
        return 0.39 * found.words + 11.8 * found.syllables / max(1, found.words) * found.words / 10

    return sorted(sentences(text), key=cost, reverse=True)[:count]
