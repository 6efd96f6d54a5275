"""Request ids and the access log, the health and readiness checks, and what an unexpected
failure shows to users (a French sentence, never a trace or a file path)."""

from __future__ import annotations

import logging

import pytest
from starlette.testclient import TestClient
from test_app import FakePipeline

from assistant.feedback import FeedbackStore
from assistant.web.observe import readiness, request_id
from assistant.web.settings import WebSettings


@pytest.fixture(scope="module")
def make_app():
    from assistant.web.server import create_app
    from assistant.web.ui import build_chat, build_widget

    def make(pipeline=None, store=None, get_pipeline=None):
        settings = WebSettings()
        store = store or FeedbackStore("sqlite://")
        get = get_pipeline or (lambda: pipeline or FakePipeline())
        return create_app(
            settings,
            build_chat(settings, get, store),
            build_widget(settings, get, store),
            index_version="build-test",
            pipeline=pipeline,
            store=store,
        )

    return make


def test_request_id_keeps_a_plain_incoming_id_and_replaces_anything_else():
    assert request_id("abc-123.x") == "abc-123.x"
    for bad in (None, "", "a b", "x" * 65, "id\r\nSet-Cookie: a=b", "<script>"):
        new = request_id(bad)
        assert new != bad and len(new) == 32


class VersionedPipeline(FakePipeline):
    index = type("Index", (), {"chunks": FakePipeline.index.chunks, "version": "build-test"})()


def test_health_and_readiness(make_app, tmp_path):
    with TestClient(make_app(VersionedPipeline())) as client:
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "ready",
            "pipeline": "loaded",
            "index_version": "build-test",
            "feedback": "ok",
        }
    with TestClient(make_app(None)) as client:
        assert client.get("/readyz").status_code == 503


def test_readiness_is_degraded_when_the_feedback_store_is_unreachable(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    store = FeedbackStore(f"sqlite:///{blocked}/sub/feedback.sqlite3")  # under a file
    status, report = readiness(FakePipeline(), store)
    assert status == 200 and report["status"] == "degraded"
    assert report["feedback"] == "unavailable" and "sqlite" not in str(report)


def test_every_response_has_a_request_id_and_one_log_line_without_the_query(make_app, caplog):
    caplog.set_level(logging.INFO, logger="assistant.web.access")
    with TestClient(make_app(FakePipeline()), client=("198.51.100.7", 5000)) as client:
        given = client.get("/healthz?q=secret+question", headers={"X-Request-ID": "lb-42"})
        made = client.get("/nowhere")
    assert given.headers["x-request-id"] == "lb-42"
    assert len(made.headers["x-request-id"]) == 32 and made.status_code == 404
    lines = [r.getMessage() for r in caplog.records if r.name == "assistant.web.access"]
    assert any(line.startswith("GET /healthz 200 ") and "rid=lb-42" in line for line in lines)
    assert any(line.startswith("GET /nowhere 404 ") for line in lines)
    assert not any("secret" in line or "198.51.100.7" in line for line in lines)


class BrokenPipeline(FakePipeline):
    def ask(self, question, history=None):
        raise RuntimeError("boom in /srv/app/assistant/pipeline.py line 42")


def test_an_unexpected_failure_shows_a_french_sentence_not_the_exception(tmp_path, caplog):
    from assistant.web.ui import ChatHandlers
    from assistant.wording import UNEXPECTED

    handlers = ChatHandlers(BrokenPipeline, FeedbackStore("sqlite://"), "chat")
    *_, (_, messages, _, _) = handlers.submit("Qu'est-ce qu'un PTCE ?", [])
    assert "inattendue" in messages[-1]["content"] and "boom" not in messages[-1]["content"]
    assert UNEXPECTED.startswith("Une erreur")
    assert any("boom" in r.exc_text for r in caplog.records if r.exc_text)  # kept for operators


def test_the_ask_api_hides_unexpected_failures_too(make_app):
    from test_limits import _call_ask

    with TestClient(make_app(get_pipeline=BrokenPipeline)) as client:
        messages = _call_ask(client, "Qu'est-ce qu'un PTCE ?", "s-broken")
        config = client.get("/config").json()
    error = messages[-1]["output"]["error"]
    assert error.startswith("Une erreur inattendue") and "boom" not in str(messages)
    assert config["show_error"] is False
