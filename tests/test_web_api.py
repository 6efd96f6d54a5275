"""The plain JSON routes `/api/ask` and `/api/feedback` (assistant/web/api.py), in-process."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from gradio_calls import call, make_app, result
from starlette.testclient import TestClient
from test_app import ABSTAIN, ANSWER, FakePipeline

from assistant.editors.feedback import FeedbackStore
from assistant.web.api import AskApi, add_api_routes
from assistant.web.settings import WebSettings
from assistant.wording import NOT_JSON, RATE_LIMITED, UNEXPECTED

QUESTION = "Comment financer l'animation d'un PTCE ?"


@pytest.fixture
def client(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite3'}")
    with TestClient(make_app(WebSettings(data_dir=tmp_path), FakePipeline(), store)) as c:
        yield c
    store.close()


def test_ask_returns_the_ask_json_contract_with_an_answer_id(client):
    reply = client.post("/api/ask", json={"question": QUESTION, "history": []})
    assert reply.status_code == 200
    body = reply.json()
    assert {**ANSWER.to_json(), "answer_id": body["answer_id"]} == body
    assert reply.headers["x-request-id"] and reply.headers["x-content-type-options"] == "nosniff"


def test_ask_and_gradio_ask_give_the_same_object(client):
    plain = client.post("/api/ask", json={"question": QUESTION}).json()
    gradio = result(call(client, "ask", [QUESTION, []], "s1"))
    assert {k: v for k, v in plain.items() if k != "answer_id"} == {
        k: v for k, v in gradio.items() if k != "answer_id"
    }


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"pas du json", 400, NOT_JSON),
        (b"[1, 2]", 400, NOT_JSON),
        (b'{"question": ""}', 400, "La question est vide : posez une question sur les PTCE."),
        (b'{"history": []}', 400, "La question est vide : posez une question sur les PTCE."),
    ],
)
def test_bad_requests_get_one_french_sentence(client, body, status, error):
    reply = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert (reply.status_code, reply.json()) == (status, {"error": error})


def test_a_failure_is_a_500_with_the_notice_and_no_trace(tmp_path):
    class Broken(FakePipeline):
        def ask(self, question, history=None):
            raise RuntimeError("secret internals")

    app = make_app(WebSettings(data_dir=tmp_path), Broken(), FeedbackStore("sqlite://"))
    with TestClient(app) as client:
        reply = client.post("/api/ask", json={"question": QUESTION})
    assert (reply.status_code, reply.json()) == (500, {"error": UNEXPECTED})


def test_rate_limit_is_shared_with_gradio_and_answered_429(tmp_path):
    settings = WebSettings(data_dir=tmp_path, rate_per_minute=0, rate_per_minute_ip=2)
    with TestClient(make_app(settings, FakePipeline(), FeedbackStore("sqlite://"))) as client:
        assert result(call(client, "ask", [QUESTION, []], "s1"))["answer"]
        assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200
        reply = client.post("/api/ask", json={"question": QUESTION})
    assert (reply.status_code, reply.json()) == (429, {"error": RATE_LIMITED})


def test_decline_and_its_thumbs_down_are_one_editor_row(tmp_path):
    db = tmp_path / "f.sqlite3"
    store = FeedbackStore(f"sqlite:///{db}")
    pipeline = FakePipeline(ABSTAIN)
    with TestClient(make_app(WebSettings(data_dir=tmp_path), pipeline, store)) as client:
        answer = client.post("/api/ask", json={"question": "Quel temps à Lille ?"}).json()
        assert answer["abstained"]
        forged = {**answer, "answer": "forgé"}  # the served trace wins over the client's copy
        saved = client.post(
            "/api/feedback",
            json={"question": "x", "answer": forged, "rating": "down", "comment": "bof"},
        ).json()
        assert saved["saved"]
        # an answer_id from the JSON route is known to Gradio's feedback endpoint too
        again = result(call(client, "feedback", ["x", answer, "up", ""], "s2"))
        assert again["saved"]
        bad = client.post("/api/feedback", json={"question": "x", "answer": {}, "rating": "?"})
        assert bad.status_code == 400 and bad.json()["error"]
    store.close()
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT question, rating, comment FROM editor_questions").fetchall()
        answers = [r[0] for r in conn.execute("SELECT answer FROM feedback")]
    assert rows == [("Quel temps à Lille ?", "down", "bof")]
    assert "forgé" not in "".join(answers)


def test_answers_computed_at_once_are_capped_by_the_concurrency(tmp_path):
    from fastapi import FastAPI

    lock, running, peak = threading.Lock(), [0], [0]
    release = threading.Event()

    class Slow(FakePipeline):
        def ask(self, question, history=None):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            release.wait(2)
            with lock:
                running[0] -= 1
            return super().ask(question, history)

    settings = WebSettings(
        data_dir=tmp_path, concurrency=2, rate_per_minute=0, rate_per_minute_ip=0
    )
    app = FastAPI()
    add_api_routes(app, AskApi(Slow, FeedbackStore("sqlite://"), settings))
    with TestClient(app) as client:
        replies: list[int] = []
        threads = [
            threading.Thread(
                target=lambda: replies.append(
                    client.post("/api/ask", json={"question": QUESTION}).status_code
                )
            )
            for _ in range(5)
        ]
        for t in threads:
            t.start()
        threading.Timer(0.5, release.set).start()
        for t in threads:
            t.join(10)
    assert replies == [200] * 5 and peak[0] == 2


def test_main_keeps_gradio_analytics_short_on_the_pages_it_builds(monkeypatch, tmp_path):
    """The queue reads the analytics settings when each `gr.Blocks` is built: app.main sets
    them before building the pages (a pandas summary after every event otherwise)."""
    import app as app_module
    from assistant.web import server

    built = {}

    def fake_create_app(settings, chat, widget, **kwargs):
        built["queues"] = [chat._queue, widget._queue]
        built["api"] = kwargs.get("api")
        return object()

    for name in ("GRADIO_ANALYTICS_MAX_EVENTS", "GRADIO_ANALYTICS_CACHE_FREQUENCY"):
        monkeypatch.delenv(name, raising=False)
    pipeline = FakePipeline()
    pipeline.index = type("Index", (), {"version": "test", "chunks": []})()
    monkeypatch.setattr(app_module, "get_pipeline", lambda *a, **k: pipeline)
    monkeypatch.setattr(server, "create_app", fake_create_app)
    monkeypatch.setattr(server, "serve", lambda app, settings: None)
    assert app_module.main(["--data-dir", str(tmp_path), "-q"]) == 0
    assert [q.ANALYTICS_MAX_EVENTS for q in built["queues"]] == [100, 100]
    assert built["queues"][0].ANAYLTICS_CACHE_FREQUENCY == 1000  # sic, Gradio's spelling
    assert isinstance(built["api"], AskApi)
