"""Is a written sentence supported by the passages it cites? Content, not only numbers.

One check shared by the card checker (authoring time) and the LLM verifier (answer time):

- facts: every number, percentage, date, month and name of the sentence is in the evidence
  (`verify.missing_facts`);
- words: every content word of a French sentence (compared by stem, accents folded) is in
  the evidence, in the question, in a short list of connectives, or stands for a word of the
  evidence through `paraphrases` (`{"financer": ("financement", …)}`);
- restrictions: a negation or restriction the sentence states (« ne … pas », « sans »,
  « uniquement », « only », « without »…) must be stated by the evidence too, since
  « Les projets sont éligibles sans autofinancement » has no number and no name to catch.

    problems("Les projets sont éligibles sans autofinancement.", guide_passage)
        -> ["« sans »", "« eligibl »"]  (what the evidence does not support)

Everything is pure and works on strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from ..search.analysis import analyze, fold, stem

# Words that link or frame a claim without adding one (stems are compared).
CONNECTIVES = frozenset(
    analyze(
        """
    notamment également aussi ainsi donc alors enfin ensuite puis encore déjà toutefois
    cependant en effet par exemple exemple exemples autre autres plusieurs chaque tout tous
    toute toutes certains certaines différent différents différentes divers diverses
    principal principaux principale principales premier première deuxième troisième
    quatre cinq six deux trois sept huit dernier dernière ici là comme
    peut peuvent pouvoir pourra doit doivent permet permettent guide cite indique
    précise selon via afin lequel laquelle lesquels lesquelles dont
    oui non bien mieux plus moins très surtout sans être avoir faire fait entre
    cet cette celui celle ceux celles
    """
    )
)

# Paraphrases common enough to allow in any answer: `word: [words of the passage it may
# stand for]`. Projects add theirs (cards/paraphrases.yaml).
BUILTIN_PARAPHRASES: dict[str, tuple[str, ...]] = {
    "possible": ("peut", "peuvent", "pouvant", "permet"),
    "pouvoir": ("peut", "peuvent"),
    "plafonné": ("limitée", "limité", "maximum", "dépasser"),
    "limité": ("plafonné", "plafonnée", "maximum", "dépasser"),
    "dépasser": ("limitée", "limité", "plafonné", "plafonnée", "maximum"),
    "maximum": ("limitée", "limité", "plafonné", "plafonnée"),
    "verser": ("subvention", "financement", "verse"),
    "financer": ("financement", "subvention", "financé"),
    "financement": ("financer", "subvention", "financé"),
    "aide": ("soutien", "subvention", "aider", "soutenir"),
    "soutien": ("aide", "aider", "soutenir", "accompagnement"),
    "gérer": ("géré", "gestion"),
    "gestion": ("géré", "gérer"),
}
# A negated "exceed" restates a limit: « ne peut dépasser 40 % » = « limitée à 40 % ».
_LIMIT = re.compile(r"\b(?:limit\w*|plafonn\w*|maximum|au plus|jusqu['’]à)\b", re.I)
_NOT_EXCEED = re.compile(r"\bne\b(?:\s+\w+){0,2}\s+(?:d[ée]passer|exc[ée]der)\b", re.I)

# Restriction or negation markers, by kind; a kind in the sentence must be in the evidence.
_RESTRICTIONS = {
    "négation": re.compile(
        r"\bn(?:e\b|['’])(?:\s*\w++){0,4}?\s+(?:pas|plus|jamais|aucun|aucune|rien|guère)\b"
        r"|\b(?:not|never|no|none|nothing|cannot|can't|isn't|aren't|doesn't|don't)\b",
        re.I,
    ),
    "sans": re.compile(r"\b(?:sans|without)\b", re.I),
    "uniquement": re.compile(
        r"\b(?:uniquement|seulement|exclusivement|seuls?|seules?|only|solely|exclusively)\b"
        r"|\bne\b(?:\s+\w+){1,4}\s+que\b",
        re.I,
    ),
}


def restrictions(text: str) -> set[str]:
    """The kinds of negation or restriction `text` states."""
    return {kind for kind, pattern in _RESTRICTIONS.items() if pattern.search(text)}


def unsupported_words(
    sentence: str,
    evidence: str,
    *,
    question: str = "",
    paraphrases: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """The content words of `sentence` (stems) that neither the evidence, the question, the
    connectives nor a paraphrase of an evidence word account for."""
    have = _stems(evidence) | _stems(question) | CONNECTIVES
    merged = {**BUILTIN_PARAPHRASES}
    for word, targets in (paraphrases or {}).items():
        merged[word] = tuple(dict.fromkeys((*merged.get(word, ()), *targets)))
    alternatives = _paraphrase_stems(tuple(sorted(merged.items())))
    missing = []
    for term in dict.fromkeys(analyze(sentence)):
        if term in have or _is_number(term):
            continue
        if any(all(t in have for t in alt) for alt in alternatives.get(term, ())):
            continue
        missing.append(term)
    return missing


def problems(
    sentence: str,
    evidence: str,
    *,
    lang: str = "fr",
    question: str = "",
    paraphrases: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """What `evidence` does not support in `sentence`: facts, restrictions and (French)
    content words, each as it would be quoted to a reader. Empty when supported."""
    from .verify import missing_facts  # verify imports this module: import at call time

    out = list(missing_facts(sentence, evidence, lang=lang))
    stated = restrictions(evidence)
    if _NOT_EXCEED.search(sentence) and _LIMIT.search(evidence):
        stated = stated | {"négation"}
    out += sorted(f"« {kind} »" for kind in restrictions(sentence) - stated)
    if lang != "en":
        out += [
            f"« {w} »"
            for w in unsupported_words(
                sentence, evidence, question=question, paraphrases=paraphrases
            )
        ]
    return out


@lru_cache(maxsize=4096)
def _stems(text: str) -> frozenset[str]:
    return frozenset(analyze(text))


@lru_cache(maxsize=64)
def _paraphrase_stems(
    items: tuple[tuple[str, Sequence[str]], ...],
) -> dict[str, list[tuple[str, ...]]]:
    """{stem of a card word: [stems of each guide phrase it may stand for]}."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for word, targets in items:
        key = stem(fold(word))
        for target in targets:
            stems = tuple(analyze(str(target))) or (stem(fold(str(target))),)
            out.setdefault(key, []).append(stems)
    return out


def _is_number(term: str) -> bool:
    return bool(re.fullmatch(r"[\d.,]+", term))
