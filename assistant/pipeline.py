"""The answering pipeline: question (+ history) -> `Answer`, with timings per stage.

    clean -> guard (injection, names the guide never mentions) -> resolve follow-up -> retrieve (hybrid) -> score sentences -> answer or abstain

`Pipeline.load(settings)` loads the model and the index once (building the index when
missing or stale); `ask` is then cheap and safe to call from several threads.

With `settings.llm` set, a follow-up is rewritten by the LLM before retrieval and, once the
support gate has passed, the LLM writes the answer from the retrieved passages; `verify`
checks it sentence by sentence. When the model fails (timeout, connection, rate limit,
malformed reply) or says nothing the passages support, the answer is the extractive one
with a note. `stream` yields the answer's text as it is written, then the `Answer`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from . import answer as extractive
from .embed import Embedder, load_embedder
from .followup import resolve
from .guard import clean_question, is_injection, looks_english, unknown_entities
from .index import Index, open_index
from .prompts import abstention, fallback_note
from .retrieve import Retrieval, Retriever
from .schema import Answer
from .settings import Settings

if TYPE_CHECKING:
    from .answer import Candidate
    from .llm import LLMAnswerer

ANSWERER = "extractive"
_SENTENCE_MARK = re.compile(r"[.!?…\]\n]")  # a delta that may complete a sentence


@dataclass(frozen=True)
class _Turn:
    """What the stages before the answer found for one message."""

    text: str  # the question as typed, cleaned
    lang: str
    query: str  # standalone form, used for retrieval
    retrieval: Retrieval
    candidates: list[Candidate]
    timings: dict[str, float]
    started: float
    answer_started: float


@dataclass
class Pipeline:
    settings: Settings
    embedder: Embedder
    index: Index
    retriever: Retriever
    llm: LLMAnswerer | None = None  # set when settings.llm names a backend

    @classmethod
    def load(
        cls, settings: Settings, *, embedder: Embedder | None = None, progress: bool = True
    ) -> Pipeline:
        embedder = embedder or load_embedder(settings, progress=progress)
        index = open_index(
            settings, embedder, build_if_needed=settings.auto_build, progress=progress
        )
        llm = None
        if settings.llm:
            from .llm import load_answerer

            llm = load_answerer(settings)
        return cls(settings, embedder, index, Retriever(index, embedder, settings), llm)

    def ask(
        self, question: object, history: list[dict[str, str]] | None = None, *, mode: str = "hybrid"
    ) -> Answer:
        """Answer one message. Raises UserError for input that is not a usable question."""
        if self.llm is not None:
            *_, answer = self._stream(question, history, mode, incremental=False)
            return answer
        turn = self._prepare(question, history, mode)
        return turn if isinstance(turn, Answer) else self._extractive(turn)

    def stream(
        self, question: object, history: list[dict[str, str]] | None = None, *, mode: str = "hybrid"
    ) -> Iterator[str | Answer]:
        """Text deltas of the answer as it is written, then the final `Answer`, whose text is
        the deltas joined. With an LLM, a delta is one or more sentences that passed the
        verifier; closing the generator stops the model. Raises UserError (at the first
        step) for input that is not a usable question."""
        return self._stream(question, history, mode, incremental=True)

    def _stream(
        self, question: object, history: object, mode: str, *, incremental: bool
    ) -> Iterator[str | Answer]:
        failures: list[str] = []
        turn = self._prepare(question, history, mode, failures)
        if isinstance(turn, Answer):
            yield turn.answer
            yield turn
        elif self.llm is None or failures:
            answer = self._extractive(turn)
            if failures:
                answer = self._with_note(answer, failures[0], turn.lang, ())
            yield from _pieces(answer.answer)
            yield answer
        else:
            yield from self._llm_answer(turn, incremental)

    def _prepare(
        self, question: object, history: object, mode: str, failures: list[str] | None = None
    ) -> Answer | _Turn:
        """Clean, guard, resolve, retrieve and score; an `Answer` when the turn ends there
        (injection, unknown name, not enough support: no LLM call in any of those)."""
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
        if self.llm is not None and failures is not None:
            query = self._rewrite(text, history, failures) or query
        timings["resolve"] = _ms(t0)
        t = time.perf_counter()
        retrieval = self.retriever.search(query, s.top_k, mode=mode)
        timings["retrieve"] = _ms(t)
        t = time.perf_counter()
        candidates = extractive.score_candidates(self.retriever, retrieval, text, query)
        if not self._supported(text, candidates):
            timings["answer"] = _ms(t)
            timings["total"] = _ms(t0)
            nearest = list(dict.fromkeys(h.chunk.section_path for h in retrieval.hits))[:3]
            message = abstention("low_support", lang, nearest)
            return Answer(message, True, (), timings, query, "low_support", **meta)
        return _Turn(text, lang, query, retrieval, candidates, timings, t0, t)

    def _supported(self, text: str, candidates: list[extractive.Candidate]) -> bool:
        """Enough support in the guide, and the best sentences state what the question asks
        for (a number, a date, contact details) when it asks for one."""
        s = self.settings
        if extractive.support(candidates) < s.min_support:
            return False
        wants_number = extractive.asks_number(text)
        chosen = extractive.select(candidates, s.max_sentences, wants_number=wants_number)
        return extractive.answers_type(text, [c.text for c in chosen])

    def _extractive(self, turn: _Turn) -> Answer:
        s = self.settings
        chosen = extractive.select(
            turn.candidates, s.max_sentences, wants_number=extractive.asks_number(turn.text)
        )
        body, sources = extractive.compose(chosen, turn.retrieval, self._chunk_of_sentence)
        timings = turn.timings
        timings["answer"] = _ms(turn.answer_started)
        timings["total"] = _ms(turn.started)
        meta = {"model": ANSWERER, "index_version": self.index.version}
        return Answer(body, False, sources, timings, turn.query, "", **meta)

    def _rewrite(self, text: str, history: list[dict[str, str]], failures: list[str]) -> str:
        """The LLM's standalone question for a turn with history ("" to keep `resolve`'s)."""
        if not any(t["role"] == "user" for t in history):
            return ""
        from .llm import LLMError

        try:
            return self.llm.rewrite(text, history) or ""
        except LLMError as exc:
            failures.append(exc.kind)  # the model is failing: do not wait for it twice
            return ""

    def _llm_answer(self, turn: _Turn, incremental: bool) -> Iterator[str | Answer]:
        """The LLM's answer, verified sentence by sentence as it streams; the extractive
        answer with a note when the model fails or nothing it says is supported."""
        from .citations import to_source
        from .llm import LLMError
        from .verify import verify

        sources = tuple(to_source(i + 1, h) for i, h in enumerate(turn.retrieval.hits))
        timings, lang = turn.timings, turn.lang
        raw, shown, error = "", "", ""
        mark = -1  # where the last sentence end not yet verified is in `raw`
        t = time.perf_counter()
        deltas = self.llm.stream(turn.query, sources)
        try:
            for delta in deltas:
                timings.setdefault("first_token", _ms(t))
                ends = [m.end() for m in _SENTENCE_MARK.finditer(delta)]
                mark = len(raw) + ends[-1] if ends else mark
                raw += delta
                # A sentence is known to be over once the next one starts (or its line ends).
                if incremental and mark >= 0 and (raw[mark:].strip() or raw[mark - 1] == "\n"):
                    mark = -1
                    partial = verify(raw, sources, lang=lang, final=False).text
                    if len(partial) > len(shown) and partial.startswith(shown):
                        yield partial[len(shown) :]
                        shown = partial
        except LLMError as exc:
            error = exc.kind
        finally:
            deltas.close()
        timings["llm"] = _ms(t)
        checked = verify(raw, sources, lang=lang, final=not error)
        if not error and not checked.ok:
            error = "malformed" if not re.search(r"\w{2}", raw) else "unsupported"
        timings["answer"] = _ms(turn.answer_started)
        if checked.ok:
            text = checked.text
            notes = checked.notes
            if error:  # cut short: keep what was verified, say so
                note = fallback_note(error, lang, interrupted=True)
                text, notes = f"{text}\n\n{note}", (note, *notes)
            if text.startswith(shown) and len(text) > len(shown):
                yield text[len(shown) :]
            timings["total"] = _ms(turn.started)
            meta = {"model": self.llm.name, "index_version": self.index.version}
            yield Answer(text, False, checked.sources, timings, turn.query, "", **meta, notes=notes)
            return
        answer = self._with_note(self._extractive(turn), error, lang, checked.notes)
        yield from _pieces(answer.answer)
        yield answer

    @staticmethod
    def _with_note(answer: Answer, why: str, lang: str, notes: tuple[str, ...]) -> Answer:
        """The extractive answer with a visible note saying why the LLM's was not used."""
        note = fallback_note(why, lang)
        return replace(answer, answer=f"{answer.answer}\n\n{note}", notes=(note, *notes))

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


def _pieces(text: str) -> list[str]:
    """`text` cut after each citation, the spaces kept, so the pieces join back to it."""
    return [p for p in re.split(r"(?<=\])(?=\s)", text) if p]


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
