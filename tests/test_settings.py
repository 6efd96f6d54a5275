"""Settings: paths as reports and manifests record them."""

from __future__ import annotations

import doctest
from dataclasses import replace
from pathlib import Path

from assistant import settings as settings_module
from assistant.evaluation.cli import settings_dict
from assistant.settings import PROJECT_ROOT, Settings, display_path


def test_display_path_relative_to_the_repository_or_home():
    assert display_path(PROJECT_ROOT / "index" / "build-1") == "index/build-1"
    assert display_path(PROJECT_ROOT) == "."
    assert display_path(Path.home() / ".cache" / "ptce-assistant") == "~/.cache/ptce-assistant"
    assert display_path("/opt/elsewhere/model") == "/opt/elsewhere/model"
    assert display_path("corpus") == "corpus"  # already relative: as given
    assert (
        display_path("bundled:multilingual-e5-small@1a2b") == "bundled:multilingual-e5-small@1a2b"
    )


def test_report_settings_hold_no_absolute_path_of_the_machine():
    s = replace(
        Settings(), cache_dir=Path.home() / ".cache" / "x", llm_api_key="sk-secret", llm="openai"
    )
    data = settings_dict(s)
    assert data["corpus_dir"] == "corpus" and data["index_dir"] == "index"
    assert data["cache_dir"] == "~/.cache/x" and data["llm_api_key"] == "***"
    assert not any(str(v).startswith(("/", str(PROJECT_ROOT))) for v in data.values())


def test_docstring_examples():
    assert doctest.testmod(settings_module).failed == 0
