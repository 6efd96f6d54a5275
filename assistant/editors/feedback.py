"""Durable feedback on answers: a thumb up or down, an optional comment, and the full trace.

`FeedbackStore(url)` takes any SQLAlchemy URL. SQLite (the default, one file under the data
directory) is opened in WAL mode so the chat can write while someone reads the file; a
deployment can point at PostgreSQL instead. The table is created when missing.

A store that cannot be written never breaks the chat: `record` logs a warning and
returns None.

The same database holds the editors' log (`editor_questions`, see `assistant.editors.log`):
declined questions and thumbs-down, kept for the guide's editors. Nothing identifying a
person is stored (no address, no session); e-mail addresses and phone numbers in questions
and comments are masked before writing. `purge(days)` deletes rows older than the retention.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from .privacy import mask

log = logging.getLogger(__name__)

MAX_COMMENT_CHARS = 2000

metadata = sa.MetaData()
feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rating", sa.String(8), nullable=False),  # "up" or "down"
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("surface", sa.String(16), nullable=False, default=""),  # chat, widget, api
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("query", sa.Text, nullable=False, default=""),  # after follow-up resolution
    sa.Column("answer", sa.Text, nullable=False, default=""),
    sa.Column("abstained", sa.Boolean, nullable=False, default=False),
    sa.Column("reason", sa.String(32), nullable=False, default=""),
    sa.Column("chunk_ids", sa.JSON, nullable=False),
    sa.Column("model", sa.String(64), nullable=False, default=""),
    sa.Column("index_version", sa.String(128), nullable=False, default=""),
)

# The editors' log: one row per declined question or thumbs-down (see assistant.editors.log).
editor_questions = sa.Table(
    "editor_questions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("question", sa.Text, nullable=False),  # masked
    sa.Column("reason", sa.String(32), nullable=False, default=""),
    sa.Column("section", sa.Text, nullable=False, default=""),  # the closest guide section
    sa.Column("method", sa.String(16), nullable=False, default=""),  # card, extractive, llm
    sa.Column("declined", sa.Boolean, nullable=False, default=False),
    sa.Column("rating", sa.String(8), nullable=False, default=""),  # "down" after a thumbs-down
    sa.Column("comment", sa.Text, nullable=False, default=""),  # masked
    sa.Column("feedback_id", sa.Integer, nullable=True, index=True),  # its row in `feedback`
)

_RATINGS = {
    "up": "up",
    "like": "up",
    "+1": "up",
    "1": "up",
    "true": "up",
    "down": "down",
    "dislike": "down",
    "-1": "down",
    "0": "down",
    "false": "down",
}


def normalize_rating(value: object) -> str:
    """ "up" or "down" from the spellings callers use (True/False, "Like"/"Dislike", ±1)."""
    if isinstance(value, bool):
        return "up" if value else "down"
    rating = _RATINGS.get(str(value).strip().lower())
    if rating is None:
        raise ValueError(f"rating must be 'up' or 'down', not {value!r}")
    return rating


class FeedbackStore:
    """Feedback rows in any SQLAlchemy database; SQLite files get WAL mode."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: sa.Engine | None = None

    @property
    def engine(self) -> sa.Engine:
        """The engine, created (with its table) on first use."""
        if self._engine is None:
            self._engine = _connect(self.url)
        return self._engine

    def record(
        self,
        *,
        rating: object,
        question: str,
        answer: dict[str, Any],
        comment: str = "",
        surface: str = "",
    ) -> int | None:
        """Store one rating with its trace; returns the row id, or None when it could not be
        written (the reason is logged as a warning)."""
        row = {
            "created_at": datetime.now(UTC),
            "rating": normalize_rating(rating),
            "comment": mask((comment or "").strip()[:MAX_COMMENT_CHARS]),
            "surface": surface[:16],
            "question": mask(question),
            "query": mask(str(answer.get("query", ""))),
            "answer": str(answer.get("answer", "")),
            "abstained": bool(answer.get("abstained", False)),
            "reason": str(answer.get("reason", ""))[:32],
            "chunk_ids": [
                s.get("chunk_id", "") for s in answer.get("sources", []) if isinstance(s, dict)
            ],
            "model": str(answer.get("model", ""))[:64],
            "index_version": str(answer.get("index_version", ""))[:128],
        }
        try:
            with self.engine.begin() as conn:
                return int(conn.execute(feedback.insert().values(**row)).inserted_primary_key[0])
        except Exception as exc:  # a broken store must never break the chat
            log.warning("Feedback not saved (%s): %s", _redact(self.url), exc)
            return None

    def add_comment(self, feedback_id: int, comment: str) -> bool:
        """Attach a comment to a rating recorded earlier (and to its row in the editors' log).
        False when it could not be written."""
        text = mask((comment or "").strip()[:MAX_COMMENT_CHARS])
        try:
            with self.engine.begin() as conn:
                result = conn.execute(
                    feedback.update().where(feedback.c.id == feedback_id).values(comment=text)
                )
                conn.execute(
                    editor_questions.update()
                    .where(editor_questions.c.feedback_id == feedback_id)
                    .values(comment=text)
                )
            return result.rowcount == 1
        except Exception as exc:
            log.warning("Feedback comment not saved (%s): %s", _redact(self.url), exc)
            return False

    def check(self) -> bool:
        """True when the store can be opened (table created if missing); else log a warning."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.select(sa.func.count()).select_from(feedback))
            return True
        except Exception as exc:
            log.warning("Feedback store unavailable (%s): %s", _redact(self.url), exc)
            return False

    def purge(self, days: int, *, now: datetime | None = None) -> int:
        """Delete ratings and editors' log rows older than `days` days; the number deleted."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
        deleted = 0
        with self.engine.begin() as conn:
            for table in (feedback, editor_questions):
                deleted += conn.execute(table.delete().where(table.c.created_at < cutoff)).rowcount
        return deleted

    def list_recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest rows, newest first, as plain dicts."""
        query = sa.select(feedback).order_by(feedback.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _connect(url: str) -> sa.Engine:
    parsed = sa.make_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, pool_pre_ping=not is_sqlite)
    if is_sqlite:
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    try:
        try:
            metadata.create_all(engine)
        except sa.exc.DBAPIError:
            # Replicas starting together on an empty PostgreSQL race to create the table
            # (the existence check and CREATE TABLE are not atomic): the loser looks again.
            metadata.create_all(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _redact(url: str) -> str:
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<invalid database URL>"
