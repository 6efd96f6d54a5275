"""The chat as plain functions (`app.respond`, `app.ask`, the UI handlers), with a fake
pipeline: no model, no browser. Plus the settings and the security headers of the server."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time

import pytest

from assistant.errors import UserError
from assistant.schema import Answer, Chunk, Source
from assistant.settings import PROJECT_ROOT, Settings
from assistant.web import ask_stream, reply
from assistant.web.settings import WebSettings, normalize_origins


def _load_app():
    """`app.py` sits at the project root, outside the package: load it by path."""
    spec = importlib.util.spec_from_file_location("app", PROJECT_ROOT / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


app = _load_app()

CHUNKS = [
    Chunk(
        "c1",
        "guide",
        "Guide PTCE",
        ("PTCE, de quoi parle-t-on ?",),
        "Un PTCE est un regroupement.",
        0,
        30,
    ),
    Chunk(
        "c2",
        "guide",
        "Guide PTCE",
        ("Quels rôles pour les collectivités ?",),
        "L'animation est difficile à financer.",
        40,
        80,
    ),
    Chunk(
        "c3", "guide", "Guide PTCE", ("Comment soutenir ?",), "Aider au fonctionnement.", 90, 120
    ),
]


def src(n: int, chunk: Chunk, quote: str) -> Source:
    return Source(
        n,
        chunk.doc_id,
        chunk.title,
        chunk.section_path,
        "https://www.rtes.fr",
        chunk.text,
        0.5,
        chunk.chunk_id,
        quote,
    )


ANSWER = Answer(
    "L'animation est difficile à financer. [1] Aider au fonctionnement. [2]",
    False,
    (
        src(1, CHUNKS[1], "L'animation est difficile à financer."),
        src(2, CHUNKS[2], "Aider au fonctionnement."),
    ),
    {"total": 12.0},
    "Comment financer l'animation ?",
    "",
    "extractive",
    "build-test",
)
ABSTAIN = Answer(
    "Le guide ne répond pas à cette question.",
    True,
    (),
    {},
    "tarte",
    "low_support",
    "extractive",
    "build-test",
)


class FakeIndex:
    chunks = CHUNKS


class FakePipeline:
    """Answers from a script; remembers what it was asked."""

    index = FakeIndex()

    def __init__(self, answer: Answer = ANSWER):
        self.answer = answer
        self.calls: list[tuple[object, list]] = []

    def ask(self, question, history=None):
        self.calls.append((question, history))
        if not isinstance(question, str) or not question.strip():
            raise UserError("La question est vide : posez une question sur les PTCE.")
        return self.answer


class StreamingPipeline(FakePipeline):
    """Has `stream`, like the real pipeline: text deltas as written, then the Answer."""

    def stream(self, question, history=None):
        self.calls.append((question, history))
        if not question.strip():
            raise UserError("La question est vide : posez une question sur les PTCE.")
        if not self.answer.abstained:
            yield "L'animation est difficile à financer. [1]"
            yield " Aider au fonctionnement. [2]"
        else:
            yield self.answer.answer
        yield self.answer


# ------------------------------------------------------------------ respond / ask


@pytest.mark.parametrize("pipeline_class", [FakePipeline, StreamingPipeline])
def test_respond_streams_then_links_citations_to_sources(pipeline_class):
    steps = list(app.respond("Comment financer l'animation ?", [], pipeline=pipeline_class()))
    assert len(steps) >= 2
    first, final = steps[0], steps[-1]
    assert "Aider" not in first and '<span class="cite">[1]</span>' in first  # still being written
    assert 'href="#src-1-1"' in final and 'href="#src-1-2"' in final
    assert 'id="src-1-1"' in final and 'id="src-1-2"' in final
    assert "<mark>L&#x27;animation est difficile à financer.</mark>" in final


def test_an_abstention_never_shows_as_an_answer_while_streaming():
    steps = list(reply(StreamingPipeline(ABSTAIN), "Recette de la tarte tatin ?"))
    assert len(steps) == 1 and "notice-abstain" in steps[0].html


def test_respond_passes_history_and_numbers_turns():
    pipeline = FakePipeline()
    history = [
        {"role": "user", "content": "Comment financer l'animation ?"},
        {"role": "assistant", "content": [{"type": "text", "text": "<p>Réponse <b>un</b></p>"}]},
    ]
    final = list(app.respond("et son montant ?", history, pipeline=pipeline))[-1]
    assert pipeline.calls[0] == (
        "et son montant ?",
        [
            {"role": "user", "content": "Comment financer l'animation ?"},
            {"role": "assistant", "content": "Réponse un"},
        ],
    )
    assert 'id="src-2-1"' in final  # second turn: anchors do not collide with the first one's


def test_abstention_is_one_notice_with_suggestions_from_the_outline():
    steps = list(reply(FakePipeline(ABSTAIN), "Recette de la tarte tatin ?"))
    assert len(steps) == 1 and steps[0].done
    assert "notice-abstain" in steps[0].html and "cite" not in steps[0].html
    assert [s.question for s in steps[0].suggestions][:1] == ["PTCE, de quoi parle-t-on ?"]


def test_suggestions_come_from_neighbouring_sections():
    last = list(reply(FakePipeline(), "Comment financer l'animation ?"))[-1]
    assert last.done and last.answer is ANSWER
    assert "PTCE, de quoi parle-t-on ?" in [s.question for s in last.suggestions]


@pytest.mark.parametrize("pipeline_class", [FakePipeline, StreamingPipeline])
def test_bad_message_is_a_notice_not_an_exception(pipeline_class):
    steps = list(app.respond("   ", [], pipeline=pipeline_class()))
    assert len(steps) == 1 and "notice-error" in steps[0] and "La question est vide" in steps[0]


@pytest.mark.parametrize("pipeline_class", [FakePipeline, StreamingPipeline])
def test_ask_returns_the_cli_json_contract(pipeline_class):
    assert (
        app.ask("Comment financer l'animation ?", None, pipeline=pipeline_class())
        == ANSWER.to_json()
    )
    json.dumps(ANSWER.to_json())  # serialisable as is


def test_ask_stream_partial_answers_then_the_whole():
    steps = list(ask_stream(StreamingPipeline(), "Comment financer l'animation ?", every=0))
    assert steps[-1] == ANSWER.to_json()
    assert steps[0]["answer"] == "L'animation est difficile à financer. [1]"
    assert steps[0]["sources"] == [] and set(steps[0]) == set(steps[-1])


class SlowStreamingPipeline(StreamingPipeline):
    """Writes its answer slowly, like an LLM: 0.2 s between deltas."""

    def stream(self, question, history=None):
        for item in super().stream(question, history):
            time.sleep(0.2)
            yield item


def test_ask_stream_sends_an_answer_ready_at_once_as_one_object():
    steps = list(ask_stream(StreamingPipeline(), "Comment financer l'animation ?"))
    assert steps == [ANSWER.to_json()]


def test_ask_stream_still_streams_an_answer_written_slowly():
    steps = list(ask_stream(SlowStreamingPipeline(), "Comment financer l'animation ?"))
    assert [s["answer"] for s in steps[:-1]] == ["L'animation est difficile à financer. [1]"]
    assert steps[-1] == ANSWER.to_json()


def test_ask_raises_user_error_for_bad_input():
    with pytest.raises(UserError):
        app.ask("", pipeline=FakePipeline())


# ------------------------------------------------------------------ the UI handlers


@pytest.fixture(scope="module")
def ui():
    from assistant.web import ui

    return ui


def test_submit_handler_keeps_a_trace_per_answer_and_offers_suggestions(ui, tmp_path):
    from assistant.feedback import FeedbackStore

    handlers = ui.ChatHandlers(
        FakePipeline, FeedbackStore(f"sqlite:///{tmp_path / 'f.db'}"), "chat"
    )
    *_, (box, messages, log, _) = handlers.submit(
        "Comment financer l'animation ? <script>x</script>", []
    )
    assert box == "" and len(messages) == 2 and len(log) == 2
    assert "&lt;script&gt;" in messages[0]["content"]
    assert log[1]["answer"] == ANSWER.to_json() and log[1]["question"].startswith("Comment")
    assert messages[1]["options"] and all(o["value"].endswith("?") for o in messages[1]["options"])


def test_like_handler_stores_the_rating_with_the_trace(ui, tmp_path):
    import gradio as gr

    from assistant.feedback import FeedbackStore

    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.db'}")
    handlers = ui.ChatHandlers(FakePipeline, store, "widget")
    *_, (_, _, log, _) = handlers.submit("Comment financer l'animation ?", [])
    box, feedback_id, status, _ = handlers.like(
        log, gr.LikeData(None, {"index": 1, "value": "", "liked": False})
    )
    assert feedback_id == 1 and "Merci" in status
    handlers.comment(feedback_id, "Il manque le montant.")
    row = store.list_recent()[0]
    assert (row["rating"], row["comment"], row["surface"]) == (
        "down",
        "Il manque le montant.",
        "widget",
    )
    assert row["chunk_ids"] == ["c2", "c3"] and row["index_version"] == "build-test"


# ------------------------------------------------------------------ settings, server headers, --help


def test_web_settings_from_environment_and_flags(tmp_path):
    env = {
        "ASSISTANT_PORT": "8080",
        "ASSISTANT_ALLOWED_ORIGINS": "https://www.cress-hdf.org/, http://localhost:3000",
        "ASSISTANT_BASE_PATH": "assistant/",
        "ASSISTANT_DATA_DIR": str(tmp_path),
        "ASSISTANT_TOP_K": "3",
    }
    s = WebSettings.from_env(env, theme_color="#123456")
    assert s.port == 8080 and s.base_path == "/assistant" and s.theme_color == "#123456"
    assert s.allowed_origins == ("https://www.cress-hdf.org", "http://localhost:3000")
    assert s.feedback_url == f"sqlite:///{tmp_path.resolve() / 'feedback.sqlite3'}"
    assert s.pipeline.top_k == 3 and isinstance(s.pipeline, Settings)
    assert (
        WebSettings.from_env({"ASSISTANT_DATABASE_URL": "postgresql://db/x"}).feedback_url
        == "postgresql://db/x"
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"theme_color": "blue"},
        {"port": 0},
        {"allowed_origins": ("cress-hdf.org",)},
        {"allowed_origins": ("https://a.fr/page",)},
    ],
)
def test_web_settings_refuse_bad_values_with_a_sentence(bad):
    with pytest.raises(UserError):
        WebSettings(**bad)


def test_star_origin_means_any():
    assert normalize_origins("https://a.fr, *") == ("*",)


def test_security_headers_on_every_response():
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from assistant.web.server import SecurityHeaders, frame_ancestors, security_headers

    settings = WebSettings(allowed_origins=("https://www.cress-hdf.org",))
    inner = Starlette(routes=[Route("/", lambda r: PlainTextResponse("ok"))])
    client = TestClient(SecurityHeaders(inner, security_headers(settings)))
    headers = client.get("/").headers
    assert headers["content-security-policy"] == "frame-ancestors 'self' https://www.cress-hdf.org"
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"]
    assert frame_ancestors(()) == "frame-ancestors 'self'"
    assert frame_ancestors(("*",)) == "frame-ancestors *"


def test_help_is_instant_and_lists_the_settings():
    out = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "app.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0
    for flag in (
        "--host",
        "--port",
        "--data-dir",
        "--database-url",
        "--allowed-origins",
        "--base-path",
        "--theme-color",
        "--greeting",
        "--index-dir",
        "--top-k",
    ):
        assert flag in out.stdout
    heavy = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, app; print(sorted({'gradio', 'torch', 'sqlalchemy'} & set(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=30,
    )
    assert heavy.stdout.strip() == "[]"


def test_pages_behind_a_base_path_carry_the_headers_and_cors_is_limited(ui):
    """The real Gradio pages, mounted as `python app.py --base-path /assistant` serves them
    (the ASGI root_path is in the path, as uvicorn passes it)."""
    import re

    from starlette.testclient import TestClient

    from assistant.feedback import FeedbackStore
    from assistant.web.server import create_app

    settings = WebSettings(allowed_origins=("https://www.cress-hdf.org",), base_path="/assistant")
    store = FeedbackStore("sqlite://")
    app = create_app(
        settings,
        ui.build_chat(settings, FakePipeline, store),
        ui.build_widget(settings, FakePipeline, store),
    )
    with TestClient(app, root_path="/assistant") as client:
        for path, root in [
            ("/assistant/", "/assistant"),
            ("/assistant/widget/", "/assistant/widget"),
        ]:
            page = client.get(path)
            assert page.status_code == 200
            assert (
                page.headers["content-security-policy"]
                == "frame-ancestors 'self' https://www.cress-hdf.org"
            )
            assert page.headers["x-content-type-options"] == "nosniff"
            assert re.search(rf'"root":"http://testserver{root}"', page.text)
            assert "set-cookie" not in page.headers

        def preflight(origin: str):
            return client.options(
                "/assistant/gradio_api/info",
                headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            )

        assert (
            preflight("https://www.cress-hdf.org").headers["access-control-allow-origin"]
            == "https://www.cress-hdf.org"
        )
        assert "access-control-allow-origin" not in preflight("https://evil.example").headers
        plain = client.get("/assistant/gradio_api/info", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in plain.headers
