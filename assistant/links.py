"""The guide's own links in answers: "Pour aller plus loin : …".

A document's front matter `links` (title, url, covers) are recorded per document in the
index manifest. When the question asks for resources, links or where to learn more, or
when a cited passage comes from a "Pour aller plus loin" section, the answer ends with
the links of the cited documents (of every document when nothing is cited), those whose
title or description shares words with the question first. Pure functions, no I/O:

    >>> manifest = {"documents": {"g": {"links": [
    ...     {"title": "Le Labo de l'ESS — PTCE", "url": "https://www.lelabo-ess.org/ptce",
    ...      "covers": "Le site du Labo de l'ESS avec la Charte des PTCE"}]}}}
    >>> add_further_reading("Texte [1].", "Où lire la charte des PTCE ?", [], manifest)
    "Texte [1].\\n\\nPour aller plus loin : Le Labo de l'ESS — PTCE <https://www.lelabo-ess.org/ptce>."
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from .analysis import analyze
from .schema import Source

FURTHER_SECTION = "pour aller plus loin"
LABELS = {"fr": "Pour aller plus loin", "en": "Further reading"}
MAX_LINKS = 5

# Narrow on purpose: "en lien avec", "hybridation des ressources" or "financial resources"
# are about the topic, not a request for links.
_ASKS_FOR_RESOURCES = re.compile(
    r"\b(?:liens? (?:utiles?|internet|web|vers)|ressources? (?:utiles?|en ligne|documentaires?|"
    r"complémentaires?|pour (?:aller|en savoir))|sites? (?:web|internet)|quels? sites?|"
    r"en savoir plus|aller plus loin|plus d'(?:infos?|informations?)|"
    r"où (?:trouver|lire|consulter|s'informer|se renseigner|se documenter)|"
    r"se renseigner|se documenter|documentation|bibliographie|"
    r"learn more|read more|further reading|useful (?:links?|resources?)|websites?|"
    r"where (?:can|do|could|should) (?:i|we) (?:find|read|learn))\b",
    re.IGNORECASE,
)


def asks_for_resources(question: str) -> bool:
    """Does the question ask for links, resources or where to learn more?"""
    return bool(_ASKS_FOR_RESOURCES.search(question.replace("’", "'")))


def cites_further_reading(sources: Sequence[Source]) -> bool:
    """Does a cited passage come from a "Pour aller plus loin" section?"""
    return any(FURTHER_SECTION in s.section.casefold() for s in sources)


def links_by_document(manifest: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    """{doc_id: [link, …]} from an index manifest; links without a URL are left out."""
    out: dict[str, list[dict[str, str]]] = {}
    for doc_id, meta in (manifest.get("documents") or {}).items():
        links = meta.get("links") if isinstance(meta, Mapping) else None
        good = [
            {k: str(v or "") for k, v in link.items()}
            for link in links or ()
            if isinstance(link, Mapping) and str(link.get("url") or "").startswith("http")
        ]
        if good:
            out[str(doc_id)] = good
    return out


def further_reading(
    question: str,
    sources: Sequence[Source],
    links: Mapping[str, Sequence[Mapping[str, str]]],
    *,
    max_links: int = MAX_LINKS,
) -> list[Mapping[str, str]]:
    """The links worth showing for this question and these sources (none when not asked for).

    Links of the cited documents (of all documents when none is cited), without the pages
    already cited, without repeats. When the question names something a link is about
    ("la charte"), only the links that match it well; otherwise all, in the document's order.
    """
    if not (asks_for_resources(question) or cites_further_reading(sources)):
        return []
    cited_docs = list(dict.fromkeys(s.doc_id for s in sources if s.doc_id in links))
    docs = cited_docs or list(links)
    cited_urls = {_norm(s.url) for s in sources if s.url}
    candidates: dict[str, Mapping[str, str]] = {}
    for doc_id in docs:
        for link in links[doc_id]:
            key = _norm(link["url"])
            if key not in cited_urls and key not in candidates:
                candidates[key] = link
    order = list(candidates.values())
    scores = _match_scores(question, order)
    best = max(scores, default=0.0)
    if best > 0:  # the question names something: keep the links that match it well
        order = [link for link, score in zip(order, scores, strict=True) if score >= best / 2]
        scores = [score for score in scores if score >= best / 2]
    ranked = sorted(range(len(order)), key=lambda i: (-scores[i], i))
    return [order[i] for i in ranked[:max_links]]


def _match_scores(question: str, links: Sequence[Mapping[str, str]]) -> list[float]:
    """How well each link's title and description match the question: the idf-weighted
    (over these links) sum of the question's terms it contains, so a word every link
    shares ("PTCE") counts for little and a rare one ("charte") for much."""
    terms = set(analyze(question)) - _request_terms()
    bags = [set(analyze(f"{link.get('title', '')} {link.get('covers', '')}")) for link in links]
    n = len(bags)
    idf = {t: math.log((n + 1) / (1 + sum(t in bag for bag in bags))) for t in terms}
    return [sum(idf[t] for t in terms & bag) for bag in bags]


def format_further_reading(links: Sequence[Mapping[str, str]], lang: str = "fr") -> str:
    """One line: "Pour aller plus loin : Title <url> ; Title <url>." ("" when no links)."""
    if not links:
        return ""
    items = " ; ".join(f"{link.get('title') or link['url']} <{link['url']}>" for link in links)
    return f"{LABELS.get(lang, LABELS['fr'])} : {items}."


def add_further_reading(
    answer: str,
    question: str,
    sources: Sequence[Source],
    manifest: Mapping[str, Any],
    lang: str = "fr",
) -> str:
    """The answer text, followed by a "Pour aller plus loin" line when it is useful."""
    line = format_further_reading(
        further_reading(question, sources, links_by_document(manifest)), lang
    )
    return f"{answer}\n\n{line}" if line else answer


@lru_cache(maxsize=1)
def _request_terms() -> frozenset[str]:
    """Words of the request itself ("où trouver plus d'informations"), not of its topic."""
    return frozenset(
        analyze(
            "savoir plus information informations infos site sites web internet consulter "
            "trouver lire renseigner documenter ressources liens aller loin "
            "learn more read find resources links websites where"
        )
    )


def _norm(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/").casefold()
