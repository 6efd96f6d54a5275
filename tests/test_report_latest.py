"""`python -m assistant eval` refreshes its own files in eval/reports/latest/ and leaves the
others there (eval/bench.py's bench.json, eval/onnx_quality.py's file) alone."""

from __future__ import annotations

import json

from assistant.evaluation import report


def test_write_report_replaces_its_files_and_keeps_the_benchmarks(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "render_markdown", lambda r: f"# run {r['meta']['n']}\n")
    monkeypatch.setattr(report, "plot", lambda metrics, path, title="": path.write_bytes(b"png"))
    latest = tmp_path / "latest"
    latest.mkdir()
    (latest / "bench.json").write_text('{"cold_start_s": 1.9}\n')
    (latest / "report.md").write_text("# an older run\n")

    for n, stamp in enumerate(("20260101T000000Z", "20260102T000000Z")):
        folder = report.write_report(
            {"meta": {"split": "all", "n": n}, "metrics": {}}, tmp_path, stamp
        )
        assert (latest / "report.md").read_text() == f"# run {n}\n"
        assert json.loads((latest / "report.json").read_text())["meta"]["n"] == n
        assert (folder / "report.md").read_text() == f"# run {n}\n"

    assert (latest / "bench.json").read_text() == '{"cold_start_s": 1.9}\n'
    assert (latest / "systems.png").read_bytes() == b"png"
    assert sorted(p.name for p in latest.iterdir()) == [
        "bench.json",
        "report.json",
        "report.md",
        "systems.png",
    ]
