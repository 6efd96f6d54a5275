"""The chat in the browser and the widget for partner sites, and the chat turn they share.

`reply(pipeline, message, history)` is one turn of the conversation, free of Gradio: it
streams the pipeline's answer and yields the assistant's message as it grows
(`Reply.html`), the last `Reply` carrying the `Answer` and the suggested follow-ups.
`ask_stream` is the same turn for the `ask` API: dicts of the `ask --json` contract, the
last one being exactly `Answer.to_json()`.

Both read `pipeline.stream` (text deltas as they are written, then the `Answer`): with an
LLM these are the verified sentences as the model writes them; with the extractive
answerer, the finished answer cut after each citation. A pipeline with only `ask` is
revealed the same way. The Gradio layout is in `ui`, the web server in `server`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import UserError
from ..history import clean_history
from ..schema import Answer
from ..settings import Settings
from . import render
from .suggest import Suggestion, follow_ups

PARTIAL_EVERY_S = 0.1  # the ask API's partial answers, at most this often


class AsksQuestions(Protocol):
    def ask(self, question: object, history: list[dict[str, str]] | None = None) -> Answer: ...


@dataclass(frozen=True)
class Reply:
    html: str  # the assistant's message so far, safe HTML
    done: bool = False
    answer: Answer | None = None  # on the last step
    error: str = ""  # a UserError's sentence, when the message was not a usable question
    suggestions: tuple[Suggestion, ...] = ()  # on the last step


def answer_events(
    pipeline: AsksQuestions, question: object, history: list[dict[str, str]]
) -> Iterator[str | Answer]:
    """Text deltas, then the `Answer`: `pipeline.stream` when there is one, else `ask`'s
    answer cut after each sentence."""
    stream = getattr(pipeline, "stream", None)
    if callable(stream):
        yield from stream(question, history)
        return
    answer = pipeline.ask(question, history)
    shown = ""
    for prefix in render.pieces(answer.answer):
        yield prefix[len(shown) :]
        shown = prefix
    yield answer


def texts_then_answer(events: Iterator[str | Answer]) -> Iterator[tuple[str, Answer | None]]:
    """(text so far, None) while the answer is written, then (its text, the `Answer`).

    Each delta is held back until the next item arrives, so a message that turns out to be
    an abstention (its text comes just before its `Answer`) never shows as an answer."""
    text, held = "", False
    for item in events:
        if isinstance(item, Answer):
            yield item.answer, item
            return
        if held:
            yield text, None
        text += item
        held = True


def reply(
    pipeline: AsksQuestions,
    message: str,
    history: object = None,
    *,
    pace: float = 0.0,
    max_turns: int = Settings.max_history_turns,
) -> Iterator[Reply]:
    """One chat turn: the message growing as it is written (at least `pace` seconds between
    steps), then the finished message with its sources and suggested follow-ups. A bad
    message yields one error notice. `history` is read by `clean_history`."""
    turns = clean_history(history, max_turns)
    turn = 1 + sum(t["role"] == "assistant" for t in turns)
    shown_at = 0.0
    try:
        for text, answer in texts_then_answer(answer_events(pipeline, message, turns)):
            if pace:
                time.sleep(max(0.0, shown_at + pace - time.monotonic()))
                shown_at = time.monotonic()
            if answer is None:
                yield Reply(render.partial_html(text, (), turn))
                continue
            html = (
                render.abstention_html(answer.answer)
                if answer.abstained
                else render.partial_html(answer.answer, answer.sources, turn)
            )
            chunks = getattr(getattr(pipeline, "index", None), "chunks", None) or []
            asked = [t["content"] for t in turns if t["role"] == "user"] + [message]
            cited = [s.chunk_id for s in answer.sources]
            suggestions = tuple(follow_ups(chunks, cited, asked=asked))
            yield Reply(html, done=True, answer=answer, suggestions=suggestions)
    except UserError as exc:
        yield Reply(render.error_html(str(exc)), done=True, error=str(exc))


def ask_stream(
    pipeline: AsksQuestions,
    question: str,
    history: object = None,
    *,
    every: float = PARTIAL_EVERY_S,
    max_turns: int = Settings.max_history_turns,
) -> Iterator[dict[str, Any]]:
    """The `ask` API: the answer so far as it is written (same keys, `sources` still empty),
    at most one update every `every` seconds, then the whole `Answer.to_json()`. An answer
    that is ready at once (the extractive one) is therefore one object: each update costs the
    server a serialisation and a queue message. Raises UserError for a message that is not
    a question."""
    events = answer_events(pipeline, question, clean_history(history, max_turns))
    last = time.monotonic()
    for text, answer in texts_then_answer(events):
        if answer is not None:
            yield answer.to_json()
        elif time.monotonic() - last >= every:
            last = time.monotonic()
            yield Answer(text, False).to_json()
