"""What an acronym stands for, in the guide's own words.

« Dans ce guide, ESS désigne quoi ? », « RTES ça veut dire quoi », « What does ESS stand
for? » ask for the spelled-out form, not for a card on the topic. When the question asks
what one acronym of the field's glossary means and the corpus spells it out, the answer is
that spelling, cited where the corpus writes it:

>>> meaning_asked("Que veut dire ESS ?")
'ESS'
>>> meaning_asked("C'est quoi l'ESS ?")  # what it is, not what the letters stand for
''
>>> meaning_asked("Que désigne le mot « territorial » dans PTCE ?")  # one of its words
''
>>> meaning_asked("Quelles sont les 4 dimensions du sigle PTCE ?")  # what it is made of
''
>>> meaning_asked("Qui désigne les membres de la CRESS ?")  # « désigne », of something else
''
"""

from __future__ import annotations

import re

from ..schema import Chunk
from ..search.acronyms import GLOSSARY, typed_acronyms
from ..search.analysis import fold

_ACR = "|".join(sorted(GLOSSARY, key=len, reverse=True))
_ARTICLE = r"(?:le sigle |l['’]acronyme |l['’]abr[ée]viation |the acronym |the abbreviation )?"
_ARTICLE += r"(?:l['’]|le |la |les |un |une )?"
# The acronym is what the verb of meaning is about (« que veut dire ESS ? », « RTES ça veut
# dire quoi », « ACTE, c'est l'abréviation de quoi ? », « what does SCIC stand for? »), not
# « qui désigne les membres de la CRESS ? » nor « what means does the RTES have? ».
_MEANING = re.compile(
    rf"(?:veu(?:t|lent) dire|signifi(?:e|ent)|d[ée]sign(?:e|ent))\s+{_ARTICLE}(?P<a>{_ACR})s?\b"
    rf"(?!\s+(?:de|du|des|d['’]|dans|in|of)\b)"
    rf"|\b(?P<b>{_ACR})s?\b[\s,]*(?:[çc]a\s+|cela\s+|il\s+|elle\s+)?"
    r"(?:veut dire|signifie|d[ée]signe|c['’]est l['’]abr[ée]viation de|c['’]est le sigle de)\s+quoi"
    rf"|\bwhat (?:does|do) {_ARTICLE}(?P<c>{_ACR})s? (?:stand for|mean)\b"
    rf"|\b(?P<d>{_ACR})s? stands? for\b|\bmeaning of {_ARTICLE}(?P<e>{_ACR})\b",
    re.I,
)

# A part of the acronym is asked about (« le mot territorial dans PTCE », « le T de PTCE »).
_PART = re.compile(
    r"\b(?:mots?|termes?|(?<!toutes )lettres?|words?|letters?)\b|\b(?:le|la|the) [a-z]\b", re.I
)


def meaning_asked(core: str) -> str:
    """The glossary acronym whose meaning `core` asks for, "" when it asks none, asks about
    one of its words, or names several acronyms (« ESS ou SCIC ? » is two questions)."""
    typed = typed_acronyms(core)  # (« ami » is a friend, « AMI » a call)
    if _PART.search(core) or len(typed) != 1:
        return ""
    m = _MEANING.search(core)
    said = next((g for g in m.groups() if g), "").upper() if m else ""
    return said if said in typed else ""


# Asked in full, of one or more acronyms: « SRADDET et SRDEII, c'est quoi les sigles en
# entier ? », « ADLC en toutes lettres ? », « what's the full name of the CAHC? »
_IN_FULL = re.compile(
    r"\b(?:en entier|en toutes lettres|en clair|d[ée]velopp[ée]e?s?|in full|spelled out|"
    r"full (?:name|form)|stands? for|c['’]est quoi comme sigle|sigle de quoi)\b",
    re.I,
)
# An acronym as the user types it: the glossary's, or two capitals or more (« COORACE »,
# « ADDs »), not a word typed in capitals for emphasis at the start of a sentence
_TYPED = re.compile(rf"\b(?:(?i:{_ACR})|[A-Z][A-Z]+[a-z]?)\b")


# « la Région nous parle du dispositif ACTE. Que signifie ce sigle ? »: the one said before
_THIS_ONE = re.compile(r"\b(?:ce sigle|cet acronyme|cette abr[ée]viation|this acronym)\b", re.I)


def meanings_asked(core: str, text: str = "") -> list[str]:
    """Every acronym whose spelled-out form `core` asks for: one asked with a verb of
    meaning (« COORACE ça veut dire quoi ? », « que veut dire SCIC ? »), or all those it
    names when it asks for them in full (« SRADDET et SRDEII en entier ? »); [] otherwise.

    >>> meanings_asked("COORACE ça veut dire quoi en fait ?")
    ['COORACE']
    >>> meanings_asked("SRADDET et SRDEII, c'est quoi les sigles en entier ?")
    ['SRADDET', 'SRDEII']
    >>> meanings_asked("C'est quoi l'ESS ?")
    []
    >>> meanings_asked("Que signifie ce sigle ?", "On nous parle d'ACTE. Que signifie ce sigle ?")
    ['ACTE']
    """
    if _PART.search(core):
        return []
    if _THIS_ONE.search(core) and not _TYPED.search(core):
        before = text[: text.find(core)] if core in text else text
        said = [m.group(0) for m in _TYPED.finditer(before)]
        core = _THIS_ONE.sub(said[-1], core) if said else core
    m = _MEANING_ANY.search(core)
    if m:
        return [_upper(next(g for g in m.groups() if g))]
    if _IN_FULL.search(core):
        return list(dict.fromkeys(_upper(m.group(0)) for m in _TYPED.finditer(core)))
    return []


def _upper(token: str) -> str:
    """« ami » typed as a glossary acronym keeps the glossary's spelling; « ADDs » its own."""
    return token.upper() if token.upper() in GLOSSARY else token


_ANY = rf"(?:{_ACR}|(?-i:[A-Z][A-Z]+[a-z]?))"
_MEANING_ANY = re.compile(_MEANING.pattern.replace(f">{_ACR})", f">{_ANY})"), re.I)


def spelled_form(acronym: str, chunks: list[Chunk]) -> tuple[Chunk, str] | None:
    """The passage that spells `acronym` out and its words: in the glossary's words, or
    the words in brackets before or after it whose initials it is (« Ateliers de la
    citoyenneté (ADLC) », « Association Développement Durable Solidaire (ADDs) »)."""
    if acronym in GLOSSARY:
        found = spelled_out(acronym, chunks)
        if found is not None:
            return found
    letters = fold(acronym)
    before = re.compile(rf"([^()]{{0,160}})\(\s*{re.escape(acronym)}\s*\)")
    after = re.compile(rf"\b{re.escape(acronym)}\s*\(([^()]{{3,160}})\)")
    for chunk in chunks:
        for m in before.finditer(chunk.text):
            words = list(re.finditer(r"[^\W\d_]+", m.group(1)))
            for k in range(1, min(len(words), 12) + 1):
                if letters in _initials([fold(w.group(0)) for w in words[-k:]]):
                    return chunk, m.group(1)[words[-k].start() :].strip()
        for m in after.finditer(chunk.text):
            words = list(re.finditer(r"[^\W\d_]+", m.group(1)))
            for k in range(1, min(len(words), 12) + 1):
                if letters in _initials([fold(w.group(0)) for w in words[:k]]):
                    return chunk, m.group(1)[: words[k - 1].end()].strip()
    return None


_SMALL = frozenset(
    [
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "l",
        "d",
        "pour",
        "une",
        "un",
        "et",
        "a",
        "au",
        "aux",
        "en",
    ]
)


def _initials(words: list[str]) -> set[str]:
    """The initials of `words`, with and without their small words (« Ateliers de la
    citoyenneté »: « adlc » and « ac »)."""
    return {"".join(w[0] for w in words), "".join(w[0] for w in words if w not in _SMALL)}


def spelled_out(acronym: str, chunks: list[Chunk]) -> tuple[Chunk, str] | None:
    """The first passage that spells `acronym` out, and the words it uses (« Pôles
    Territoriaux de Coopération Economique » for the glossary's « pôle territorial de
    coopération économique »: a word may end otherwise, in the plural)."""
    words = fold(GLOSSARY[acronym]).split()
    pattern = re.compile(
        r"\b" + r"[\s'’-]+".join(re.escape(w[: max(2, len(w) - 2)]) + r"\w*" for w in words) + r"\b"
    )
    for chunk in chunks:
        folded = fold(chunk.text)
        if len(folded) != len(chunk.text):  # a ligature: positions would not match
            continue
        m = pattern.search(folded)
        if m:
            return chunk, chunk.text[m.start() : m.end()]
    return None
