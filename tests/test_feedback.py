"""The feedback store on a real SQLite file: durable, WAL, and harmless when broken."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from assistant.editors.feedback import FeedbackStore, normalize_rating

ANSWER = {
    "answer": "Le financement d'un poste d'animateur a permis d'avancer. [1]",
    "abstained": False,
    "sources": [{"n": 1, "chunk_id": "guide:4504:f12482718c", "text": "…"}],
    "timings_ms": {"total": 80.0},
    "query": "Comment un département peut-il financer l'animation d'un PTCE ?",
    "reason": "",
    "model": "extractive",
    "index_version": "build-3d31b0493b-9e5fe3",
}


def test_record_survives_reopening_with_its_full_trace(tmp_path):
    path = tmp_path / "data" / "feedback.sqlite3"  # the folder does not exist yet
    store = FeedbackStore(f"sqlite:///{path}")
    feedback_id = store.record(
        rating="Dislike",
        question="et son financement ?",
        answer=ANSWER,
        comment="  incomplet ",
        surface="chat",
    )
    assert feedback_id == 1
    store.close()

    row = FeedbackStore(f"sqlite:///{path}").list_recent()[0]
    assert row["rating"] == "down" and row["comment"] == "incomplet" and row["surface"] == "chat"
    assert row["question"] == "et son financement ?"
    assert row["query"] == ANSWER["query"] and row["answer"] == ANSWER["answer"]
    assert row["chunk_ids"] == ["guide:4504:f12482718c"]
    assert row["model"] == "extractive" and row["index_version"] == "build-3d31b0493b-9e5fe3"
    assert row["created_at"] is not None and row["abstained"] is False


def test_sqlite_file_is_in_wal_mode(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(f"sqlite:///{path}")
    store.record(rating="up", question="q", answer=ANSWER)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT count(*) FROM feedback").fetchone()[0] == 1
    store.close()


def test_comment_added_after_the_rating(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite3'}")
    feedback_id = store.record(rating=True, question="q", answer=ANSWER)
    assert store.add_comment(feedback_id, "Il manque le montant.")
    assert not store.add_comment(feedback_id + 100, "nobody")
    assert store.list_recent()[0]["comment"] == "Il manque le montant."


def test_newest_first(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite3'}")
    for q in ("premier", "second"):
        store.record(rating="up", question=q, answer=ANSWER)
    assert [r["question"] for r in store.list_recent()] == ["second", "premier"]


@pytest.mark.parametrize(
    "url_of",
    [
        lambda tmp: f"sqlite:///{tmp / 'a-file' / 'feedback.sqlite3'}",  # parent is a file
        lambda tmp: "nosuchdb://user@host/db",  # unknown dialect
    ],
)
def test_unwritable_store_warns_and_does_not_raise(tmp_path, caplog, url_of):
    (tmp_path / "a-file").write_text("not a folder")
    store = FeedbackStore(url_of(tmp_path))
    with caplog.at_level(logging.WARNING, logger="assistant.editors.feedback"):
        assert store.record(rating="down", question="q", answer=ANSWER) is None
        assert store.add_comment(1, "x") is False
        assert store.check() is False
    assert any("not saved" in r.message for r in caplog.records)


def test_ratings_are_normalised():
    assert {normalize_rating(v) for v in ("up", "Like", True, 1, "+1")} == {"up"}
    assert {normalize_rating(v) for v in ("down", "Dislike", False, -1)} == {"down"}
    with pytest.raises(ValueError):
        normalize_rating("maybe")
