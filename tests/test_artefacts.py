"""The committed reports and manifests record paths relative to the repository (or `~` for
caches), never the machine they were produced on."""

import re

import pytest

from assistant.settings import PROJECT_ROOT

_ABSOLUTE = re.compile(r"(?<![\w:/.~-])/(?:root|home|Users|tmp|work|opt|srv|var|mnt|private)/")
ARTEFACTS = sorted(
    [
        *(PROJECT_ROOT / "eval" / "reports" / "latest").glob("*.json"),
        *(PROJECT_ROOT / "eval" / "reports" / "latest").glob("*.md"),
        *(PROJECT_ROOT / "index").glob("*.json"),
        *(PROJECT_ROOT / "index").glob("build-*/manifest.json"),
    ]
)


@pytest.mark.parametrize("path", ARTEFACTS, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_committed_artefacts_hold_no_absolute_path(path):
    text = path.read_text(encoding="utf-8")
    assert str(PROJECT_ROOT) not in text
    found = [m.group(0) for m in _ABSOLUTE.finditer(text)]
    assert not found, f"{path.name} records absolute paths: {found[:3]}"


def test_the_check_sees_an_absolute_path():
    assert _ABSOLUTE.search('"questions_file": "/home/me/ptce/eval/questions.jsonl"')
    assert not _ABSOLUTE.search('"url": "https://www.rtes.fr/les-roles", "cache": "~/.cache/x"')
