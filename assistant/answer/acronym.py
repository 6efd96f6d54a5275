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
"""

from __future__ import annotations

import re

from ..schema import Chunk
from ..search.acronyms import GLOSSARY, typed_acronyms
from ..search.analysis import fold

_MEANING = re.compile(
    r"\b(?:veu(?:t|lent) dire|signifi(?:e|ent)|d[ée]sign(?:e|ent)|"
    r"(?:sigle|acronyme|abr[ée]viation) de quoi|stands? for|means?|meaning|spelled out|"
    r"short for)\b",
    re.I,
)

# A part of the acronym is asked about (« le mot territorial dans PTCE », « le T de PTCE »).
# (« l'hybridation des ressources dans la définition des PTCE » asks what « hybridation » is)
_PART = re.compile(
    r"\b(?:mots?|termes?|lettres?|words?|letters?)\b|\b(?:le|la|the) [a-z]\b|"
    r"(?:\b(?:dans|de|des|du|in|of) |\bd['’])(?:l['’]acronyme |le sigle |the acronym )?"
    r"(?:ptce|ess|scic|epci|ami|acte|cress|rtes|qpv)s?\b",
    re.I,
)


def meaning_asked(core: str) -> str:
    """The glossary acronym whose meaning `core` asks for, "" when it asks none or names
    several (« ESS ou SCIC ? » is two questions)."""
    if not _MEANING.search(core) or _PART.search(core):
        return ""
    named = typed_acronyms(core)
    return named.pop() if len(named) == 1 else ""


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
