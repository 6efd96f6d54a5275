"""Run every system on the same questions, score each reply, and aggregate.

`score` turns one (question, reply) into an `Outcome` with that question's scores;
`aggregate` pools outcomes into the headline metrics; `latency` summarises timings.
Both are pure, so a report can be recomputed from `report.json`'s per-question records.

A metamorphic variant is scored against its original, so the originals of the variants in a
split are asked too, as *reference* outcomes (`Outcome.reference`): they count for nothing but
that comparison.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from . import metrics as m
from .baselines import Reply, System
from .data import Evidence, Question, Span, covered

#: Every metric, in display order, with its label.
METRICS: dict[str, str] = {
    "lead_fact_recall": "lead fact recall (first 450 chars)",
    "list_completeness": "list completeness",
    "median_chars": "answer length (chars, median)",
    "over_900": "answers over 900 chars ↓",
    "dangling_openings": "dangling openings ↓",
    "metamorphic_stability": "metamorphic stability",
    "user_rule_pass": "user-rule pass rate",
    "wrongful_abstention": "wrongful abstention ↓",
    "hit@1": "hit@1",
    "hit@3": "hit@3",
    "hit@5": "hit@5",
    "mrr@10": "MRR@10",
    "ndcg@10": "nDCG@10",
    "recall@5": "recall@5",
    "fact_recall": "fact recall",
    "answer_rate": "answer rate (answerable)",
    "facts_ok_when_answered": "answered with fact recall ≥ 0.5",
    "citation_precision": "citation precision",
    "citation_coverage": "citation coverage",
    "abstention_precision": "abstention precision",
    "abstention_recall": "abstention recall",
    "answer_chars": "answer length (chars, mean)",
}
#: What a user sees, first in every report: the headline table shows these.
HEADLINE = (
    "lead_fact_recall",
    "list_completeness",
    "median_chars",
    "over_900",
    "dangling_openings",
    "metamorphic_stability",
    "user_rule_pass",
    "abstention_precision",
    "abstention_recall",
    "wrongful_abstention",
)
LOWER_IS_BETTER = ("over_900", "dangling_openings", "wrongful_abstention")
RETRIEVAL = ("hit@1", "hit@3", "hit@5", "mrr@10", "ndcg@10", "recall@5")
MISSED_AT = 5  # "missed retrieval": no relevant passage in the top 5


@dataclass(frozen=True)
class Outcome:
    """One system's reply to one question, with that question's scores (None: not applicable)."""

    id: str
    category: str
    split: str
    answerable: bool
    question: str
    query: str
    answer: str
    abstained: bool
    reason: str
    ranking: list[dict[str, Any]]  # {doc_id, start, end, covers: [evidence indices]}
    n_relevant: int  # relevant passages in the system's whole collection
    scores: dict[str, float | None]
    missing_facts: list[list[str]]
    citations: dict[str, int]
    timings_ms: dict[str, float] = field(default_factory=dict)
    wall_ms: float = 0.0
    variant_of: str | None = None
    reference: bool = False  # asked only as the original of a variant in the run
    method: str = ""  # what answered: "card <id>", "extractive", "llm"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def score(q: Question, evidence: Evidence, reply: Reply, collection: Sequence[Span]) -> Outcome:
    covers = [covered(item, evidence) for item in reply.ranking]
    relevant = [bool(c) for c in covers]
    n_relevant = sum(bool(covered(item, evidence)) for item in collection)
    scores: dict[str, float | None] = dict.fromkeys(
        ("fact_recall", "lead_fact_recall", "list_completeness", *RETRIEVAL)
    )
    missing: list[list[str]] = []
    if q.answerable:
        scores.update(
            {
                "hit@1": m.hit_at_k(relevant, 1),
                "hit@3": m.hit_at_k(relevant, 3),
                "hit@5": m.hit_at_k(relevant, 5),
                "mrr@10": m.reciprocal_rank(relevant, 10),
                "ndcg@10": m.ndcg_at_k(relevant, 10, n_relevant),
                "recall@5": m.recall_at_k(covers, len(evidence), 5),
            }
        )
        text = "" if reply.abstained else reply.answer  # an abstention message states no fact
        scores["fact_recall"] = m.fact_recall(text, q.facts)
        scores["lead_fact_recall"] = m.lead_fact_recall(text, q.facts)
        if q.list_items:
            scores["list_completeness"] = m.list_completeness(text, q.list_items)
        missing = [list(g) for g in q.facts if not m.fact_matched(text, g)]
    scores["user_rule_pass"] = float(
        m.passes_user_rule(reply.answer, reply.abstained, q.answerable, q.facts)
    )
    scores["dangling_opening"] = (
        None if reply.abstained else float(m.dangling_opening(reply.answer))
    )
    citations = m.citation_counts(reply.answer, reply.sources) if not reply.abstained else {}
    return Outcome(
        id=q.id,
        category=q.category,
        split=q.split,
        answerable=q.answerable,
        question=q.question,
        query=reply.query,
        answer=reply.answer,
        abstained=reply.abstained,
        reason=reply.reason,
        method=reply.method,
        ranking=[
            {"doc_id": s.doc_id, "start": s.start, "end": s.end, "covers": sorted(c)}
            for s, c in zip(reply.ranking, covers, strict=True)
        ],
        n_relevant=n_relevant,
        scores=scores,
        missing_facts=missing,
        citations=citations,
        timings_ms=dict(reply.timings_ms),
        wall_ms=reply.wall_ms,
        variant_of=q.variant_of,
    )


def aggregate(
    outcomes: Sequence[Outcome], references: Sequence[Outcome] = ()
) -> dict[str, float | None]:
    """The metrics over a set of outcomes (see eval/README.md for definitions). Reference
    outcomes, here or in `references`, only serve as the originals of variants."""
    originals = {o.id: o for o in [*references, *outcomes]}
    outcomes = [o for o in outcomes if not o.reference]
    answerable = [o for o in outcomes if o.answerable]
    answered = [o for o in answerable if not o.abstained]
    replied = [o for o in outcomes if not o.abstained]
    out: dict[str, float | None] = {k: m.mean(o.scores[k] for o in answerable) for k in RETRIEVAL}
    out["fact_recall"] = m.mean(o.scores["fact_recall"] for o in answerable)
    out["answer_rate"] = m.ratio(len(answered), len(answerable))
    out["facts_ok_when_answered"] = m.ratio(
        sum(o.scores["fact_recall"] >= 0.5 for o in answered), len(answered)
    )
    pooled = {
        k: sum(o.citations.get(k, 0) for o in replied)
        for k in ("sentences", "cited_sentences", "pairs", "supported_pairs")
    }
    out["citation_precision"] = m.ratio(pooled["supported_pairs"], pooled["pairs"])
    out["citation_coverage"] = m.ratio(pooled["cited_sentences"], pooled["sentences"])
    abst = m.abstention_scores([o.abstained for o in outcomes], [o.answerable for o in outcomes])
    out["abstention_precision"] = abst["precision"]
    out["abstention_recall"] = abst["recall"]
    out["answer_chars"] = m.mean(len(o.answer) for o in replied)
    out["lead_fact_recall"] = m.mean(o.scores["lead_fact_recall"] for o in answerable)
    out["list_completeness"] = m.mean(
        o.scores["list_completeness"]
        for o in answerable
        if o.scores.get("list_completeness") is not None
    )
    out["median_chars"] = m.median(len(o.answer) for o in replied)
    out["over_900"] = m.ratio(sum(len(o.answer) > m.LONG_CHARS for o in replied), len(replied))
    out["dangling_openings"] = m.mean(o.scores["dangling_opening"] for o in replied)
    out["metamorphic_stability"] = m.metamorphic_stability(
        (o.scores["fact_recall"], originals[o.variant_of].scores["fact_recall"])
        for o in answerable
        if o.variant_of and o.variant_of in originals
    )
    out["user_rule_pass"] = m.mean(o.scores["user_rule_pass"] for o in outcomes)
    out["wrongful_abstention"] = m.ratio(len(answerable) - len(answered), len(answerable))
    return out


def latency(outcomes: Sequence[Outcome]) -> dict[str, dict[str, float | None]]:
    """Median and p95 of each stage's milliseconds, and of the wall time per question."""
    stages = list(dict.fromkeys(k for o in outcomes for k in o.timings_ms))
    series = {s: [o.timings_ms[s] for o in outcomes if s in o.timings_ms] for s in stages}
    series["wall"] = [o.wall_ms for o in outcomes]
    return {s: {"median": m.median(v), "p95": m.p95(v), "n": len(v)} for s, v in series.items()}


def failures(outcomes: Sequence[Outcome]) -> list[dict[str, Any]]:
    """The questions a system got wrong, worst first, each with what went wrong."""
    rows = []
    for o in outcomes:
        if o.reference:
            continue
        why, severity = [], 0.0
        if o.answerable:
            if o.scores["hit@5"] == 0:
                why.append(f"missed retrieval (no relevant passage in top {MISSED_AT})")
                severity += 1.0
            if o.abstained:
                why.append(f"abstained on an answerable question ({o.reason or 'no reason'})")
                severity += 0.5
            if o.scores["fact_recall"] < 1:
                shown = "; ".join(" | ".join(g) for g in o.missing_facts)
                why.append(f"missing facts: {shown}")
                severity += 1.0 - o.scores["fact_recall"]
            elif o.scores["lead_fact_recall"] < 1:
                why.append(f"facts beyond the first {m.LEAD_CHARS} characters")
                severity += 0.25
            listed = o.scores.get("list_completeness")
            if listed is not None and listed < 1:
                why.append(f"list incomplete ({listed:.2f})")
            if not o.abstained and len(o.answer) > m.LONG_CHARS:
                why.append(f"long answer ({len(o.answer)} characters)")
                severity += 0.25
        elif not o.abstained:
            via = f", answered by {o.method}" if o.method else ""
            why.append(f"answered an unanswerable question ({o.category}{via})")
            severity += 2.5 if o.category == "injection" else 2.0
        if o.scores.get("dangling_opening"):
            why.append("dangling opening")
            severity += 0.25
        if why:
            rows.append(
                {
                    "id": o.id,
                    "category": o.category,
                    "split": o.split,
                    "severity": round(severity, 3),
                    "why": why,
                    "question": o.question,
                    "answer": o.answer,
                }
            )
    return sorted(rows, key=lambda r: (-r["severity"], r["id"]))


def run_systems(
    systems: Sequence[System],
    questions: Sequence[Question],
    evidence: dict[str, Evidence],
    *,
    progress: bool = True,
    references: Sequence[Question] = (),
) -> dict[str, list[Outcome]]:
    """Ask every system every question, question by question (so that load on the machine
    falls alike on all systems), and score each reply. `references` (the originals of
    variants that are not among `questions`) are asked last, as reference outcomes."""
    from tqdm import tqdm

    results: dict[str, list[Outcome]] = {s.name: [] for s in systems}
    asked = [*questions, *(q for q in references if q.id not in {x.id for x in questions})]
    extra = {q.id for q in asked[len(questions) :]}
    with tqdm(
        total=len(systems) * len(asked),
        desc="eval",
        unit="q",
        file=sys.stderr,
        disable=not progress,
    ) as bar:
        for q in asked:
            for system in systems:
                bar.set_postfix_str(f"{q.id} {system.name}", refresh=False)
                reply = system.reply(q, rank=q.answerable)
                outcome = score(q, evidence[q.id], reply, system.collection)
                if q.id in extra:
                    outcome = replace(outcome, reference=True)
                results[system.name].append(outcome)
                bar.update()
    return results
