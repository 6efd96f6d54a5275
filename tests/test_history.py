"""One place cleans the conversation history (`assistant.history.clean_history`), with one
limit: `Settings.max_history_turns`, used by the pipeline and the web app alike."""

from __future__ import annotations

from assistant.history import MAX_TURN_CHARS, clean_history
from assistant.settings import Settings
from assistant.web.limits import ClientLimits
from assistant.web.settings import WebSettings


def test_malformed_turns_are_dropped():
    history = [
        {"role": "system", "content": "x"},
        "junk",
        {"role": "user", "content": 5},
        {"role": "assistant", "content": "   "},
        {"role": "user", "content": " a  b "},
    ]
    assert clean_history(history, 20) == [{"role": "user", "content": "a b"}]
    assert clean_history(None, 20) == [] and clean_history("junk", 20) == []


def test_gradio_messages_become_plain_text():
    history = [
        {"role": "user", "content": [{"text": "Et son"}, "montant ?", 3, {"text": 4}]},
        {"role": "assistant", "content": '<p>La subvention <a href="#s">[1]</a></p>'},
        {"role": "user", "content": "x" * (3 * MAX_TURN_CHARS)},
    ]
    assert clean_history(history, 20) == [
        {"role": "user", "content": "Et son montant ? 4"},
        {"role": "assistant", "content": "La subvention [1]"},
        {"role": "user", "content": "x" * MAX_TURN_CHARS},
    ]


def test_only_the_latest_turns_are_read():
    history = [{"role": "user", "content": str(i)} for i in range(100)]
    assert clean_history(history, 4) == history[-4:]
    assert clean_history(history, 0) == [] and clean_history(history, -1) == []


def test_one_history_limit_for_the_pipeline_and_the_web_app():
    web = WebSettings.from_env({"ASSISTANT_MAX_HISTORY_TURNS": "6"})
    assert web.pipeline.max_history_turns == 6
    assert ClientLimits.from_settings(web).max_history_turns == 6
    assert not hasattr(web, "max_history_turns")
    assert Settings.from_env({}).max_history_turns == Settings.max_history_turns
