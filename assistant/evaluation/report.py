"""The evaluation report: one JSON document, rendered as Markdown tables and a bar plot.

`build_report` gathers everything into a JSON-able dict; `render_markdown` and `plot`
only read that dict, so a report can be re-rendered from `report.json`. `write_report`
puts `report.json`, `report.md` and `systems.png` in `<out>/<UTC stamp>-<split>/` and
copies them to `<out>/latest/`.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .runner import HEADLINE, METRICS, Outcome, aggregate, failures, latency

PLOTTED = (
    "lead_fact_recall",
    "list_completeness",
    "user_rule_pass",
    "hit@5",
    "mrr@10",
    "ndcg@10",
    "recall@5",
    "fact_recall",
    "citation_precision",
    "citation_coverage",
    "abstention_recall",
)
DESCRIPTIVE = ("answer_chars", "median_chars")  # counts of characters, not scores
EXCERPT = 180


def _by(outcomes: list[Outcome], field: str) -> dict[str, dict[str, Any]]:
    """The metrics of each value of `field` ("split" or "category"), with its count; reference
    outcomes (originals of variants) are not counted but serve every group's variants."""
    asked = [o for o in outcomes if not o.reference]
    groups = dict.fromkeys(getattr(o, field) for o in asked)
    return {
        g: aggregate([o for o in asked if getattr(o, field) == g], outcomes)
        | {"n": sum(getattr(o, field) == g for o in asked)}
        for g in groups
    }


def build_report(meta: dict[str, Any], results: dict[str, list[Outcome]]) -> dict[str, Any]:
    product = results["product"]
    scores = {name: aggregate(outs) for name, outs in results.items()}
    return {
        "meta": meta,
        "metrics": scores,
        "notes": notes(scores),
        "by_split": _by(product, "split"),
        "by_category": _by(product, "category"),
        "systems_by_split": {name: _by(outs, "split") for name, outs in results.items()},
        "systems_by_category": {name: _by(outs, "category") for name, outs in results.items()},
        "latency": {name: latency(outs) for name, outs in results.items()},
        "failures": failures(product),
        "questions": {name: [o.to_dict() for o in outs] for name, outs in results.items()},
    }


def notes(metrics: dict[str, dict[str, float | None]]) -> list[str]:
    """Warnings a reader of the headline table needs: systems that never answer, or never abstain."""
    out = []
    for name, v in metrics.items():
        if v["answer_rate"] == 0:
            out.append(
                f"`{name}` abstained on every answerable question: its answer metrics say nothing "
                "about its retrieval, and its abstention recall of 1 is not a skill."
            )
        elif v["abstention_precision"] is None:
            out.append(f"`{name}` never abstains: its abstention precision is undefined.")
    return out


# ---------------------------------------------------------------- formatting


def fmt(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}" if digits else f"{value:.0f}"


def margin(ours: float | None, theirs: float | None) -> str:
    """ "+0.050 (+6.5 %)": absolute then relative difference."""
    if ours is None or theirs is None:
        return "n/a"
    rel = f"{(ours - theirs) / theirs * 100:+.1f} %" if theirs else "n/a"
    return f"{ours - theirs:+.3f} ({rel})"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(text: str, limit: int = EXCERPT) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def headline_table(
    metrics: dict[str, dict[str, float | None]], keys: Sequence[str] = HEADLINE
) -> str:
    """Metrics as rows, systems as columns, then the product's margin over each baseline
    (for the metrics marked ↓, lower is better: a negative margin is a gain)."""
    systems = list(metrics)
    baselines = [s for s in systems if s != "product"]
    header = ["metric", *systems, *(f"product − {b}" for b in baselines)]
    rows = []
    for key in keys:
        label = METRICS[key]
        digits = 0 if key in DESCRIPTIVE else 3
        row = [label, *(fmt(metrics[s][key], digits) for s in systems)]
        if key in DESCRIPTIVE:
            row += ["—"] * len(baselines)
        else:
            row += [margin(metrics["product"][key], metrics[b][key]) for b in baselines]
        rows.append(row)
    return _table(header, rows)


def split_table(by_split: dict[str, dict[str, Any]]) -> str:
    """Every headline metric of the product, one column per split."""
    splits = list(by_split)
    rows = [["questions", *(by_split[sp]["n"] for sp in splits)]]
    for key, label in METRICS.items():
        digits = 0 if key in DESCRIPTIVE else 3
        rows.append([label, *(fmt(by_split[sp][key], digits) for sp in splits)])
    return _table(["metric", *splits], rows)


CATEGORY_COLUMNS = {
    "hit@5": "hit@5",
    "recall@5": "recall@5",
    "fact_recall": "fact recall",
    "lead_fact_recall": "lead fact recall",
    "list_completeness": "list compl.",
    "median_chars": "median chars",
    "dangling_openings": "dangling ↓",
    "metamorphic_stability": "metamorphic",
    "user_rule_pass": "user rule",
    "wrongful_abstention": "wrongful abst. ↓",
    "abstention_recall": "abstention recall",
}


def category_table(by_category: dict[str, dict[str, Any]]) -> str:
    header = ["category", "n", *CATEGORY_COLUMNS.values()]
    rows = [
        [c, v["n"], *(fmt(v[k], 0 if k in DESCRIPTIVE else 3) for k in CATEGORY_COLUMNS)]
        for c, v in by_category.items()
    ]
    return _table(header, rows)


def systems_table(by_group: dict[str, dict[str, dict[str, Any]]], key: str) -> str:
    """One metric for every system (columns) in every split or category (rows)."""
    systems = list(by_group)
    groups = list(dict.fromkeys(g for per in by_group.values() for g in per))
    rows = [
        [g, by_group[systems[0]].get(g, {}).get("n", "—")]
        + [fmt(by_group[s].get(g, {}).get(key)) for s in systems]
        for g in groups
    ]
    return _table(["", "n", *systems], rows)


def systems_split_table(by_split: dict[str, dict[str, dict[str, Any]]]) -> str:
    """The headline metrics of every system, one column per (system, split)."""
    cols = [(s, sp) for s, per in by_split.items() for sp in per]
    rows = [
        [METRICS[k], *(fmt(by_split[s][sp][k], 0 if k in DESCRIPTIVE else 3) for s, sp in cols)]
        for k in HEADLINE
    ]
    return _table(["metric", *(f"{s} ({sp})" for s, sp in cols)], rows)


def failures_table(rows: list[dict[str, Any]]) -> str:
    header = ["id", "category", "split", "what went wrong", "answer (excerpt)"]
    return _table(
        header,
        [
            [
                r["id"],
                r["category"],
                r["split"],
                _cell("; ".join(r["why"]), 240),
                _cell(r["answer"]),
            ]
            for r in rows
        ],
    )


def latency_table(lat: dict[str, dict[str, dict[str, float | None]]]) -> str:
    header = ["system", "stage", "median ms", "p95 ms", "n"]
    rows = [
        [system, stage, fmt(v["median"], 1), fmt(v["p95"], 1), v["n"]]
        for system, stages in lat.items()
        for stage, v in stages.items()
    ]
    return _table(header, rows)


def render_markdown(report: dict[str, Any]) -> str:
    meta = report["meta"]
    manifest = meta["index_manifest"]
    parts = [
        f"# Evaluation report — split `{meta['split']}`",
        "",
        f"- Run: {meta['started_at']} (UTC), {meta['duration_s']:.0f} s, code `{meta['code_version']}`, "
        f"systems: {', '.join(report['metrics'])}",
        f"- Questions: `{meta['questions_file']}` (sha256 `{meta['questions_sha256'][:16]}…`), "
        f"split **{meta['split']}**: {meta['n_questions']} questions, {meta['n_answerable']} answerable",
        f"- Embedding model: `{meta['embedding_model']}`",
        f"- Index: `{meta['index_version']}` ({manifest.get('counts', {})}, built {manifest.get('built_at', '?')})",
        f"- Tutorial baseline: {meta['tutorial']}",
        "",
        "## Headline",
        "",
        headline_table(report["metrics"]),
        "",
        "What a user sees. Lead fact recall: the facts found in the first 450 characters of the "
        "answer as shown, over answerable questions; list completeness: the items a list question "
        "asks for that the answer names; length, over 900 and dangling openings: over the answers "
        "given (not abstentions); metamorphic stability: variants (context prefix, typos, English) "
        "whose fact recall is at least their original's; user rule: all facts within 450 "
        "characters and at most 900 in all, or an abstention where the guide is silent; "
        "wrongful abstention: answerable questions abstained on. ↓: lower is better. "
        "Definitions: `eval/README.md`.",
        "",
        "## All metrics",
        "",
        headline_table(report["metrics"], tuple(METRICS)),
        "",
        "Retrieval metrics and fact recall are over answerable questions; citation metrics over the "
        "answers that were given (not abstentions); abstention treats unanswerable questions as the "
        "positives.",
        "",
        *(f"- **Note:** {n}" for n in report["notes"]),
        "",
        "![systems](systems.png)",
        "",
        *(
            [
                "## Product by split",
                "",
                split_table(report["by_split"]),
                "",
                "## Every system by split",
                "",
                systems_split_table(report["systems_by_split"]),
                "",
            ]
            if len(report["by_split"]) > 1
            else []
        ),
        "## Product by category",
        "",
        category_table(report["by_category"]),
        "",
        "## User-rule pass rate by category, every system",
        "",
        systems_table(report["systems_by_category"], "user_rule_pass"),
        "",
        "## Lead fact recall by category, every system",
        "",
        systems_table(report["systems_by_category"], "lead_fact_recall"),
        "",
        f"## Product failures ({len(report['failures'])}, worst first)",
        "",
        failures_table(report["failures"]),
        "",
        "## Latency",
        "",
        "`wall` is the time of one call to the system; the other rows are the stages the system "
        "reports (for the product, `resolve` is measured from the start of `ask`).",
        "",
        latency_table(report["latency"]),
        "",
        "## Settings",
        "",
        "```json",
        json.dumps(meta["settings"], ensure_ascii=False, indent=2),
        "```",
        "",
        "## Index manifest",
        "",
        "```json",
        json.dumps(manifest, ensure_ascii=False, indent=2),
        "```",
        "",
    ]
    return "\n".join(parts)


def plot(metrics: dict[str, dict[str, float | None]], path: Path, title: str = "") -> None:
    """Grouped bars: one group per main metric, one bar per system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = list(metrics)
    width = 0.8 / len(systems)
    fig, ax = plt.subplots(figsize=(11, 5))
    for i, system in enumerate(systems):
        values = [metrics[system][k] or 0.0 for k in PLOTTED]
        xs = [j + (i - (len(systems) - 1) / 2) * width for j in range(len(PLOTTED))]
        ax.bar(xs, values, width, label=system)
    ax.set_xticks(range(len(PLOTTED)), [METRICS[k] for k in PLOTTED], rotation=20, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.legend(ncol=len(systems), loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize="small")
    if title:
        fig.suptitle(title, fontsize="medium")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(report: dict[str, Any], out_root: Path, stamp: str) -> Path:
    """Write the report folder and refresh `<out_root>/latest/`; return the folder."""
    folder = out_root / f"{stamp}-{report['meta']['split']}"
    folder.mkdir(parents=True, exist_ok=False)
    (folder / "report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    (folder / "report.md").write_text(render_markdown(report), encoding="utf-8")
    plot(report["metrics"], folder / "systems.png", f"split {report['meta']['split']}")
    # Replace only the evaluation's own files in latest/: others (eval/bench.py's bench.json)
    # live there too. Each file is copied beside its target, then renamed over it.
    latest = out_root / "latest"
    latest.mkdir(exist_ok=True)
    for path in folder.iterdir():
        staging = latest / f".{path.name}.tmp"
        shutil.copy2(path, staging)
        os.replace(staging, latest / path.name)
    return folder
