"""Fixtures for the browser tests: the real app in a subprocess (real model, the index under
index/), static sites on other loopback origins, and Debian's headless Chromium.

Screenshots go to $PTCE_SCREENSHOTS when set (e.g. docs/screenshots), else to a temp folder.
"""

from __future__ import annotations

import functools
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.settings import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 300  # loading the model takes ~15 s; building a missing index, longer
ADMIN_TOKEN = "jeton-de-test-editeurs"  # the app under test serves the editors' page /admin


def pytest_collection_modifyitems(config, items) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"needs Debian's chromium at {CHROMIUM} (run .ci/browser-deps.sh)"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Site:
    url: str  # no trailing slash

    @property
    def origin(self) -> str:
        return self.url


@dataclass(frozen=True)
class AppServer:
    url: str
    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "feedback.sqlite3"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _serve(directory: Path, port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def ports() -> dict[str, int]:
    return {"app": free_port(), "host": free_port(), "other": free_port()}


@pytest.fixture(scope="session")
def host_site(ports):
    """The partner portal (widget/host.html) on an allowed origin."""
    server = _serve(PROJECT_ROOT / "widget", ports["host"])
    yield Site(f"http://127.0.0.1:{ports['host']}")
    server.shutdown()


@pytest.fixture(scope="session")
def app_server(ports, host_site, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    log_path = data_dir.parent / "app.log"
    url = f"http://127.0.0.1:{ports['app']}"
    cmd = [
        sys.executable, str(PROJECT_ROOT / "app.py"),
        "--port", str(ports["app"]),
        "--data-dir", str(data_dir),
        "--allowed-origins", host_site.origin,
    ]  # fmt: skip
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ASSISTANT_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=PROJECT_ROOT
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"app.py exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"app.py not ready after {STARTUP_TIMEOUT_S} s:\n{log_path.read_text()[-3000:]}"
                )
            time.sleep(0.5)
        yield AppServer(url, data_dir)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def other_site(ports, app_server, tmp_path_factory):
    """A site that is NOT allowed to embed the app: a page framing the widget."""
    root = tmp_path_factory.mktemp("other-site")
    (root / "frame.html").write_text(
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Autre site</title></head>'
        f'<body><h1>Site non autorisé</h1><iframe id="widget" title="Assistant" src="{app_server.url}/widget/"'
        ' width="400" height="600"></iframe></body></html>',
        encoding="utf-8",
    )
    server = _serve(root, ports["other"])
    yield Site(f"http://127.0.0.1:{ports['other']}")
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page_at(browser):
    """page_at(width, height) -> a fresh French page in its own context (no shared cookies)."""
    contexts = []

    def make(width: int = 1280, height: int = 800):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for c in contexts:
        c.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("PTCE_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
