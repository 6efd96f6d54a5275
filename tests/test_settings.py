"""Settings: paths as reports and manifests record them; the one environment parser."""

from __future__ import annotations

import doctest
from dataclasses import replace
from pathlib import Path

import pytest

from assistant import settings as settings_module
from assistant.cli import main
from assistant.errors import UserError
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


# ---------------------------------------------------------------- the one environment parser


def test_one_parser_reads_both_settings_objects():
    from assistant.web.settings import WebSettings

    env = {
        "ASSISTANT_TOP_K": "3",
        "ASSISTANT_AUTO_BUILD": "off",
        "ASSISTANT_CACHE_DIR": "~/elsewhere",
        "ASSISTANT_MIN_SUPPORT": "0.5",
        "ASSISTANT_LLM": "",  # empty: unset
        "ASSISTANT_PORT": "8081",
        "ASSISTANT_DATA_DIR": "~/data",
        "ASSISTANT_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8",
        "ASSISTANT_ALLOWED_ORIGINS": "https://A.example/",
    }
    s = Settings.from_env(env)
    assert (s.top_k, s.auto_build, s.min_support, s.llm) == (3, False, 0.5, "")
    assert s.cache_dir == Path.home() / "elsewhere"
    web = WebSettings.from_env(env)
    assert web.port == 8081 and web.data_dir == Path.home() / "data"
    assert web.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    assert web.allowed_origins == ("https://a.example",)
    assert web.pipeline.top_k == 3


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("ASSISTANT_TOP_K", "trois", "nombre entier"),
        ("ASSISTANT_MIN_SUPPORT", "haut", "nombre valide"),
        ("ASSISTANT_AUTO_BUILD", "peut-être", "booléen"),
        ("ASSISTANT_PORT", "80a", "nombre entier"),
        ("ASSISTANT_RATE_PER_MINUTE", "x", "nombre entier"),
    ],
)
def test_a_bad_value_is_one_french_sentence_naming_the_variable(variable, value, words):
    from assistant.web.settings import WebSettings

    with pytest.raises(UserError) as caught:
        WebSettings.from_env({variable: value})
    message = str(caught.value)
    assert (
        message.startswith(f"La variable {variable}='{value}' n'est pas un ") and words in message
    )
    assert message.endswith(".") and message.count(". ") == 0


def test_the_cli_reports_a_bad_variable_without_a_traceback(monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_TOP_K", "beaucoup")
    assert main(["ask", "Qu'est-ce qu'un PTCE ?", "--no-build", "-q"]) == 2
    err = capsys.readouterr().err
    assert (
        err.strip()
        == "Erreur : La variable ASSISTANT_TOP_K='beaucoup' n'est pas un nombre entier valide."
    )
