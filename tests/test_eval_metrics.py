"""Pure metric functions on hand-made cases, including cases that must score low."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from assistant.evaluation import metrics as m
from assistant.evaluation.baselines import Reply
from assistant.evaluation.data import Question, Span
from assistant.evaluation.runner import METRICS, aggregate, failures, score

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
    table = headline_table(report["metrics"], tuple(METRICS))
    assert "| fact recall | 1.000 | 0.000 | +1.000 (n/a) |" in table
    headline = headline_table(report["metrics"])
    assert "| user-rule pass rate | 1.000 | 0.500 | +0.500 (+100.0 %) |" in headline
    assert "| fact recall |" not in headline  # the headline is what users see
    assert "| wrongful abstention ↓ | 0.000 | 1.000 |" in headline
    assert any("`silent` abstained on every answerable question" in n for n in report["notes"])
    folder = write_report(report, tmp_path, "20260101T000000Z")
    assert folder.name == "20260101T000000Z-test"
    for name in ("report.md", "report.json", "systems.png"):
        assert (folder / name).is_file() and (tmp_path / "latest" / name).is_file()
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    assert "split `test`" in markdown
    assert "## All metrics" in markdown and "## User-rule pass rate by category" in markdown


# ---------------------------------------------------------------- what the user sees first

FACTS_ACTE = [["15 000"], ["60 000"]]
PADDING = "Le guide présente les PTCE et le rôle des collectivités. [1] " * 8  # 488 characters


def test_lead_fact_recall_only_counts_the_first_450_characters():
    early = "La subvention ACTE va de 15 000 à 60 000 € [1]. " + PADDING
    late = PADDING + "La subvention ACTE va de 15 000 à 60 000 € [1]."
    assert m.fact_recall(late, FACTS_ACTE) == 1.0  # fact recall does not care where
    assert m.lead_fact_recall(early, FACTS_ACTE) == 1.0
    assert m.lead_fact_recall(late, FACTS_ACTE) == 0.0
    # A fact cut by the limit is missed; markers count as characters, as the user sees them.
    cut = "x" * 446 + "15 000 et 60 000"
    assert m.lead_fact_recall(cut, FACTS_ACTE) == 0.0
    assert m.lead_fact_recall("[1] " * 112 + "15 000", FACTS_ACTE) == 0.0  # 448 + 6
    assert m.lead_fact_recall("15 000 [1] " + "[1] " * 110 + "60 000", FACTS_ACTE) == 0.5


def test_list_completeness_is_the_share_of_items_named():
    items = [["gestation"], ["émergence"], ["développement"], ["consolidation"]]
    full = "Aux étapes de gestation, d'émergence, de développement et de consolidation [1]."
    assert m.list_completeness(full, items) == 1.0
    assert m.list_completeness("Dès la gestation et l'émergence [1].", items) == 0.5
    assert m.list_completeness("Le guide ne le dit pas.", items) == 0.0
    with pytest.raises(ValueError):
        m.list_completeness("x", [])


def test_user_rule_needs_early_facts_and_a_short_answer_or_an_abstention():
    good = "Entre 15 000 et 60 000 € [1]."
    assert m.passes_user_rule(good, False, True, FACTS_ACTE)
    assert not m.passes_user_rule(good + " " + PADDING * 2, False, True, FACTS_ACTE)  # > 900
    assert not m.passes_user_rule(PADDING + good, False, True, FACTS_ACTE)  # facts too late
    assert not m.passes_user_rule("Au moins 15 000 € [1].", False, True, FACTS_ACTE)
    assert not m.passes_user_rule(good, True, True, FACTS_ACTE)  # wrongful abstention
    assert m.passes_user_rule("Le guide ne le dit pas.", True, False, [])
    assert not m.passes_user_rule(good, False, False, [])  # answered an unanswerable question
    assert m.passes_user_rule("x" * 900, False, True, [["x"]])
    assert not m.passes_user_rule("x" * 901, False, True, [["x"]])


# Openings taken from the product's answers in eval/reports (2026-11), and from card-style answers.
DANGLING = [
    "Elle décide d'y installer un centre de ressource et d'appui à la structuration d'un système alimentaire local. [1]",
    "Il est issu d'une démarche de recherche-action associant le Labo de l'ESS, les CRESS. [1]",
    "Ce dispositif est à destination des entreprises de l'ESS, les EPCI (à fiscalité propre) de + de 15 000 habitant.e.s. [1]",
    "Cet AMI a été renouvelé en 2022 de façon permanente par Marlène Schiappa. [1]",
    "Ce collectif a permis de rassembler les acteurs économiques existants. [1]",
    "Celui-ci rassemble 7 associations. [1]",
    "Ce dernier porte le dispositif ACTE. [1]",
    "Ils sont environ 40. [1]",
    "Créateur de liens, il met en relation les collectivités qui se retrouvent face à des questionnements. [1]",
    "Porté par un collectif informel de 25 structures ESS, il œuvre au développement d'une économie sociale de proximité. [1]",
    "Face à un manque de structuration des acteurs de l'ESS, de coopération entre les acteurs de l'ESS et les acteurs publics, cet AMI a permis d'ancrez de nouveaux collectifs. [1]",
    "Le financement d'un poste d'animateur de ce collectif a permis d'aller « frapper à toutes les portes ». [1]",
    "Les collectivités locales ont un rôle important à jouer pour contribuer à l'émergence et au développement de ces démarches. [1]",
    "La CAHC accompagne cette dynamique et renforce sa politique en faveur de l'ESS. » - François Theret [1]",
    "> « Il est issu d'une démarche de recherche-action. » [1]",
    "- **Elle** décide d'y installer un centre de ressource. [1]",
    "It provides between 15 000 and 60 000 €. [1]",
    "This scheme is open to ESS enterprises. [1]",
]
NOT_DANGLING = [
    "Les départements interviennent par le biais de leurs politiques sectorielles relatives à la solidarité et à l'insertion. [1]",
    "La Région Hauts-de-France porte notamment le dispositif ACTE. [1] Il vise à soutenir des projets de coopérations multi-acteurs. [1]",
    "Ce document fait suite à la rencontre du 15 novembre 2022 organisée à Carvin avec la CRESS Hauts-de-France. [1]",
    "Ce guide ne précise pas le montant. [1]",
    "Il existe un appel à manifestation d'intérêt permanent de l'État. [1]",
    "Il faut un autofinancement ou des cofinancements. [1]",
    "Il y a 108 projets accompagnés. [1]",
    "Ce qui compte, c'est l'animation, qui reste difficile à financer dans la durée. [1]",
    "Sous l'impulsion de l'AMI piloté par le Département de la Somme, le PTCE d'Amiens Métropole s'est constitué. [1]",
    "En 2022, le Conseil Départemental de la Somme a lancé un AMI. [1] Cet AMI a permis d'ancrer de nouveaux collectifs. [1]",
    "Lauréat PTCE depuis janvier 2023, Noeux Environnement est accompagné par la Communauté d'Agglomération Béthune-Bruay. [1]",
    "Le PTCE Emergence Hénin-Carvin a été créé face à un manque de lisibilité ; ce PTCE rassemble 7 associations. [1]",
    "À ce jour, 108 projets ont bénéficié d'un bouquet de services. [1]",
    "## PTCE, de quoi parle-t-on ?\n\nLe terme de PTCE, né en 2009, est issu de la volonté de mettre en évidence des pratiques existantes.",
    "Oui : la collectivité peut entrer au capital de la SCIC. [1]",
    "ACTE funds projects that create new economic activities. [1]",
    "It is possible to combine ACTE with other public co-funding. [1]",
    "",
    "[1]",
]


@pytest.mark.parametrize("answer", DANGLING)
def test_dangling_openings_are_caught(answer):
    assert m.dangling_opening(answer)


@pytest.mark.parametrize("answer", NOT_DANGLING)
def test_openings_that_stand_alone_are_not_dangling(answer):
    assert not m.dangling_opening(answer)


def test_metamorphic_stability_compares_each_variant_with_its_original():
    assert m.metamorphic_stability([(1.0, 1.0), (0.5, 1.0), (1.0, 0.5), (0.0, 1.0)]) == 0.5
    # Originals the system already fails are left out: nothing to keep.
    assert m.metamorphic_stability([(0.0, 0.0), (1.0, 1.0)]) == 1.0
    assert m.metamorphic_stability([(0.0, 0.0)]) is None
    assert m.metamorphic_stability([]) is None


def _user_question(qid: str, category: str, *, variant_of: str | None = None, items=()) -> Question:
    return Question(
        qid, "Combien ?", (), category, True, ("15 000 €",), tuple(map(tuple, FACTS_ACTE)),
        "test", tuple(map(tuple, items)), variant_of,
    )  # fmt: skip


def test_aggregate_scores_what_the_user_sees():
    original = _user_question("a1", "number")
    variant = _user_question("v1", "variant", variant_of="a1")
    listing = _user_question("l1", "list", items=[["15 000"], ["60 000"], ["50%"]])
    unanswerable = _question("u1", False)
    short = Reply("La subvention va de 15 000 à 60 000 € [1].", False, (SOURCE_ACTE,))
    late = Reply(PADDING * 2 + "Elle va de 15 000 à 60 000 € [1].", False, (SOURCE_ACTE,))
    dangling = Reply("Ce dispositif va de 15 000 à 60 000 € [1].", False, (SOURCE_ACTE,))
    outs = [
        score(original, DOC, short, COLLECTION),
        score(variant, DOC, Reply("Le guide ne le dit pas.", True), COLLECTION),
        score(listing, DOC, dangling, COLLECTION),
        score(unanswerable, [], late, COLLECTION),
    ]
    agg = aggregate(outs)
    assert agg["lead_fact_recall"] == pytest.approx(2 / 3)  # the abstention scores 0
    assert agg["list_completeness"] == pytest.approx(2 / 3)
    assert agg["median_chars"] == len(dangling.answer)  # median of the three answers given
    assert agg["over_900"] == pytest.approx(1 / 3)
    assert agg["dangling_openings"] == pytest.approx(1 / 3)
    assert agg["metamorphic_stability"] == 0.0  # the variant lost the original's facts
    assert agg["user_rule_pass"] == 0.5  # a1 and l1 pass; v1 abstained, u1 answered
    assert agg["wrongful_abstention"] == pytest.approx(1 / 3)
    assert agg["abstention_precision"] == 0.0 and agg["abstention_recall"] == 0.0
    # The original may come from outside the scored set (a tune original of a test variant):
    ref = replace(outs[0], reference=True)
    alone = aggregate([outs[1]], [ref])
    assert alone["metamorphic_stability"] == 0.0 and alone["wrongful_abstention"] == 1.0
    with_ref = aggregate([ref, outs[1]])  # a reference outcome is never scored itself
    assert with_ref["wrongful_abstention"] == 1.0 and with_ref["user_rule_pass"] == 0.0
    assert aggregate([outs[1]])["metamorphic_stability"] is None  # original not in the run
    why = {f["id"]: f["why"] for f in failures(outs)}
    assert "dangling opening" in why["l1"] and "list incomplete (0.67)" in why["l1"]
    assert why["u1"][0] == "answered an unanswerable question (unanswerable)"
    assert why["a1"] == ["missed retrieval (no relevant passage in top 5)"]  # no ranking given


def test_variant_originals_are_added_when_the_split_lacks_them():
    from assistant.errors import UserError
    from assistant.evaluation.data import variant_originals

    original = _user_question("a1", "number")
    kept = _user_question("a2", "number")
    variants = [
        _user_question("v1", "variant", variant_of="a1"),
        _user_question("v2", "variant", variant_of="a2"),
        _user_question("v3", "variant", variant_of="a1"),
    ]
    assert variant_originals([original, kept, *variants], [kept, *variants]) == [original]
    with pytest.raises(UserError, match="a9"):
        variant_originals([], [_user_question("v9", "variant", variant_of="a9")])


def test_the_systems_list_is_extended_by_adding_a_factory():
    from types import SimpleNamespace

    from assistant.evaluation.baselines import OTHERS, PipelineSystem, build_systems

    pipeline = SimpleNamespace(index=SimpleNamespace(chunks=[]))

    class Fixed:
        collection: list[Span] = []

        def __init__(self, name: str) -> None:
            self.name = name

        def reply(self, question, *, rank):
            return Reply("Non.", True)

    others = {"product_no_cards": lambda p, docs: Fixed("product_no_cards")}
    systems = build_systems(pipeline, [], others=others)
    assert [s.name for s in systems] == ["product", "product_no_cards"]
    assert isinstance(systems[0], PipelineSystem) and systems[0].mode == "hybrid"
    assert [s.name for s in build_systems(pipeline, [], baselines=False, others=others)] == [
        "product"
    ]
    with pytest.raises(ValueError, match="misnamed"):
        build_systems(pipeline, [], others={"x": lambda p, docs: Fixed("misnamed")})
    assert list(OTHERS) == ["no_cards", "bm25", "dense", "tutorial"]


def test_a_fact_ignores_the_spaces_inside_numbers_and_before_units():
    from assistant.evaluation.metrics import fact_matched

    assert fact_matched("limitée à 60 % des dépenses", ["60%"])
    assert fact_matched("entre 15 000 et 60 000 €", ["15000"])
    assert fact_matched("entre 15000 et 60000€", ["60 000 €"])
    assert not fact_matched("limitée à 50 % des dépenses", ["60%"])
