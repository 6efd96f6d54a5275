"""`python -m assistant eval`: run the systems on the evaluation set, write the report,
print the headline table on stdout and, with `--gate`, fail when the product falls below
the thresholds."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..settings import PROJECT_ROOT, Settings, display_path

DEFAULT_QUESTIONS = PROJECT_ROOT / "eval" / "questions.jsonl"
DEFAULT_OUT = PROJECT_ROOT / "eval" / "reports"


def read_gate(path: Path) -> dict[str, Any]:
    """`{"split": "test", "min": {"hit@5": 0.9, …}}`; the split is optional."""
    try:
        gate = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UserError(f"Gate file not found: {path}.") from exc
    except ValueError as exc:
        raise UserError(f"Gate file {path} is not valid JSON: {exc}.") from exc
    minimums = gate.get("min") if isinstance(gate, dict) else None
    if not isinstance(minimums, dict) or not all(
        isinstance(v, int | float) for v in minimums.values()
    ):
        raise UserError(f'Gate file {path} must hold {{"min": {{"<metric>": <number>, …}}}}.')
    from .runner import METRICS

    unknown = sorted(set(minimums) - set(METRICS))
    if unknown:
        raise UserError(
            f"Gate file {path} names unknown metric(s) {', '.join(unknown)}; known: {', '.join(METRICS)}."
        )
    return gate


def code_version() -> str:
    """`git describe --always --dirty` of the project, or "unknown" outside a checkout."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


_SECRETS = ("llm_api_key",)


def settings_dict(settings: Settings) -> dict[str, Any]:
    """The settings as written into a report: paths relative to the repository (or `~`),
    secrets blanked."""
    data = {k: display_path(v) if isinstance(v, Path) else v for k, v in asdict(settings).items()}
    return {k: ("***" if k in _SECRETS and v else v) for k, v in data.items()}


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from ..corpus.load import load_corpus
    from ..pipeline import Pipeline
    from ..search.embed import load_embedder
    from . import metrics
    from .baselines import ReplayEmbedder, build_systems
    from .data import file_sha256, load_questions, locate_evidence, variant_originals
    from .report import build_report, headline_table, write_report
    from .runner import run_systems

    progress = not args.quiet
    questions_path = args.questions or DEFAULT_QUESTIONS
    gate = read_gate(args.gate) if args.gate else None
    if gate and gate.get("split") not in (None, args.split):
        raise UserError(
            f"The gate {args.gate} was set on split {gate['split']!r}; run with --split {gate['split']}."
        )
    questions = load_questions(questions_path, args.split)
    references = variant_originals(load_questions(questions_path), questions)
    documents = load_corpus(settings.corpus_dir)
    evidence = locate_evidence([*questions, *references], documents)

    started, version = time.gmtime(), code_version()  # the code as loaded, before anyone edits it
    t0 = time.perf_counter()
    embedder = ReplayEmbedder(load_embedder(settings, progress=progress))
    pipeline = Pipeline.load(settings, embedder=embedder, progress=progress)
    systems = build_systems(pipeline, documents, baselines=not args.no_baselines)
    results = run_systems(systems, questions, evidence, progress=progress, references=references)
    meta = {
        "split": args.split,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", started),
        "code_version": version,
        "duration_s": round(time.perf_counter() - t0, 1),
        "questions_file": display_path(questions_path),
        "questions_sha256": file_sha256(questions_path),
        "n_questions": len(questions),
        "n_answerable": sum(q.answerable for q in questions),
        "embedding_model": display_path(embedder.name),
        "index_version": pipeline.index.version,
        "index_manifest": pipeline.index.manifest,
        "settings": settings_dict(settings),
        "tutorial": "RecursiveCharacterTextSplitter(1000, 200), same embedder, FAISS top-4, "
        "question as typed, passages as the answer, never abstains",
    }
    report = build_report(meta, results)
    folder = write_report(report, args.out or DEFAULT_OUT, time.strftime("%Y%m%dT%H%M%SZ", started))

    print(f"Split {args.split}: {len(questions)} questions ({meta['n_answerable']} answerable).\n")
    print(headline_table(report["metrics"]))
    for note in report["notes"]:
        print(f"\nNote: {note}")
    print(
        f"Report: {display_path(folder / 'report.md')} ({meta['duration_s']:.0f} s)",
        file=sys.stderr,
    )
    if gate is None:
        return 0
    below = metrics.gate_failures(report["metrics"]["product"], gate["min"])
    for line in below:
        print(f"Gate: {line}", file=sys.stderr)
    if below:
        print(f"Gate failed: {len(below)} metric(s) below {args.gate}.", file=sys.stderr)
        return 1
    print(f"Gate passed ({len(gate['min'])} metrics).", file=sys.stderr)
    return 0
