"""Users' misspellings mended against the words the guide and the cards use, before a
question is read: « comant un departemnt peu financé lanimation dun ptce » -> « comment un
departement peu financé l’animation d’un ptce ».

A word is mended only when it is in lower case (a capitalised word may be a name the guide
never uses, and the guard must see it as typed), the guide does not use it, it is not a
French word in its own right (wordfreq's frequency list: « prétendre », « droit »,
« acheteur » stay as they are) and exactly one word the guide uses is close to it. Glued
elisions (« lanimation », « dun », « lami ») are split when what follows the letter is a
word the guide uses. Only French questions are mended.

    >>> speller = Speller(frozenset({"departement", "animation", "ami"}), lambda w: False)
    >>> speller.mend("comment un departemnt peut aider lanimation de lami")
    'comment un departement peut aider l’animation de l’ami'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from functools import lru_cache

from .analysis import STOP_WORDS, fold

CUTOFF = 0.84  # difflib ratio a word of the guide must reach to replace an unknown word
MIN_LENGTH = 4  # shorter words are left as typed (« ki », « sa »: too many neighbours)
COMMON = 2.5  # wordfreq Zipf frequency from which a word is French in its own right
_WORD = re.compile(r"(?<![\w'’-])[a-zà-öø-ÿ]+(?![\w'’-])")
_ELIDED = re.compile(r"^(?:l|d|qu|j|n|s)(?=[aeiouyhéèêàâîôû])")


class Speller:
    def __init__(self, known: frozenset[str], is_french: Callable[[str], bool] | None = None):
        """`known`: folded words (the guide's, the cards', the synonyms'); `is_french`: is a
        word French in its own right (by default, wordfreq's list)."""
        self.words = known  # what may follow a glued elision (« lanimation »)
        self.known = known | {fold(w) for w in STOP_WORDS}
        self.is_french = is_french or french_word
        self._by_length: dict[int, list[str]] = {}
        for word in self.known:
            if len(word) >= MIN_LENGTH and word.isalpha():
                self._by_length.setdefault(len(word), []).append(word)

    def mend(self, text: str) -> str:
        """`text` with its misspelt lower-case words replaced by the guide's closest word."""
        return _WORD.sub(lambda m: self._word(m.group()), text)

    def _word(self, word: str) -> str:
        folded = fold(word)
        if folded in self.known:
            return word
        if self.is_french(word):  # « jour », « légalement »: as typed
            return word
        elided = _ELIDED.match(folded)
        rest = fold(word[elided.end() :]) if elided else ""
        if (len(rest) >= 3 and rest in self.words) or rest in ("un", "une"):
            return f"{word[: elided.end()]}’{word[elided.end() :]}"
        if len(folded) < MIN_LENGTH:
            return word
        return self._closest(folded) or word

    @lru_cache(maxsize=4096)  # noqa: B019 — one speller per pipeline, kept for its life
    def _closest(self, folded: str) -> str | None:
        pool = [
            w for n in range(len(folded) - 2, len(folded) + 3) for w in self._by_length.get(n, [])
        ]
        best = difflib.get_close_matches(folded, pool, n=2, cutoff=CUTOFF)
        if not best:
            return None
        if len(best) == 2 and _ratio(folded, best[0]) == _ratio(folded, best[1]):
            return None  # two words as close: do not guess
        return best[0]


@lru_cache(maxsize=8192)
def french_word(word: str) -> bool:
    """Is `word` common enough in French to be meant as typed?"""
    from wordfreq import zipf_frequency  # 0.2 s the first time: only when a word is unknown

    return zipf_frequency(word, "fr", wordlist="small") >= COMMON


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()
