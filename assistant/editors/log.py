"""The editors' log: declined questions and thumbs-down, kept in the feedback store's
database (table `editor_questions`) for the guide's editors.

A row holds the question (e-mails and phone numbers masked), why it was declined, the
closest guide section, the date and the answering method (card, extractive or llm); a
thumbs-down adds the rating and, later, the comment. No address, session or browser data.
Writing never breaks the chat: a failure is logged as a warning and returns None.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from .feedback import FeedbackStore, editor_questions
from .privacy import mask

log = logging.getLogger(__name__)

METHODS = ("card", "extractive", "llm")
NOT_FOR_EDITORS = {"injection", "empty", "no_question"}  # declines that say nothing about the guide


@dataclass(frozen=True)
class LoggedQuestion:
    question: str
    created_at: datetime
    reason: str = ""
    section: str = ""
    method: str = ""
    declined: bool = False
    rating: str = ""
    comment: str = ""


def method_of(answer: dict[str, Any]) -> str:
    """ "card", "extractive" or "llm": the answer's `method` when it has one, else derived
    from `model` ("extractive", "card…", anything else names an LLM)."""
    method = str(answer.get("method") or "").lower()
    if method in METHODS:
        return method
    model = str(answer.get("model") or "").lower()
    if not model:
        return ""
    if model.startswith("card"):
        return "card"
    return "extractive" if model.startswith("extractive") else "llm"


def section_of(answer: dict[str, Any]) -> str:
    """The section of the answer's first source ("" when it has none, as declines do)."""
    sources = answer.get("sources")
    if isinstance(sources, list) and sources and isinstance(sources[0], dict):
        return str(sources[0].get("section") or "")
    return ""


def worth_logging(answer: dict[str, Any]) -> bool:
    """A decline the editors should see (not an injection attempt or an empty message)."""
    return bool(answer.get("abstained")) and answer.get("reason") not in NOT_FOR_EDITORS


def log_declined(
    store: FeedbackStore, question: str, answer: dict[str, Any], section: str = ""
) -> int | None:
    """Store one declined question; its row id, or None (not worth logging, or not written)."""
    if not worth_logging(answer):
        return None
    return _insert(store, question, answer, section, declined=True, rating="")


def log_thumbs_down(
    store: FeedbackStore,
    feedback_id: int | None,
    question: str,
    answer: dict[str, Any],
    *,
    row_id: int | None = None,
    section: str = "",
) -> int | None:
    """A thumbs-down: marks the declined row `row_id` when the rated answer was a decline
    already logged, else adds a row. Linked to the rating's `feedback_id` so that its comment
    lands here too."""
    if row_id is not None:
        try:
            with store.engine.begin() as conn:
                done = conn.execute(
                    editor_questions.update()
                    .where(editor_questions.c.id == row_id)
                    .values(rating="down", feedback_id=feedback_id)
                ).rowcount
            if done:
                return row_id
        except Exception as exc:
            log.warning("Editors' log not updated: %s", exc)
            return None
    return _insert(
        store,
        question,
        answer,
        section,
        declined=bool(answer.get("abstained")),
        rating="down",
        feedback_id=feedback_id,
    )


def _insert(store, question, answer, section, **values) -> int | None:
    row = {
        "created_at": datetime.now(UTC),
        "question": mask(question.strip()),
        "reason": str(answer.get("reason") or "")[:32],
        "section": (section_of(answer) or section)[:500],
        "method": method_of(answer),
        "comment": "",
        **values,
    }
    try:
        with store.engine.begin() as conn:
            result = conn.execute(editor_questions.insert().values(**row))
            return int(result.inserted_primary_key[0])
    except Exception as exc:  # a broken store must never break the chat
        log.warning("Editors' log not saved: %s", exc)
        return None


def read(
    store: FeedbackStore, since_days: int | None = None, *, now: datetime | None = None
) -> list[LoggedQuestion]:
    """The logged questions, oldest first; only the last `since_days` days when given."""
    t = editor_questions
    query = sa.select(t).order_by(t.c.id)
    if since_days is not None:
        query = query.where(t.c.created_at >= (now or datetime.now(UTC)) - timedelta(since_days))
    with store.engine.connect() as conn:
        rows = [row._mapping for row in conn.execute(query)]
    return [
        LoggedQuestion(
            question=r["question"],
            created_at=_aware(r["created_at"]),
            reason=r["reason"],
            section=r["section"],
            method=r["method"],
            declined=bool(r["declined"]),
            rating=r["rating"],
            comment=r["comment"],
        )
        for r in rows
    ]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite drops the zone


def note_served(
    store: FeedbackStore, pipeline: Any, question: str, answer: dict[str, Any]
) -> int | None:
    """After an answer is served: a decline worth the editors' attention is logged with the
    guide section closest to the question. Its row id, or None."""
    if not worth_logging(answer):
        return None
    from .guide import closest_section

    return log_declined(store, question, answer, closest_section(pipeline, question))
