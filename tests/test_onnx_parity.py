"""The light serving path against the reference, on the real bundled model and index.

- ONNX Runtime's query vectors match sentence-transformers' (cosine >= 0.999) on 200 French
  questions: those of eval/questions.jsonl and variations of them (case, accents, typing);
- the product returns the same top 5 passages for every evaluation question;
- both embedders carry the same identity, so the index is not taken as stale;
- `ask` (CLI) and the app's `ask` import neither torch nor transformers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from dataclasses import replace

import numpy as np
import pytest

from assistant.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.real_model
pytest.importorskip("onnxruntime")

HEAVY = ("torch", "transformers", "sentence_transformers")


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _variations(question: str) -> list[str]:
    return [
        question.lower(),
        _strip_accents(question),
        question.rstrip(" ?") + " ?",
        "Bonjour, " + question[0].lower() + question[1:],
        question.replace("PTCE", "pôle territorial de coopération économique"),
    ]


def french_questions(n: int = 200) -> list[str]:
    from assistant.answer.guard import looks_english

    rows = [json.loads(line) for line in (PROJECT_ROOT / "eval" / "questions.jsonl").open()]
    base = [r["question"] for r in rows if not looks_english(r["question"])]
    out = list(dict.fromkeys(base))
    for q in base:
        out += [v for v in _variations(q) if v not in out]
        if len(out) >= n:
            break
    return out[:n]


@pytest.fixture(scope="module")
def embedders():
    from assistant.search.embed import load_embedder

    settings = Settings.from_env()
    return (
        load_embedder(replace(settings, embedder="sentence-transformers"), progress=False),
        load_embedder(replace(settings, embedder="onnx"), progress=False),
    )


def test_two_hundred_french_questions_embed_alike(embedders):
    reference, onnx = embedders
    questions = french_questions()
    assert len(questions) == 200
    ours, theirs = onnx.embed_queries(questions), reference.embed_queries(questions)
    cosines = (ours * theirs).sum(axis=1)
    worst = int(np.argmin(cosines))
    assert cosines.min() >= 0.999, (questions[worst], float(cosines[worst]))


def test_latin_tokenizer_cuts_every_question_like_the_whole_one(embedders):
    from tokenizers import Tokenizer

    onnx = embedders[1]
    rows = [json.loads(line) for line in (PROJECT_ROOT / "eval" / "questions.jsonl").open()]
    texts = ["query: " + q for q in french_questions() + [r["question"] for r in rows]]
    whole = Tokenizer.from_file(str(onnx.folder / "tokenizer.json"))
    whole.enable_truncation(max_length=512)
    assert onnx.token_ids(texts) == [e.ids for e in whole.encode_batch(texts)]
    assert onnx._latin is not None and onnx._full_tokenizer is None  # the Latin one cut them


def test_same_identity_so_the_index_is_not_stale(embedders):
    from assistant.search.index import (
        current_build,
        expected_manifest,
        read_manifest,
        stale_reasons,
    )

    reference, onnx = embedders
    assert type(onnx).__name__ == "OnnxEmbedder" and onnx.name == reference.name
    settings = Settings.from_env()
    manifest = read_manifest(current_build(settings.index_dir))
    assert stale_reasons(manifest, expected_manifest(settings, onnx.name)) == []


def test_same_top_five_on_the_evaluation_set(embedders):
    from assistant.search.index import open_index
    from assistant.search.retrieve import Retriever

    settings = replace(Settings.from_env(), auto_build=False)
    reference, onnx = embedders
    index = open_index(settings, reference, build_if_needed=False, progress=False)
    ours, theirs = Retriever(index, onnx, settings), Retriever(index, reference, settings)
    rows = [json.loads(line) for line in (PROJECT_ROOT / "eval" / "questions.jsonl").open()]
    differ = []
    for r in rows:
        a = [h.chunk.chunk_id for h in ours.search(r["question"], 5).hits]
        b = [h.chunk.chunk_id for h in theirs.search(r["question"], 5).hits]
        if a != b:
            differ.append(r["id"])
    assert len(rows) > 150 and differ == []


def _modules_after(code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
    )
    assert out.returncode == 0, out.stderr
    *first, last = out.stdout.strip().splitlines()
    return {"output": "\n".join(first), "modules": set(json.loads(last))}


def test_cli_ask_imports_no_torch():
    run = _modules_after(
        "from assistant.cli import main\n"
        "main(['ask', \"Qu'est-ce qu'un PTCE ?\", '--json', '-q', '--no-build'])"
    )
    assert json.loads(run["output"])["abstained"] is False
    assert "onnxruntime" in run["modules"]
    assert not [m for m in HEAVY if m in run["modules"]]


def test_app_ask_imports_no_torch(tmp_path):
    run = _modules_after(  # the app built as app.main builds it, then one ask through its API
        "import app\n"
        "from assistant.editors.feedback import FeedbackStore\n"
        "from assistant.web.limits import ClientLimits\n"
        "from assistant.web.settings import WebSettings\n"
        "from assistant.web.ui import build_chat, build_widget\n"
        "from assistant.web.api import AskApi\n"
        "from assistant.web.server import create_app\n"
        "from pathlib import Path\n"
        f"s = WebSettings.from_env(data_dir=Path({str(tmp_path)!r}))\n"
        "load = lambda: app.get_pipeline(s.pipeline, quiet=True)\n"
        "store, limits = FeedbackStore(s.feedback_url), ClientLimits.from_settings(s)\n"
        "api = AskApi(load, store, s, limits)\n"
        "chat, widget = build_chat(s, load, store, limits, api=api), build_widget(s, load, store, limits)\n"
        "create_app(s, chat, widget, pipeline=load(), store=store, api=api)\n"
        "print(list(api.ask(\"Qu'est-ce qu'un PTCE ?\", []))[-1]['abstained'])"
    )
    assert run["output"] == "False"
    assert "gradio" in run["modules"] and "onnxruntime" in run["modules"]
    assert not [m for m in HEAVY if m in run["modules"]]
