"""The editors' loop end to end, with the real model and index: readers ask the app (through
its `ask` API) questions the guide does not answer, one gives a thumbs-down with a comment,
then `python -m assistant digest --json` returns the groups an editor should read.

Runs on SQLite, and on PostgreSQL when ASSISTANT_TEST_POSTGRES_URL is set (CI sets it:
`export ASSISTANT_TEST_POSTGRES_URL="$(bash .ci/postgres.sh)"`); the tables are dropped first.
The questions are far outside the guide (pension reform, the weather in Lille), so they are
declined whatever the answerer's thresholds.
"""

from __future__ import annotations

import json
import os

import pytest
from gradio_calls import call, make_app, result

from assistant import cli
from assistant.settings import PROJECT_ROOT, Settings

PENSIONS = [
    "Que pensez-vous de la réforme des retraites ?",
    "Quel est votre avis sur la réforme des retraites ?",
    "La réforme des retraites, vous en pensez quoi ?",
]
WEATHER = [
    "Quel temps fera-t-il à Lille demain ?",
    "Quelle météo prévoit-on à Lille demain ?",
]
ALONE = "Qui a gagné la coupe du monde de football en 2018 ?"
COMMENT = "J'aurais aimé savoir s'il pleuvra pour la réunion du PTCE."
POSTGRES = os.environ.get("ASSISTANT_TEST_POSTGRES_URL", "")

pytestmark = [
    pytest.mark.real_model,
    pytest.mark.skipif(
        not (PROJECT_ROOT / "index" / "CURRENT").is_file(),
        reason="needs the built index under index/",
    ),
]


@pytest.fixture(scope="module")
def pipeline():
    from assistant.pipeline import Pipeline

    return Pipeline.load(Settings(), progress=False)


def _sqlite(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'feedback.sqlite3'}"


def _postgres(tmp_path) -> str:
    if not POSTGRES:
        pytest.skip("ASSISTANT_TEST_POSTGRES_URL is not set (start one with: bash .ci/postgres.sh)")
    import sqlalchemy as sa

    engine = sa.create_engine(POSTGRES)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS feedback, editor_questions"))
    engine.dispose()
    return POSTGRES


@pytest.mark.parametrize("database", [_sqlite, _postgres], ids=["sqlite", "postgresql"])
def test_declined_questions_and_a_comment_reach_the_digest(tmp_path, pipeline, database, capsys):
    from starlette.testclient import TestClient

    from assistant.editors.feedback import FeedbackStore
    from assistant.web.settings import WebSettings

    url = database(tmp_path)
    store = FeedbackStore(url)
    settings = WebSettings(database_url=url, rate_per_minute=0, rate_per_minute_ip=0)
    answers = {}
    with TestClient(make_app(settings, pipeline, store)) as client:
        for n, question in enumerate([*PENSIONS, ALONE, *WEATHER]):
            answers[question] = result(call(client, "ask", [question, None], f"reader-{n}"))
            assert answers[question]["abstained"], question
        rated = answers[WEATHER[1]]
        saved = result(call(client, "feedback", [WEATHER[1], rated, "down", COMMENT], "reader-9"))
        assert saved["saved"]
    store.close()

    assert cli.main(["digest", "--json", "--database-url", url, "--quiet"]) == 0
    groups = json.loads(capsys.readouterr().out)["groups"]
    assert [g["count"] for g in groups] == [3, 2, 1]  # largest first
    pensions, weather, alone = groups
    assert sorted(pensions["examples"]) == sorted(PENSIONS) and pensions["label"] in PENSIONS
    assert sorted(weather["examples"]) == sorted(WEATHER)
    assert weather["comments"] == [COMMENT] and weather["thumbs_down_share"] == 0.5
    assert pensions["comments"] == [] and pensions["thumbs_down_share"] == 0
    assert alone["examples"] == [ALONE]
    assert all(g["section"] for g in (pensions, weather))  # the closest guide section

    assert cli.main(["digest", "--json", "--database-url", url, "--min-count", "2", "-q"]) == 0
    assert [g["count"] for g in json.loads(capsys.readouterr().out)["groups"]] == [3, 2]

    # From a group to a card draft an editor can finish.
    root = tmp_path / "repo"
    cards = ["--cards-dir", str(root / "cards")]
    args = ["cards", "draft", weather["id"], "--database-url", url, *cards, "-q"]
    assert cli.main(args) == 0
    import yaml

    draft = root / "cards" / "drafts" / f"{weather['id']}.yaml"
    card = yaml.safe_load(draft.read_text(encoding="utf-8"))
    assert sorted(card["phrasings"]) == sorted(WEATHER) and card["answer"]
    from assistant.answer.cards import guide_text, load_cards
    from assistant.corpus.load import load_corpus

    guide = guide_text(load_corpus(Settings().corpus_dir))
    (loaded,) = load_cards(draft.parent)
    for line in loaded.lines:
        assert line.quotes == (line.fr,) and line.fr in guide  # verbatim, as `cards check` reads
    assert cli.main(["cards", "draft", "no-such-group", "--database-url", url, *cards, "-q"]) == 2
    assert "Aucun groupe « no-such-group »" in capsys.readouterr().err


@pytest.mark.parametrize("database", [_sqlite, _postgres], ids=["sqlite", "postgresql"])
def test_purge_deletes_what_is_older_than_the_retention(tmp_path, database, capsys):
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa

    from assistant.editors.feedback import FeedbackStore, editor_questions, feedback
    from assistant.editors.log import log_declined, read

    url = database(tmp_path)
    store = FeedbackStore(url)
    declined = {"abstained": True, "reason": "low_support", "model": "extractive"}
    for question in ("ancienne", "récente"):
        log_declined(store, question, declined)
        store.record(rating="down", question=question, answer=declined)
    old = datetime.now(UTC) - timedelta(days=91)
    with store.engine.begin() as conn:
        for table in (feedback, editor_questions):
            conn.execute(
                table.update().where(table.c.question == "ancienne").values(created_at=old)
            )
    assert cli.main(["purge", "--database-url", url]) == 0
    assert "2 ligne(s) de plus de 90 jours" in capsys.readouterr().err
    assert [r.question for r in read(store)] == ["récente"]
    assert [r["question"] for r in store.list_recent()] == ["récente"]
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(feedback)).scalar() == 1
    store.close()
