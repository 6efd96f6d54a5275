"""Pure metric functions on hand-made cases, including cases that must score low."""

from __future__ import annotations

import math

import pytest

from assistant.evaluation import metrics as m
from assistant.evaluation.baselines import Reply
from assistant.evaluation.data import Question, Span
from assistant.evaluation.runner import aggregate, failures, score

SOURCE_ACTE = (
    "Le dispositif ACTE soutient les PTCE. La subvention est comprise entre **15 000 €** "
    "et 60 000 €, dans la limite de 50 % des dépenses."
)
SOURCE_SCIC = "La SCIC associe des collectivités à son capital, jusqu'à 50 % de celui-ci."


# ---------------------------------------------------------------- ranking


def test_hit_at_k_and_reciprocal_rank():
    ranking = [False, False, True, False]
    assert m.hit_at_k(ranking, 1) == 0.0
    assert m.hit_at_k(ranking, 3) == 1.0
    assert m.reciprocal_rank(ranking) == pytest.approx(1 / 3)
    assert m.reciprocal_rank(ranking, k=2) == 0.0  # beyond the cut-off counts as missed
    assert m.reciprocal_rank([False] * 10) == 0.0


def test_ndcg_is_one_for_an_ideal_ranking_and_lower_otherwise():
    assert m.ndcg_at_k([True, True, False], 10, n_relevant=2) == pytest.approx(1.0)
    assert m.ndcg_at_k([False, True], 10, n_relevant=1) == pytest.approx(1 / math.log2(3))
    # Only one of the two relevant passages retrieved: below 1 even at rank 1.
    assert m.ndcg_at_k([True, False], 10, n_relevant=2) < 1.0
    assert m.ndcg_at_k([False, False], 10, n_relevant=0) == 0.0


def test_recall_counts_evidence_strings_not_passages():
    covers = [{0}, set(), {0}, {1}]
    assert m.recall_at_k(covers, 3, k=3) == pytest.approx(1 / 3)
    assert m.recall_at_k(covers, 3, k=4) == pytest.approx(2 / 3)
    assert m.recall_at_k([set(), set()], 2, k=5) == 0.0
    with pytest.raises(ValueError):
        m.recall_at_k(covers, 0, k=5)


# ---------------------------------------------------------------- facts


def test_fact_recall_counts_groups_and_accepts_any_alternative():
    facts = [["15 000"], ["60 000", "60000"]]
    assert m.fact_recall("Entre 15 000 € et 60000 € [1].", facts) == 1.0
    assert m.fact_recall("Au moins 15 000 € [1].", facts) == 0.5  # a missing fact
    assert m.fact_recall("Le guide ne le dit pas.", facts) == 0.0


def test_fact_matching_ignores_case_and_markdown_but_not_accents():
    assert m.fact_matched("La **SCIC** réunit", ["scic réunit"])
    assert m.fact_matched("nommée par MARLÈNE SCHIAPPA", ["Marlène Schiappa"])
    assert not m.fact_matched("Marlene Schiappa", ["Marlène Schiappa"])


# ---------------------------------------------------------------- citations


def test_split_sentences_keeps_markers_with_their_sentence():
    text = "Première phrase. [1] Une « citation » au milieu ! [2][3] Fin sans marqueur."
    assert m.split_sentences(text) == [
        "Première phrase. [1]",
        "Une « citation » au milieu ! [2][3]",
        "Fin sans marqueur.",
    ]
    assert m.split_sentences("Titre\n\n- un point [1]") == ["Titre", "- un point [1]"]
    assert m.split_sentences("[1]") == []


def test_supports_accepts_verbatim_and_close_paraphrase():
    assert m.supports(SOURCE_ACTE, "La subvention est comprise entre 15 000 € et 60 000 € [1]")
    assert m.supports(SOURCE_ACTE, "Le dispositif ACTE soutient les PTCE. [1]")
    # 4 of its 5 content words are in the source ("plafonds" is not): exactly the 80 % bar.
    assert m.supports(SOURCE_ACTE, "La subvention comprise entre limite et plafonds.")


def test_supports_rejects_the_wrong_source_and_empty_claims():
    assert not m.supports(SOURCE_SCIC, "La subvention est comprise entre 15 000 € et 60 000 €.")
    assert not m.supports(SOURCE_ACTE, "Les collectivités entrent au capital de la SCIC.")
    assert not m.supports(SOURCE_ACTE, "[1]")
    assert not m.supports(SOURCE_ACTE, "Oui.")  # no content word, not in the source


def test_citation_counts_on_a_good_answer():
    answer = "La subvention est comprise entre 15 000 € et 60 000 €. [1] La SCIC associe des collectivités à son capital. [2]"
    counts = m.citation_counts(answer, [SOURCE_ACTE, SOURCE_SCIC])
    assert counts == {"sentences": 2, "cited_sentences": 2, "pairs": 2, "supported_pairs": 2}


def test_citation_counts_catch_wrong_missing_and_out_of_range_citations():
    answer = (
        "La subvention est comprise entre 15 000 € et 60 000 €. [2] "  # wrong source
        "La SCIC associe des collectivités à son capital. "  # no citation
        "Le dispositif ACTE soutient les PTCE. [7]"  # out of range: not a valid citation
    )
    counts = m.citation_counts(answer, [SOURCE_ACTE, SOURCE_SCIC])
    assert counts == {"sentences": 3, "cited_sentences": 1, "pairs": 1, "supported_pairs": 0}


# ---------------------------------------------------------------- abstention and aggregation


def test_abstaining_on_everything_has_full_recall_but_poor_precision():
    answerable = [True, True, True, False]
    scores = m.abstention_scores([True] * 4, answerable)
    assert scores == {"precision": 0.25, "recall": 1.0}


def test_never_abstaining_has_zero_recall_and_undefined_precision():
    scores = m.abstention_scores([False, False], [True, False])
    assert scores == {"precision": None, "recall": 0.0}


def test_percentiles():
    assert m.median([4, 1, 3, 2]) == 2.5
    assert m.p95(range(1, 101)) == pytest.approx(95.05)
    assert m.median([]) is None


def test_gate_lists_each_metric_below_its_minimum():
    scores = {"hit@5": 0.9, "fact_recall": 0.6, "abstention_precision": None}
    lines = m.gate_failures(
        scores, {"hit@5": 0.85, "fact_recall": 0.7, "abstention_precision": 0.5, "nope": 0.1}
    )
    assert lines == [
        "fact_recall: 0.600 < 0.700",
        "abstention_precision: no value (minimum 0.500)",
        "nope: no value (minimum 0.100)",
    ]
    assert m.gate_failures(scores, {"hit@5": 0.9}) == []


def _question(qid: str, answerable: bool, category: str = "number") -> Question:
    return Question(
        qid,
        "Combien ?",
        (),
        category if answerable else "unanswerable",
        answerable,
        ("15 000 €",) if answerable else (),
        (("15 000",), ("60 000",)) if answerable else (),
        "test",
    )


DOC = [[Span("d", 100, 110)]]  # one evidence string at [100, 110) of document "d"
COLLECTION = [Span("d", 0, 90), Span("d", 90, 200), Span("d", 200, 300)]


def test_scoring_an_abstainer_on_everything():
    questions = [_question("a1", True), _question("a2", True), _question("u1", False)]
    outs = [
        score(q, DOC if q.answerable else [], Reply("Le guide ne le dit pas.", True), COLLECTION)
        for q in questions
    ]
    agg = aggregate(outs)
    assert agg["fact_recall"] == 0.0
    assert agg["answer_rate"] == 0.0
    assert agg["abstention_precision"] == pytest.approx(1 / 3)
    assert agg["abstention_recall"] == 1.0
    assert agg["citation_coverage"] is None  # no answer given, nothing to cite
    assert [f["id"] for f in failures(outs)] == ["a1", "a2"]


def test_scoring_a_good_answer_and_a_confident_wrong_one():
    good = Reply(
        "La subvention est comprise entre 15 000 € et 60 000 €. [1]",
        False,
        (SOURCE_ACTE,),
        (Span("d", 90, 200), Span("d", 0, 90)),
    )
    wrong = Reply("La SCIC associe des collectivités à son capital. [1]", False, (SOURCE_ACTE,))
    o_good = score(_question("a1", True), DOC, good, COLLECTION)
    o_wrong = score(_question("u1", False), [], wrong, COLLECTION)
    assert o_good.scores["hit@1"] == 1.0 and o_good.scores["ndcg@10"] == 1.0
    assert o_good.scores["fact_recall"] == 1.0
    agg = aggregate([o_good, o_wrong])
    assert (
        agg["citation_precision"] == 0.5
    )  # the unanswerable answer cites a source that does not back it
    assert agg["abstention_recall"] == 0.0
    assert failures([o_good, o_wrong])[0]["id"] == "u1"


def test_an_abstention_message_never_earns_facts():
    reply = Reply("Le guide ne répond pas ; il traite de 15 000 et 60 000 choses.", True)
    out = score(_question("a1", True), DOC, reply, COLLECTION)
    assert out.scores["fact_recall"] == 0.0
    assert out.scores["hit@5"] == 0.0  # no ranking: missed


def test_report_renders_and_writes_from_hand_made_outcomes(tmp_path):
    from assistant.evaluation.report import build_report, headline_table, write_report

    questions = [_question("a1", True), _question("u1", False)]
    good = Reply(
        "La subvention est comprise entre 15 000 € et 60 000 €. [1]",
        False,
        (SOURCE_ACTE,),
        (Span("d", 90, 200),),
        {"retrieve": 5.0, "total": 6.0},
        wall_ms=6.5,
    )
    product = [
        score(questions[0], DOC, good, COLLECTION),
        score(questions[1], [], Reply("Le guide ne le dit pas.", True), COLLECTION),
    ]
    silent = [
        score(q, DOC if q.answerable else [], Reply("Non.", True), COLLECTION) for q in questions
    ]
    meta = {
        "split": "test",
        "started_at": "2026-01-01T00:00:00Z",
        "duration_s": 1.0,
        "code_version": "abc1234",
        "questions_file": "q.jsonl",
        "questions_sha256": "0" * 64,
        "n_questions": 2,
        "n_answerable": 1,
        "embedding_model": "fake",
        "index_version": "build-x",
        "index_manifest": {"counts": {"chunks": 3}},
        "settings": {"top_k": 5},
        "tutorial": "none",
    }
    report = build_report(meta, {"product": product, "silent": silent})
    table = headline_table(report["metrics"])
    assert "| fact recall | 1.000 | 0.000 | +1.000 (n/a) |" in table
    assert any("`silent` abstained on every answerable question" in n for n in report["notes"])
    folder = write_report(report, tmp_path, "20260101T000000Z")
    assert folder.name == "20260101T000000Z-test"
    for name in ("report.md", "report.json", "systems.png"):
        assert (folder / name).is_file() and (tmp_path / "latest" / name).is_file()
    assert "split `test`" in (folder / "report.md").read_text(encoding="utf-8")
