"""The feedback store on a real PostgreSQL, as several replicas would share it.

Needs ASSISTANT_TEST_POSTGRES_URL, e.g. the URL printed by `.ci/postgres.sh`:
    export ASSISTANT_TEST_POSTGRES_URL="$(bash .ci/postgres.sh)"
The `feedback` table of that database is dropped before each test.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime

import pytest

from assistant.editors.feedback import FeedbackStore

URL = os.environ.get("ASSISTANT_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(
    not URL,
    reason="ASSISTANT_TEST_POSTGRES_URL is not set (start a server with: bash .ci/postgres.sh)",
)

ANSWER = {
    "answer": "Le financement d'un poste d'animateur a permis d'avancer. [1]",
    "abstained": False,
    "sources": [{"n": 1, "chunk_id": "guide:4504:f12482718c"}, {"n": 2, "chunk_id": "c2"}],
    "query": "Comment financer l'animation d'un PTCE ?",
    "reason": "",
    "model": "extractive",
    "index_version": "build-3d31b0493b-9e5fe3",
}


@pytest.fixture
def store():
    import sqlalchemy as sa

    engine = sa.create_engine(URL)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS feedback"))
    engine.dispose()
    store = FeedbackStore(URL)
    yield store
    store.close()


def test_round_trip_with_the_full_trace(store):
    assert store.check()
    feedback_id = store.record(
        rating="Dislike", question="et son financement ? « é »", answer=ANSWER, surface="api"
    )
    assert isinstance(feedback_id, int)
    assert store.add_comment(feedback_id, "Il manque le montant.")
    store.close()
    (row,) = FeedbackStore(URL).list_recent()
    assert (row["rating"], row["comment"], row["surface"]) == (
        "down",
        "Il manque le montant.",
        "api",
    )
    assert row["question"] == "et son financement ? « é »"
    assert row["chunk_ids"] == ["guide:4504:f12482718c", "c2"]  # JSON column
    assert isinstance(row["created_at"], datetime) and row["created_at"].tzinfo is not None
    assert row["abstained"] is False and row["index_version"] == ANSWER["index_version"]


def test_replicas_writing_at_once_get_distinct_ids(store):
    """Four stores (four app replicas), 20 ratings each, at the same time."""
    ids: list[int | None] = []
    lock = threading.Lock()

    def replica(n: int) -> None:
        own = FeedbackStore(URL)
        for i in range(20):
            feedback_id = own.record(rating="up", question=f"r{n} q{i}", answer=ANSWER)
            with lock:
                ids.append(feedback_id)
        own.close()

    threads = [threading.Thread(target=replica, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert None not in ids and len(set(ids)) == 80
    assert len(store.list_recent(limit=100)) == 80


def test_text_postgres_refuses_is_not_saved_and_does_not_raise(store):
    """PostgreSQL text cannot hold NUL characters (SQLite can); the API's `question` is
    free text, so the store must fail softly."""
    assert store.record(rating="up", question="a\x00b", answer=ANSWER) is None
    assert store.record(rating="up", question="ok", answer=ANSWER) is not None
