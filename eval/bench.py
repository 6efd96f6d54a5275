"""Benchmark of the answering pipeline on this machine, rerunnable by anyone:

    python eval/bench.py [--repeat 3] [--out eval/reports/bench.json]

Reports, each measured in a fresh subprocess where it matters:
- index build time (embedding the whole corpus, in a temporary index folder),
- cold start: a new process running `python -m assistant ask` until the answer is printed,
- warm `ask` latency, median and p95 over the evaluation questions, per stage,
- peak RSS of the process that loads the model and answers,
- the same warm loop with retrieval only (no answer composition) as an in-process baseline,
  so the answerer's own cost is shown as a ratio rather than as a noisy absolute.
The machine is shared and noisy: medians, not means, and a baseline in the same process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"warm_median_ms": 150, "cold_start_s": 15, "build_s": 60, "peak_rss_mb": 1536}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def cold_start(repeat: int) -> list[float]:
    """Seconds from process start to the printed answer, `repeat` times."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "assistant", "ask", "Qu'est-ce qu'un PTCE ?", "--json", "-q"],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        times.append(time.perf_counter() - t)
    return times


def warm_and_build(questions: list[dict], repeat: int) -> dict:
    """Run in this process: load the pipeline, time a build, then warm questions."""
    from assistant.index import build_index
    from assistant.pipeline import Pipeline
    from assistant.settings import Settings

    settings = Settings.from_env()
    t = time.perf_counter()
    pipeline = Pipeline.load(settings, progress=False)
    load_s = time.perf_counter() - t

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        build_index(replace(settings, index_dir=Path(tmp)), pipeline.embedder, progress=False)
        build_s = time.perf_counter() - t

    for q in questions[:5]:  # warm-up
        pipeline.ask(q["question"], q["history"])
    totals, stages, retrieval_only = [], {}, []
    for _ in range(repeat):
        for q in questions:
            t = time.perf_counter()
            answer = pipeline.ask(q["question"], q["history"])
            totals.append((time.perf_counter() - t) * 1000)
            for stage, ms in answer.timings_ms.items():
                stages.setdefault(stage, []).append(ms)
            t = time.perf_counter()
            pipeline.retriever.search(answer.query or q["question"])
            retrieval_only.append((time.perf_counter() - t) * 1000)
    return {
        "load_s": load_s,
        "build_s": build_s,
        "chunks": len(pipeline.index.chunks),
        "warm_ms": totals,
        "stages_ms": stages,
        "retrieval_only_ms": retrieval_only,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="passes over the questions / cold starts"
    )
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "bench.json")
    args = parser.parse_args(argv)

    questions = [
        json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line
    ]
    print(
        f"{len(questions)} questions, {args.repeat} pass(es), {os.cpu_count()} CPU(s)",
        file=sys.stderr,
    )
    cold = cold_start(args.repeat)
    warm = warm_and_build(questions, args.repeat)
    ratio = statistics.median(warm["warm_ms"]) / statistics.median(warm["retrieval_only_ms"])
    result = {
        "build_s": round(warm["build_s"], 2),
        "cold_start_s": round(statistics.median(cold), 2),
        "cold_start_runs_s": [round(x, 2) for x in cold],
        "pipeline_load_s": round(warm["load_s"], 2),
        "warm_median_ms": round(statistics.median(warm["warm_ms"]), 1),
        "warm_p95_ms": round(percentile(warm["warm_ms"], 0.95), 1),
        "retrieval_only_median_ms": round(statistics.median(warm["retrieval_only_ms"]), 1),
        "ask_vs_retrieval_only_ratio": round(ratio, 2),
        "stages_median_ms": {
            k: round(statistics.median(v), 2) for k, v in warm["stages_ms"].items()
        },
        "stages_p95_ms": {k: round(percentile(v, 0.95), 2) for k, v in warm["stages_ms"].items()},
        "peak_rss_mb": round(warm["peak_rss_mb"], 1),
        "chunks": warm["chunks"],
        "questions": len(questions),
        "repeat": args.repeat,
        "targets": TARGETS,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    result["meets_targets"] = {k: result[k] <= v for k, v in TARGETS.items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
