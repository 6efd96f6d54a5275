"""The extractive answerer: pick the guide's sentences that answer the question, keep them
verbatim, and put `[n]` after each one. No LLM, so nothing can be invented.

Each sentence of the retrieved chunks is scored by its cosine with the question, the
share of the question's terms it contains (idf-weighted), and its chunk's rank. The
best sentence's score is the answer's support; below `min_support` the answerer abstains.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..citations import number_sources
from ..schema import Chunk, Hit, Source
from ..search.acronyms import expand
from ..search.analysis import analyze
from ..search.retrieve import Retrieval, ScoredSentence
from ..text import clean_sentence, dangling, is_list_item
from .cards import render_lines
from .kinds import answers_type
from .question import ACTORS, Analysis

MAX_CHARS = 600  # an extractive answer stops once it is this long
ACTOR_BONUS = 0.03  # a sentence about the actor the question names
LONG_PENALTY = 0.03  # a sentence over LONG_CHARS (a general definition, a long quote)
LONG_CHARS = 350

LEXICAL_WEIGHT = 0.15
RANK_WEIGHT = 0.02
NUMBER_BONUS = 0.02
KEEP_MARGIN = 0.05  # sentences within this of the best one are kept too
WINDOW_MARGIN = 0.12  # a neighbour or a number-bearing sentence may be this far below


@dataclass(frozen=True)
class Candidate:
    row: int  # sentence row in the index
    chunk: Chunk
    hit_rank: int  # rank of its chunk among the hits, from 0
    text: str
    dense: float
    coverage: float
    score: float


def coverage(
    query_terms: list[str], sentence_terms: frozenset[str], idf: Mapping[str, float]
) -> float:
    """idf-weighted share of the query's terms found in the sentence (0 when none).
    Terms the corpus never uses weigh as much as the rarest known term."""
    return _share(_weights(query_terms, idf), sentence_terms)


def _weights(query_terms: list[str], idf: Mapping[str, float]) -> dict[str, float]:
    top = max(idf.values(), default=1.0)
    return {t: max(idf.get(t, top), 0.1) for t in set(query_terms)}


def _share(weights: dict[str, float], terms: frozenset[str]) -> float:
    if not weights:
        return 0.0
    return sum(w for t, w in weights.items() if t in terms) / sum(weights.values())


def score_candidates(
    sentences: Sequence[ScoredSentence],
    idf: Mapping[str, float],
    question: str,
    query: str,
    analysis: Analysis | None = None,
) -> list[Candidate]:
    """The retrieved sentences (`Retriever.sentences`) scored for this question, best first;
    `idf` is the retriever's."""
    if not sentences:
        return []
    current = _weights(analyze(expand(question)), idf)
    resolved = _weights(analyze(expand(query)), idf)
    wants = analysis.wants if analysis else ""
    who = analysis.actor or analysis.context_actor if analysis else ""
    actor = ACTORS.get(who) if who else None
    out = []
    for s in sentences:
        text, terms, rank, cos = s.text, s.terms, s.hit_rank, s.dense
        cov = (_share(current, terms) + _share(resolved, terms)) / 2
        score = float(cos) + LEXICAL_WEIGHT * cov + RANK_WEIGHT / (1 + rank)
        if (
            wants
            and answers_type(wants, text)
            and wants in ("amount", "percentage", "date", "count", "contact")
        ):
            score += NUMBER_BONUS
        if actor is not None and actor.search(text):
            score += ACTOR_BONUS
        if len(text) > LONG_CHARS:
            score -= LONG_PENALTY
        out.append(Candidate(s.row, s.chunk, rank, text, cos, cov, score))
    return sorted(out, key=lambda c: (-c.score, c.row))


def support(candidates: list[Candidate]) -> float:
    """How well the guide supports an answer: the best sentence's score."""
    return candidates[0].score if candidates else -math.inf


def select(candidates: list[Candidate], max_sentences: int, *, wants: str = "") -> list[Candidate]:
    """The sentences that make the answer, the best first:

    - the best sentence, preceded by the sentence before it when it opens on « Ce… »,
      « Il… » (its antecedent is there);
    - for a question that asks for an amount, a date, a count…, the best sentence that
      states one (with its antecedent) when the best sentence does not;
    - then sentences within KEEP_MARGIN of the best, and the next sentence of a chosen
      one within WINDOW_MARGIN (a guide states a topic, then the detail), in the guide's
      order, until MAX_CHARS.
    """
    if not candidates:
        return []
    best = candidates[0].score
    by_row = {c.row: c for c in candidates}
    chosen: dict[int, Candidate] = {}
    seen: set[str] = set()
    size = 0

    def take(c: Candidate, *, force: bool = False) -> bool:
        nonlocal size
        key = clean_sentence(c.text).casefold()
        if key in seen or len(key) < 12 or len(chosen) >= max_sentences:
            return False
        if chosen and not force and size + len(key) > MAX_CHARS:
            return False
        seen.add(key)
        chosen[c.row] = c
        size += len(key) + 5
        return True

    def take_with_antecedent(c: Candidate) -> None:
        before = by_row.get(c.row - 1)
        if dangling(c.text) and before is not None and before.hit_rank == c.hit_rank:
            take(before, force=True)
        take(c, force=True)

    lead = candidates[0]
    before = by_row.get(lead.row - 1)
    if dangling(lead.text) and (before is None or before.hit_rank != lead.hit_rank):
        # « …de ces démarches » with nothing before it to say which: a sentence almost as good
        # that stands on its own leads instead
        lead = next(
            (c for c in candidates[1:] if not dangling(c.text) and c.score >= best - WINDOW_MARGIN),
            lead,
        )
    take_with_antecedent(lead)
    if wants and not answers_type(wants, lead.text):
        # The best sentence that states it, a little further down the ranking if need be;
        # whether its passage is about the question's topic is checked before answering
        # (`Pipeline._typed_on_topic`): a number elsewhere in the guide answers nothing.
        typed = [
            c
            for c in candidates
            if answers_type(wants, c.text) and c.score >= best - 2 * WINDOW_MARGIN
        ]
        if typed:
            take_with_antecedent(typed[0])
    for c in candidates[1:]:
        if c.score < best - KEEP_MARGIN:
            break
        if dangling(c.text) and (c.row - 1) not in chosen:
            continue
        take(c)
    for row in sorted(chosen):
        following = by_row.get(row + 1)
        if (
            following
            and following.hit_rank == chosen[row].hit_rank
            and following.score >= best - WINDOW_MARGIN
        ):
            take(following)
    first = [r for r in chosen if lead.row - 1 <= r <= lead.row]
    rest = sorted(r for r in chosen if r not in first)
    return [chosen[r] for r in sorted(first)] + [chosen[r] for r in rest]


def compose(chosen: list[Candidate], retrieval: Retrieval) -> tuple[str, tuple[Source, ...]]:
    """Answer text with `[n]` after each sentence, and the numbered sources it cites; a
    sentence that is a bullet of the guide stays a bullet."""
    hits_by_id = {h.chunk.chunk_id: h for h in retrieval.hits}
    cited: list[Hit] = [hits_by_id[c.chunk.chunk_id] for c in chosen]
    numbers, sources = number_sources(cited, quotes=[clean_sentence(c.text) for c in chosen])
    lines = [
        ("- " if is_list_item(c.text) else "") + f"{clean_sentence(c.text)} [{n}]"
        for c, n in zip(chosen, numbers, strict=True)
    ]
    return render_lines(lines), sources
