"""The field's acronyms and their spelled-out forms, so either form finds the other.

Dense models miss "qu'est-ce qu'un PTCE" against a passage that says "Pôles Territoriaux de
Coopération Economique", and BM25 cannot match them either. `expand` appends the other
form of every acronym or long form found in a text; it is applied to passages at index
time and to questions at query time.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .analysis import analyze

# General vocabulary of French local public policy and the social and solidarity economy.
GLOSSARY: dict[str, str] = {
    "PTCE": "pôle territorial de coopération économique",
    "ESS": "économie sociale et solidaire",
    "SCIC": "société coopérative d'intérêt collectif",
    "EPCI": "établissement public de coopération intercommunale",
    "AMI": "appel à manifestation d'intérêt",
    "ACTE": "accélérateur de coopérations territoriales économiques",
    "CRESS": "chambre régionale de l'économie sociale et solidaire",
    "RTES": "réseau des collectivités territoriales pour une économie solidaire",
    "QPV": "quartiers prioritaires de la politique de la ville",
    "SRDEII": "schéma régional de développement économique, d'innovation et d'internationalisation",
    "SRADDET": "schéma régional d'aménagement, de développement durable et d'égalité des territoires",
    "POR": "programmes opérationnels régionaux",
    "DSP": "délégation de service public",
    "CPO": "convention pluriannuelle d'objectifs",
    "COPIL": "comité de pilotage",
    "MES": "mouvement pour une économie solidaire",
    "CAHC": "communauté d'agglomération d'hénin-carvin",
    "HDF": "hauts-de-france",
}


# Long forms are matched on analysed terms (stemmed, accent-folded, stop words removed), so
# singular and plural, "Economique" and "Économique" alike find them.
@lru_cache(maxsize=1)
def _long_form_terms() -> list[tuple[str, tuple[str, ...]]]:
    return [(acr, tuple(analyze(long))) for acr, long in GLOSSARY.items()]


_ACRONYM = re.compile(
    r"\b(" + "|".join(sorted(GLOSSARY, key=len, reverse=True)) + r")s?\b", re.IGNORECASE
)
# "ami", "acte", "mes"… are common words; only the upper-case form is the acronym.
_CASE_SENSITIVE = {"AMI", "ACTE", "MES", "POR", "CPO", "DSP"}


def _contains(terms: list[str], seq: tuple[str, ...]) -> bool:
    n = len(seq)
    return any(tuple(terms[i : i + n]) == seq for i in range(len(terms) - n + 1))


def typed_acronyms(text: str) -> set[str]:
    """The glossary acronyms `text` writes as acronyms (« ami » is a friend, « AMI » a call)."""
    found: set[str] = set()
    for match in _ACRONYM.finditer(text):
        token = match.group(1)
        key = token.upper()
        if key in _CASE_SENSITIVE and token != key:
            continue
        found.add(key)
    return found


def acronyms_in(text: str) -> list[str]:
    """Acronyms of the glossary present in `text`, by either form, in glossary order."""
    found = typed_acronyms(text)
    terms = analyze(text)
    for acr, seq in _long_form_terms():
        if seq and _contains(terms, seq):
            found.add(acr)
    return [acr for acr in GLOSSARY if acr in found]


def expand(text: str) -> str:
    """`text` followed by "(ACR : long form)" for every acronym found in either form."""
    found = acronyms_in(text)
    if not found:
        return text
    return text + "\n" + "; ".join(f"{acr} : {GLOSSARY[acr]}" for acr in found)
