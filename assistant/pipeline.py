"""The answering pipeline: question (+ history) -> `Answer`, with timings per stage.

    clean -> guard (injection, names the guide never mentions) -> resolve follow-up -> retrieve (hybrid) -> score sentences -> answer or abstain

`Pipeline.load(settings)` loads the model and the index once (building the index when
missing or stale); `ask` is then cheap and safe to call from several threads.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from . import answer as extractive
from .embed import Embedder, load_embedder
from .followup import resolve
from .guard import clean_question, is_injection, looks_english, unknown_entities
from .index import Index, open_index
from .prompts import abstention
from .retrieve import Retriever
from .schema import Answer
from .settings import Settings

ANSWERER = "extractive"


@dataclass
class Pipeline:
    settings: Settings
    embedder: Embedder
    index: Index
    retriever: Retriever

    @classmethod
    def load(
        cls, settings: Settings, *, embedder: Embedder | None = None, progress: bool = True
    ) -> Pipeline:
        embedder = embedder or load_embedder(settings, progress=progress)
        index = open_index(
            settings, embedder, build_if_needed=settings.auto_build, progress=progress
        )
        return cls(settings, embedder, index, Retriever(index, embedder, settings))

    def ask(
        self, question: object, history: list[dict[str, str]] | None = None, *, mode: str = "hybrid"
    ) -> Answer:
        """Answer one message. Raises UserError for input that is not a usable question."""
        s = self.settings
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        text = clean_question(question, max_chars=s.max_question_chars)
        history = _clean_history(history, s.max_history_turns)
        lang = "en" if looks_english(text) else "fr"
        meta = {"model": ANSWERER, "index_version": self.index.version}
        if is_injection(text):
            timings["total"] = _ms(t0)
            return Answer(
                abstention("injection", lang, []), True, (), timings, text, "injection", **meta
            )

        unknown = unknown_entities(text, self.retriever.vocabulary, names=lang == "fr")
        if unknown:
            timings["total"] = _ms(t0)
            message = abstention("unknown_entity", lang, [], unknown)
            return Answer(message, True, (), timings, text, "unknown_entity", **meta)

        query = resolve(text, history)
        timings["resolve"] = _ms(t0)
        t = time.perf_counter()
        retrieval = self.retriever.search(query, s.top_k, mode=mode)
        timings["retrieve"] = _ms(t)
        t = time.perf_counter()
        candidates = extractive.score_candidates(self.retriever, retrieval, text, query)
        supported = extractive.support(candidates) >= s.min_support
        if supported:
            chosen = extractive.select(
                candidates, s.max_sentences, wants_number=extractive.asks_number(text)
            )
            body, sources = extractive.compose(chosen, retrieval, self._chunk_of_sentence)
        timings["answer"] = _ms(t)
        timings["total"] = _ms(t0)
        if not supported:
            nearest = list(dict.fromkeys(h.chunk.section_path for h in retrieval.hits))[:3]
            message = abstention("low_support", lang, nearest)
            return Answer(message, True, (), timings, query, "low_support", **meta)
        return Answer(body, False, sources, timings, query, "", **meta)

    def _chunk_of_sentence(self, row: int):
        return self.index.chunks[self.index.sentences[row].chunk]


def _clean_history(history: object, max_turns: int) -> list[dict[str, str]]:
    """Keep well-formed turns only (role user/assistant, text content), the last `max_turns`."""
    if not isinstance(history, list):
        return []
    turns = [
        {"role": t["role"], "content": t["content"]}
        for t in history
        if isinstance(t, dict)
        and t.get("role") in ("user", "assistant")
        and isinstance(t.get("content"), str)
    ]
    return turns[-max_turns:]


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
