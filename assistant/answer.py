"""The extractive answerer: pick the guide's sentences that answer the question, keep them
verbatim, and put `[n]` after each one. No LLM, so nothing can be invented.

Each sentence of the retrieved chunks is scored by its cosine with the question, the
share of the question's terms it contains (idf-weighted), and its chunk's rank. The
best sentence's score is the answer's support; below `min_support` the answerer abstains.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .acronyms import expand
from .analysis import analyze
from .citations import number_sources
from .retrieve import Retrieval, Retriever
from .schema import Hit, Source

# Questions that ask for a quantity or a date prefer sentences that state one, and an
# answer that states none does not answer them (classic answer-type checking).
_ASKS_NUMBER = re.compile(
    r"\b(combien|montant|somme|pourcentage|taux|plafond|nombre|budget|quand|quelle année|en quelle|"
    r"depuis quand|date|délai|how much|how many|amount|percentage|rate|budget|when|what year|deadline)\b",
    re.IGNORECASE,
)
_ASKS_CONTACT = re.compile(r"\b(téléphone|telephone|phone|e-?mail|courriel|adresse postale|address)\b", re.I)
_CONTACT = re.compile(r"@|\b\d{2}(?:[ .]?\d{2}){4}\b")
_DIGIT = re.compile(r"\d")
_MARKDOWN = re.compile(r"\*\*|^\s*(?:[-*+]\s+|>\s*)", re.MULTILINE)

LEXICAL_WEIGHT = 0.15
RANK_WEIGHT = 0.02
NUMBER_BONUS = 0.02
KEEP_MARGIN = 0.05  # sentences within this of the best one are kept too
WINDOW_MARGIN = 0.12  # a neighbour or a number-bearing sentence may be this far below


@dataclass(frozen=True)
class Candidate:
    row: int  # sentence row in the index
    hit_rank: int  # rank of its chunk among the hits, from 0
    text: str
    dense: float
    coverage: float
    score: float


def coverage(query_terms: list[str], sentence_terms: set[str], idf: dict[str, float]) -> float:
    """idf-weighted share of the query's terms found in the sentence (0 when none).
    Terms the corpus never uses weigh as much as the rarest known term."""
    if not query_terms:
        return 0.0
    top = max(idf.values(), default=1.0)
    weights = {t: max(idf.get(t, top), 0.1) for t in set(query_terms)}
    return sum(w for t, w in weights.items() if t in sentence_terms) / sum(weights.values())


def clean_sentence(text: str) -> str:
    """The sentence as shown in an answer: Markdown marks removed, final punctuation ensured."""
    text = _MARKDOWN.sub("", text).strip()
    text = re.sub(r"\s+", " ", text)
    return text if text[-1:] in '.!?…»”"' else text + "."


def asks_number(question: str) -> bool:
    return bool(_ASKS_NUMBER.search(question))


def answers_type(question: str, sentences: list[str]) -> bool:
    """False when the question asks for a number, a date or contact details and none of
    the answer's sentences states one."""
    if _ASKS_CONTACT.search(question):
        return any(_CONTACT.search(t) for t in sentences)
    if asks_number(question):
        return any(_DIGIT.search(t) for t in sentences)
    return True


def score_candidates(
    retriever: Retriever, retrieval: Retrieval, question: str, query: str
) -> list[Candidate]:
    """Every sentence of the retrieved chunks, scored for this question, best first."""
    index = retriever.index
    rank_of = {h.chunk.chunk_id: r for r, h in enumerate(retrieval.hits)}
    rows = [i for i, s in enumerate(index.sentences) if index.chunks[s.chunk].chunk_id in rank_of]
    if not rows:
        return []
    dense = retriever.sentence_matrix[rows] @ retrieval.query_vector
    idf = retriever.sentence_bm25.idf
    q_current = analyze(expand(question))
    q_resolved = analyze(expand(query))
    wants_number = asks_number(query)
    out = []
    for row, cos in zip(rows, dense, strict=True):
        s = index.sentences[row]
        chunk = index.chunks[s.chunk]
        text = index.sentence_text(s)
        terms = retriever.sentence_terms[row]
        cov = (coverage(q_current, terms, idf) + coverage(q_resolved, terms, idf)) / 2
        rank = rank_of[chunk.chunk_id]
        score = float(cos) + LEXICAL_WEIGHT * cov + RANK_WEIGHT / (1 + rank)
        if wants_number and _DIGIT.search(text):
            score += NUMBER_BONUS
        out.append(Candidate(row, rank, text, float(cos), cov, score))
    return sorted(out, key=lambda c: (-c.score, c.row))


def support(candidates: list[Candidate]) -> float:
    """How well the guide supports an answer: the best sentence's score."""
    return candidates[0].score if candidates else -math.inf


def select(
    candidates: list[Candidate], max_sentences: int, *, wants_number: bool = False
) -> list[Candidate]:
    """The sentences that make the answer, in the guide's order:

    - the best sentence and those within KEEP_MARGIN of it (no repeats);
    - a chosen sentence's next sentence, when it scores within WINDOW_MARGIN of the best
      (a guide states a topic, then the detail: "… Noeux Environnement est accompagné …"
      then "… subvention de 100000€ …");
    - for a question that asks for a number or a date, the best sentence that states one,
      when none of the chosen does and it is within WINDOW_MARGIN.
    """
    if not candidates:
        return []
    best = candidates[0].score
    by_row = {c.row: c for c in candidates}
    chosen: dict[int, Candidate] = {}
    seen: set[str] = set()

    def take(c: Candidate) -> None:
        key = clean_sentence(c.text).casefold()
        if key not in seen and len(key) >= 12:
            seen.add(key)
            chosen[c.row] = c

    for c in candidates:
        if c.score < best - KEEP_MARGIN or len(chosen) >= max_sentences:
            break
        take(c)
    for row in list(chosen):
        following = by_row.get(row + 1)
        if (
            following
            and following.hit_rank == chosen[row].hit_rank
            and following.score >= best - WINDOW_MARGIN
        ):
            take(following)
    if wants_number and not any(_DIGIT.search(c.text) for c in chosen.values()):
        numeric = [
            c for c in candidates if _DIGIT.search(c.text) and c.score >= best - WINDOW_MARGIN
        ]
        if numeric:
            take(numeric[0])
    return sorted(chosen.values(), key=lambda c: c.row)


def compose(
    chosen: list[Candidate], retrieval: Retrieval, index_sentence_chunk
) -> tuple[str, tuple[Source, ...]]:
    """Answer text with `[n]` after each sentence, and the numbered sources it cites."""
    hits_by_id = {h.chunk.chunk_id: h for h in retrieval.hits}
    cited: list[Hit] = [hits_by_id[index_sentence_chunk(c.row).chunk_id] for c in chosen]
    numbers, sources = number_sources(cited, quotes=[clean_sentence(c.text) for c in chosen])
    text = " ".join(f"{clean_sentence(c.text)} [{n}]" for c, n in zip(chosen, numbers, strict=True))
    return text, sources
