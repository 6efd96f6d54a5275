"""Faults, with the real app in a subprocess (real model, ~15 s to start): a SIGKILL in the
middle of answers loses no feedback and leaves the index intact; a corrupt index stops the
app at once with one sentence; an unreachable feedback database does not stop the chat.
(An LLM server that is down is covered by tests/test_llm_server.py.)"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.settings import PROJECT_ROOT

STARTUP_TIMEOUT_S = 300
INDEX = PROJECT_ROOT / "index"
QUESTION = "Qu'est-ce qu'un PTCE ?"

pytestmark = [
    pytest.mark.real_model,
    pytest.mark.skipif(
        not (INDEX / "CURRENT").is_file(), reason="needs the built index under index/"
    ),
]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(tmp_path: Path, *args: str) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / f"app-{time.monotonic_ns()}.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, str(PROJECT_ROOT / "app.py"), "--quiet", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=PROJECT_ROOT,
        )
    return proc, log


def start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen, str]:
    """The app on a free port, once /healthz answers."""
    port = free_port()
    proc, log = launch(tmp_path, "--port", str(port), *args)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            pytest.fail(f"app.py exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"app.py not ready:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def index_checksums(root: Path = INDEX) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False)


def test_sigkill_mid_answer_loses_no_feedback_and_leaves_the_index_intact(tmp_path):
    data = tmp_path / "data"
    before = index_checksums()
    proc, url = start(tmp_path, "--data-dir", str(data))
    try:
        api = client(url)
        answer = api.predict(QUESTION, None, api_name="/ask")
        ids = [
            api.predict(QUESTION, answer, r, "", api_name="/feedback")["id"] for r in ("up", "down")
        ]
        assert ids == [1, 2]
        # several answers in flight (the queue holds the rest), then SIGKILL
        calls = [
            threading.Thread(target=_ask_quietly, args=(url, f"{QUESTION} {i}"), daemon=True)
            for i in range(4)
        ]
        for t in calls:
            t.start()
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        stop(proc)
    assert proc.returncode == -signal.SIGKILL
    assert index_checksums() == before
    db = data / "feedback.sqlite3"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert [r[0] for r in conn.execute("SELECT rating FROM feedback ORDER BY id")] == [
            "up",
            "down",
        ]
    proc, url = start(tmp_path, "--data-dir", str(data))  # restart on the same files
    try:
        api = client(url)
        answer = api.predict(QUESTION, None, api_name="/ask")
        assert answer["sources"] and not answer["abstained"]
        assert api.predict(QUESTION, answer, "up", "", api_name="/feedback")["id"] == 3
    finally:
        stop(proc)
    assert index_checksums() == before


def _ask_quietly(url: str, question: str) -> None:
    with contextlib.suppress(Exception):  # the server is killed under it
        client(url).predict(question, None, api_name="/ask")


def test_a_corrupt_index_stops_the_app_with_one_sentence(tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(INDEX, index_dir)
    build = index_dir / (INDEX / "CURRENT").read_text().strip()
    with open(build / "chunks.jsonl", "a", encoding="utf-8") as f:
        f.write('{"tampered": true}\n')
    proc, log = launch(
        tmp_path, "--port", str(free_port()), "--index-dir", str(index_dir), "--data-dir",
        str(tmp_path / "data"),
    )  # fmt: skip
    try:
        code = proc.wait(timeout=STARTUP_TIMEOUT_S)
    finally:
        stop(proc)
    out = log.read_text()
    assert code == 2
    assert "Traceback" not in out
    errors = [line for line in out.splitlines() if line.startswith("Erreur")]
    assert len(errors) == 1 and "corrupt" in errors[0] and "python -m assistant build" in errors[0]
    assert (build / "chunks.jsonl").read_text().endswith('{"tampered": true}\n')  # left as is


def test_the_chat_answers_when_the_feedback_database_is_unreachable(tmp_path):
    import json

    closed = free_port()  # nothing listens there
    proc, url = start(
        tmp_path, "--database-url", f"postgresql+psycopg://nobody@127.0.0.1:{closed}/feedback"
    )
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=30) as r:
            ready = json.load(r)
        assert r.status == 200 and ready["status"] == "degraded"
        assert ready["feedback"] == "unavailable"
        api = client(url)
        answer = api.predict(QUESTION, None, api_name="/ask")
        assert answer["sources"] and not answer["abstained"]
        saved = api.predict(QUESTION, answer, "up", "", api_name="/feedback")
        assert saved == {"saved": False, "id": None}
    finally:
        stop(proc)
