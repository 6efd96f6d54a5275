"""What became of a project since the guide: a question the guide cannot answer when all it
says of that project is that it is planned.

The guide is a snapshot (March 2025). « La Maison des Artistes a ouvert quand finalement ? »
or « qui gère finalement le garage solidaire ? » ask what happened to something the guide
only shows as studied or sought (« Deux projets sont à l'étude », « en recherchant un porteur
de projet »): answering with those lines would read as if they answered. A question on what
the guide states as done (« Emergence a-t-elle finalement été reconnue ? ») is answered.

    >>> asks_status("La Maison des Artistes, elle a ouvert quand finalement ?")
    True
    >>> asks_status("Le garage solidaire a-t-il ouvert ses portes ?")
    True
    >>> asks_status("Place Albert 1er : les travaux ont-ils commencé ?")
    True
    >>> asks_status("Notre projet a finalement débouché sur un PTCE. Comment faire ?")
    False
    >>> only_planned(["Deux projets sont à l'étude : la Maison des Artistes."], {"artist"})
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ..search.analysis import analyze
from .question import asked_part

# What became of it: « finalement » in the sentence that asks, « a-t-il ouvert ? », « les
# travaux ont-ils commencé ? », « what became of… ? »
_STATUS = re.compile(
    r"\bfinalement\b|"
    r"\b(?:a-t-(?:il|elle|on)|ont-(?:ils|elles))\s+(?:finalement\s+|d[ée]j[àa]\s+|bien\s+)?"
    r"(?:ouvert|abouti|vu le jour|commenc[ée]|d[ée]marr[ée]|[ée]t[ée] (?:r[ée]alis|construit|"
    r"ouvert|inaugur|achev|termin)\w*)|"
    r"\bouvert ses portes\b|\bwhat became of\b|\bhas it (?:opened|started|been built)\b|"
    r"\bdid it (?:open|happen|start)\b|\bhave (?:the )?works? started\b",
    re.I,
)

# What the guide says of a thing it shows as planned or sought, not done.
_PLANNED = re.compile(
    r"\b(?:[àa] l['’][ée]tude|en recherchant|recherch\w* (?:un|d['’]un) porteur|envisag\w*|"
    r"pr[ée]vu\w*|[àa] venir|under study)\b",
    re.I,
)


def asks_status(core: str) -> bool:
    """Does the sentence that asks ask what became of something?"""
    return bool(_STATUS.search(asked_part(core)))


def only_planned(
    lines: Iterable[str], focus: set[str], weight: Callable[[str], float] = lambda t: 1.0
) -> bool:
    """Is every line most about the question's `focus` one that shows it as planned?"""
    scored = []
    for line in lines:
        terms = set(analyze(line))
        scored.append((sum(weight(t) for t in focus & terms), line))
    best = max((s for s, _ in scored), default=0.0)
    about = [line for s, line in scored if s == best and s > 0]
    return bool(about) and all(_PLANNED.search(line) for line in about)
