"""The evaluation as a CI gate: the product on the test split must stay above eval/gate.json.

Runs the real pipeline over the held-out questions (about 20 s after the model loads)."""

import subprocess
import sys

import pytest

from assistant.settings import PROJECT_ROOT

pytestmark = pytest.mark.real_model


def test_product_stays_above_the_gate(tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "eval",
            "--split",
            "test",
            "--no-baselines",
            "--gate",
            "eval/gate.json",
            "--out",
            str(tmp_path),
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=PROJECT_ROOT,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert (
        "| user-rule pass rate |" in r.stdout
        and "| lead fact recall (first 450 chars) |" in r.stdout
    )
