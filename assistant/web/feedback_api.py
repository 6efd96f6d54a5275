"""The feedback API's edge: a bounded record of the answers the `ask` API served, and a
strict reading of what a client sends back.

`ask` gives each answer an `answer_id`; a rating that names a served id is stored with the
server's own trace (question and answer as served), whatever the client sends. A rating
without a known id (an old answer, after a restart) is read strictly: every field typed and
capped, anything malformed or too long refused with one French sentence — nothing stored.

    >>> served = ServedAnswers(max_items=2)
    >>> a = served.put("q1", {"answer": "…"}); b = served.put("q2", {}); c = served.put("q3", {})
    >>> served.get(a) is None, served.get(c).question
    (True, 'q3')
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ..errors import UserError
from ..feedback import MAX_COMMENT_CHARS, normalize_rating
from ..wording import (
    FEEDBACK_MALFORMED,
    FEEDBACK_RATING,
    FEEDBACK_TOO_MANY_SOURCES,
    feedback_too_long,
)

# Characters accepted per field of a client's answer; the app's own answers fit well inside.
CAPS = {
    "question": 2000,
    "comment": MAX_COMMENT_CHARS,
    "answer": 20_000,
    "query": 4000,
    "reason": 32,
    "model": 64,
    "method": 16,
    "index_version": 128,
    "answer_id": 64,
    "chunk_id": 200,
    "section": 500,
}
MAX_SOURCES = 20


@dataclass(frozen=True)
class Served:
    question: str
    answer: dict[str, Any]
    editor_row: int | None = None  # its row in the editors' log, when it was a decline


class ServedAnswers:
    """The last `max_items` answers served, by id (least recently served forgotten first)."""

    def __init__(self, max_items: int = 5000) -> None:
        self.max_items = max_items
        self._items: OrderedDict[str, Served] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, question: str, answer: dict[str, Any], editor_row: int | None = None) -> str:
        """Remembers what the feedback store needs of `answer` (not the passages' text)."""
        answer_id = secrets.token_urlsafe(12)
        with self._lock:
            self._items[answer_id] = Served(question, trace_of(answer), editor_row)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
        return answer_id

    def get(self, answer_id: object) -> Served | None:
        if not isinstance(answer_id, str):
            return None
        with self._lock:
            return self._items.get(answer_id)


TRACE_KEYS = ("answer", "abstained", "query", "reason", "model", "method", "index_version")


def trace_of(answer: dict[str, Any]) -> dict[str, Any]:
    """The parts of an `ask` answer a rating is stored with."""
    trace = {k: answer[k] for k in TRACE_KEYS if k in answer}
    trace["sources"] = [
        {"chunk_id": s.get("chunk_id", ""), "section": s.get("section", "")}
        for s in answer.get("sources", [])
        if isinstance(s, dict)
    ]
    return trace


def _text(value: object, field: str, *, default: str = "") -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        raise UserError(FEEDBACK_MALFORMED)
    if len(value) > CAPS[field]:
        raise UserError(feedback_too_long(field, CAPS[field]))
    return value


def read_feedback(
    question: object, answer: object, rating: object, comment: object
) -> tuple[str, dict[str, Any], str, str]:
    """(question, answer, rating, comment) checked and reduced to what is stored; UserError
    with one French sentence for anything malformed or too long."""
    if not isinstance(answer, dict) or not isinstance(question, str):
        raise UserError(FEEDBACK_MALFORMED)
    sources = answer.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
        raise UserError(FEEDBACK_MALFORMED)
    if len(sources) > MAX_SOURCES:
        raise UserError(FEEDBACK_TOO_MANY_SOURCES)
    abstained = answer.get("abstained", False)
    if not isinstance(abstained, bool):
        raise UserError(FEEDBACK_MALFORMED)
    clean = {
        key: _text(answer.get(key), key)
        for key in ("answer", "query", "reason", "model", "method", "index_version", "answer_id")
    }
    clean["abstained"] = abstained
    clean["sources"] = [
        {
            "chunk_id": _text(s.get("chunk_id"), "chunk_id"),
            "section": _text(s.get("section"), "section"),
        }
        for s in sources
    ]
    try:
        rating = normalize_rating(rating)
    except ValueError:
        raise UserError(FEEDBACK_RATING) from None
    return _text(question, "question"), clean, rating, _text(comment, "comment")
