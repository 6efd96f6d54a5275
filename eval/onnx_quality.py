"""Retrieval quality of the query embedders on the evaluation set, side by side:

    python eval/onnx_quality.py [--split all] [--out eval/reports/latest/onnx_quality.json]

sentence-transformers (the reference), the ONNX float32 graph and the ONNX int8 graph each
embed the questions against the same live index (built once, by the reference or the float32
graph: same vectors to 1e-6); the product (hybrid) and the dense-only ranking are scored with
the evaluation's own code (`assistant.evaluation`). A graph may serve queries only while its
product hit@3 stays within 0.005 of the reference's (and its vectors pass the parity test).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOWN = ("hit@1", "hit@3", "hit@5", "mrr@10", "ndcg@10", "fact_recall")
EMBEDDERS = {
    "sentence-transformers": {"embedder": "sentence-transformers"},
    "onnx-fp32": {"embedder": "onnx", "onnx_int8": False},
    "onnx-int8": {"embedder": "onnx", "onnx_int8": True},
}


def evaluate(settings, questions, evidence, documents) -> dict[str, dict[str, float | None]]:
    from assistant.evaluation.baselines import PipelineSystem, ReplayEmbedder
    from assistant.evaluation.runner import aggregate, run_systems
    from assistant.pipeline import Pipeline
    from assistant.search.embed import load_embedder

    embedder = ReplayEmbedder(load_embedder(settings, progress=False))
    pipeline = Pipeline.load(replace(settings, auto_build=False), embedder=embedder, progress=False)
    systems = [
        PipelineSystem(pipeline, "hybrid", "product"),
        PipelineSystem(pipeline, "dense", "dense"),
    ]
    results = run_systems(systems, questions, evidence, progress=False)
    return {name: aggregate(outcomes) for name, outcomes in results.items()}


def main(argv: list[str] | None = None) -> int:
    from assistant.corpus.load import load_corpus
    from assistant.evaluation.data import load_questions, locate_evidence
    from assistant.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["tune", "test", "all"], default="all")
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "eval" / "reports" / "latest" / "onnx_quality.json"
    )
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    questions = load_questions(args.questions, args.split)
    documents = load_corpus(settings.corpus_dir)
    evidence = locate_evidence(questions, documents)
    scores = {}
    for label, overrides in EMBEDDERS.items():
        t = time.perf_counter()
        scores[label] = evaluate(replace(settings, **overrides), questions, evidence, documents)
        print(f"{label}: {time.perf_counter() - t:.0f} s", file=sys.stderr)

    print(f"| system | embedder | {' | '.join(SHOWN)} |")
    print("|---|---|" + "---|" * len(SHOWN))
    for system in ("product", "dense"):
        for label in EMBEDDERS:
            row = scores[label][system]
            cells = " | ".join("n/a" if row[k] is None else f"{row[k]:.3f}" for k in SHOWN)
            print(f"| {system} | {label} | {cells} |")
    reference = scores["sentence-transformers"]["product"]["hit@3"]
    deltas = {
        label: round(scores[label]["product"]["hit@3"] - reference, 4)
        for label in ("onnx-fp32", "onnx-int8")
    }
    result = {
        "split": args.split,
        "questions": len(questions),
        "scores": scores,
        "product_hit@3_delta": deltas,
        "within_0.005": {label: abs(d) <= 0.005 for label, d in deltas.items()},
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"product hit@3 minus the reference's: {deltas}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
