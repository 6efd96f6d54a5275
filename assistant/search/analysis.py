"""French text analysis for lexical retrieval: words, elisions, stop words, stemming, folding.

`analyze(text)` is the one entry point: lower-case, split into words, drop elided articles
(l', d', qu'…), drop stop words, stem with the Snowball French stemmer (PyStemmer), then
fold accents, so "Économique", "economiques" and "économie" meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Snowball's French stop word list (snowballstem.org/algorithms/french/stop.txt), plus the
# question words and English function words that carry no topic in a user's question.
_SNOWBALL_FR = """
au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me même
mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton
tu un une vos votre vous c d j l à m n s t y été étée étées étés étant étante étants étantes
suis es est sommes êtes sont serai seras sera serons serez seront serais serait serions seriez
seraient étais était étions étiez étaient fus fut fûmes fûtes furent sois soit soyons soyez
soient fusse fusses fût fussions fussiez fussent ayant ayante ayantes ayants eu eue eues eus ai
as avons avez ont aurai auras aura aurons aurez auront aurais aurait aurions auriez auraient
avais avait avions aviez avaient eut eûmes eûtes eurent aie aies ait ayons ayez aient eusse
eusses eût eussions eussiez eussent
"""
_QUESTION_FR = """
quel quelle quels quelles quoi comment pourquoi combien quand où est-ce qu'est-ce cela ça
peut peuvent faut dit dire sont estce cest quest
koi kwa kel kelle kels kelles quesque keske kesako késako pk pq pourkoi ya qqn svp stp
vers chez entre depuis pendant selon parmi envers afin donc alors aussi très
lequel laquelle lesquels lesquelles duquel desquels auquel auxquels
"""
_ENGLISH = """
the a an of to in on for and or is are was were be been what which who whom how why when where
does do did can could should would will with by about from this that these those it its as at
there here any anything anyone some something someone me my we our us i you your they them their
he she his her have has had get give tell know want like need just also more most other than
then so if not no yes all much many only useful really please thanks hello hi am into out up
"""
STOP_WORDS = frozenset((_SNOWBALL_FR + _QUESTION_FR + _ENGLISH).split())

_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)['’`´]", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Économique' -> 'economique'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Lower-cased words with elisions removed; hyphenated words are also split into parts."""
    text = _ELISION.sub(" ", unicodedata.normalize("NFKC", text).casefold())
    out: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group()
        if "-" in word:
            out.extend(part for part in word.split("-") if part)
        else:
            out.append(word)
    return out


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: the Snowball algorithms compiled

    return Stemmer.Stemmer("french")


# Words whose Snowball stem is another word's in this field: « collectivités » and
# « collecte » both stem to "collect", « communes » and « en commun » to "commun".
_OWN_STEM = {
    "collectivité": "collectivit",
    "collectivités": "collectivit",
    "commune": "commune",
    "communes": "commune",
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    own = _OWN_STEM.get(word)
    return own if own else fold(_stemmer().stemWord(word))


def analyze(text: str) -> list[str]:
    """Index terms of `text`: words minus stop words, stemmed and accent-folded."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS and fold(w) not in STOP_WORDS]
