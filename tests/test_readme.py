"""The README's examples, run as a newcomer would: the `--history` command with the shipped
example file, the JSON contract's field list, and the LangChain chain."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import re
import shlex
import subprocess
import sys

import pytest

from assistant.cli import _read_history
from assistant.schema import Answer, Source
from assistant.settings import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def readme_command(marker: str) -> list[str]:
    """The README line holding `marker`, as an argument list for this Python."""
    line = next(x for x in README.splitlines() if marker in x and x.startswith("python "))
    return [sys.executable, *shlex.split(line, comments=True)[1:]]


def python_block(after_heading: str) -> str:
    section = README.split(after_heading, 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_history_example_file_ships_and_is_valid():
    args = readme_command("--history")
    path = PROJECT_ROOT / args[args.index("--history") + 1]
    history = _read_history(path)
    assert [t["role"] for t in history] == ["user", "assistant"]
    assert "ACTE" in history[0]["content"]


def test_the_contract_in_the_readme_names_every_field():
    contract = README.split("`ask --json` prints one object", 1)[1].split("```", 2)[1]
    keys = set(re.findall(r'"(\w+)"\s*:', contract))
    answer_keys = set(Answer("x", False).to_json())
    source_keys = {f.name for f in dataclasses.fields(Source)}
    assert answer_keys | source_keys <= keys, (answer_keys | source_keys) - keys
    assert {"notes", "method"} <= keys


@pytest.mark.real_model
def test_the_history_command_of_the_readme_answers_the_follow_up():
    done = subprocess.run(
        readme_command("--history"), capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert not answer["abstained"] and "ACTE" in answer["query"]  # resolved as a follow-up
    assert "60 000" in answer["answer"]
    assert any("15 000 et 60 000" in s["text"] for s in answer["sources"])


@pytest.mark.real_model
def test_the_langchain_chain_of_the_readme_runs():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(python_block("## In a LangChain chain"), {})  # noqa: S102 - our own README
    assert out.getvalue().strip() == "La subvention ACTE va de 15 000 à 60 000 € [1]."


def test_the_file_map_lists_every_module_and_nothing_gone():
    rows = re.findall(r"^\| `([^`]+)` \|", README.split("## Files", 1)[1], re.M)
    missing = [r for r in rows if not (PROJECT_ROOT / r.rstrip("/")).exists()]
    assert not missing, f"listed but gone: {missing}"
    modules = sorted(
        p.relative_to(PROJECT_ROOT).as_posix()
        for p in (PROJECT_ROOT / "assistant").rglob("*.py")
        if p.name != "__init__.py" or p.parent.name == "web"
    )
    unlisted = [m for m in modules if m not in rows]
    assert not unlisted, f"modules the file map does not list: {unlisted}"
