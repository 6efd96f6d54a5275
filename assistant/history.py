"""Conversation history, cleaned in one place for every entry point (CLI, pipeline, chat,
widget, `ask` API):

    >>> clean_history([{"role": "system", "content": "x"}, "junk",
    ...                {"role": "user", "content": [{"text": "<p>Et  son montant ?</p>"}]}], 20)
    [{'role': 'user', 'content': 'Et son montant ?'}]

Only the last `max_turns` entries are read (`Settings.max_history_turns`), so an oversized
history costs nothing to walk; each kept turn is plain text, at most `MAX_TURN_CHARS`.
"""

from __future__ import annotations

import re

MAX_TURN_CHARS = 4000  # characters kept of each earlier turn
_TAG = re.compile(r"<[^>]+>")  # the HTML the chat rendered for an earlier answer
_ROLES = ("user", "assistant")


def clean_history(history: object, max_turns: int) -> list[dict[str, str]]:
    """The well-formed turns among the last `max_turns` entries of `history`, as the pipeline
    takes them: role user or assistant, content as text (Gradio's list of parts joined, HTML
    tags dropped, white space collapsed, cut to `MAX_TURN_CHARS`). Anything else (not a list,
    another role, no text) is dropped; `max_turns` 0 means no history."""
    if not isinstance(history, list) or max_turns <= 0:
        return []
    out: list[dict[str, str]] = []
    for turn in history[-max_turns:]:
        if not isinstance(turn, dict) or turn.get("role") not in _ROLES:
            continue
        content = turn.get("content")
        if isinstance(content, list):
            content = " ".join(
                str(p.get("text", "")) if isinstance(p, dict) else p
                for p in content[:100]
                if isinstance(p, dict | str)
            )
        if isinstance(content, str) and content.strip():
            content = content[: 2 * MAX_TURN_CHARS]
            text = (_TAG.sub(" ", content) if "<" in content else content)[:MAX_TURN_CHARS]
            out.append({"role": turn["role"], "content": " ".join(text.split())})
    return out
