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
_PART = re.compile(r"\b(?:mots?|termes?|lettres?|words?|letters?)\b|\b(?:le|la|the) [a-z]\b", re.I)


def meaning_asked(core: str) -> str:
    """The glossary acronym whose meaning `core` asks for, "" when it asks none, asks about
    one of its words, or names several acronyms (« ESS ou SCIC ? » is two questions)."""
    typed = typed_acronyms(core)  # (« ami » is a friend, « AMI » a call)
    if _PART.search(core) or len(typed) != 1:
        return ""
    m = _MEANING.search(core)
    said = next((g for g in m.groups() if g), "").upper() if m else ""
    return said if said in typed else ""


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
