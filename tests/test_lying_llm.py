"""An OpenAI-compatible server on loopback that lies: whatever it invents — an amount, a
date, a citation to a passage that does not exist, a claim with no number at all — never
reaches the user. The answer keeps only what the cited passages state, or falls back to the
guide's own sentences with a note."""

from __future__ import annotations

import importlib.util
import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.answer.llm import load_answerer
from assistant.pipeline import Pipeline

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("langchain_openai") is None,
    reason="langchain-openai is not installed (pip install -e '.[llm]')",
)

QUESTION = "Quel est le montant de la subvention versée par la commune ?"
LIES = {
    "amount": "La commune verse 5 000 euros par an au jardin [1].",
    "date": "La commune verse cette subvention depuis 2005 [1].",
    "citation": "La commune verse une subvention au jardin [7].",
    "no number": "Les jardins sont éligibles sans autofinancement [1].",
    "restriction": "Cette aide est versée uniquement aux associations de quartier [1].",
    "content": "La commune verse aussi des semences gratuites aux écoles [1].",
}
TRUE = "La commune verse une subvention de 3 000 euros par an au jardin [1]."


class _Lying(BaseHTTPRequestHandler):
    script = ""

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "liar"}
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in (
                self.script[: len(self.script) // 2],
                self.script[len(self.script) // 2 :],
            ):
                delta = {
                    "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]
                }
                self.wfile.write(f"data: {json.dumps({**chunk, **delta})}\n\n".encode())
            end = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            self.wfile.write(f"data: {json.dumps({**chunk, **end})}\n\ndata: [DONE]\n\n".encode())
            return
        reply = {
            **chunk,
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": self.script},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }  # fmt: skip
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def liar(tiny_settings, fake_embedder):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Lying)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = replace(
        tiny_settings,
        llm="openai",
        llm_base_url=f"http://127.0.0.1:{server.server_address[1]}/v1",
        llm_model="liar",
        llm_timeout=10.0,
    )
    pipeline = Pipeline.load(settings, embedder=fake_embedder, progress=False)
    pipeline.llm = load_answerer(settings)
    yield pipeline
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("kind", sorted(LIES))
def test_a_lie_never_reaches_the_user(liar, kind):
    _Lying.script = f"{LIES[kind]} {TRUE}"
    answer = liar.ask(QUESTION)
    shown = answer.answer
    for invented in ("5 000", "2005", "[7]", "sans autofinancement", "uniquement", "semences"):
        assert invented not in shown, (kind, shown)
    # what the model said truly is kept, verified; the lie is noted
    assert "3 000 euros" in shown and answer.model == "openai:liar" and answer.method == "llm"
    assert any("retirée" in n or "remplacée" in n or "[7]" in n for n in answer.notes), answer.notes


def test_a_reply_that_is_all_lies_falls_back_to_the_guide(liar):
    _Lying.script = f"{LIES['no number']} {LIES['content']}"
    answer = liar.ask(QUESTION)
    assert answer.model == "extractive" and answer.method == "extractive"
    assert "autofinancement" not in answer.answer and "3 000 euros" in answer.answer
    assert answer.notes and answer.notes[0] in answer.answer
