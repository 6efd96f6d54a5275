"""Evaluation data: every evidence string is found in the corpus, and relevance is positional."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from assistant.corpus.load import load_corpus
from assistant.errors import UserError
from assistant.evaluation.baselines import ReplayEmbedder, build_tutorial
from assistant.evaluation.cli import DEFAULT_QUESTIONS
from assistant.evaluation.data import (
    Question,
    Span,
    covered,
    is_relevant,
    load_questions,
    locate,
    locate_evidence,
    normalise,
)
from assistant.schema import Document
from assistant.settings import Settings

MARKDOWN = (
    "## Pourquoi soutenir ?\n\n"
    "- **Pôle** : Regroupement d'entreprises de l'ESS,\n"
    "  avec d'autres entreprises.\n\n"
    "> Le dispositif ACTE finance entre 15 000 et 60 000 €.\n"
)


def test_every_evidence_string_is_located_in_the_corpus():
    questions = load_questions(DEFAULT_QUESTIONS)
    documents = load_corpus(Settings().corpus_dir)
    located = locate_evidence(questions, documents)  # raises, naming the ids, if any is missing
    assert len(located) == len(questions) == 308
    for q in questions:
        assert len(located[q.id]) == len(q.evidence)
        for text, spans in zip(q.evidence, located[q.id], strict=True):
            assert len(spans) == 1, (q.id, text)
            doc = next(d for d in documents if d.doc_id == spans[0].doc_id)
            assert normalise(doc.text[spans[0].start : spans[0].end])[0] == normalise(text)[0]


def test_splits_have_the_documented_sizes():
    assert len(load_questions(DEFAULT_QUESTIONS, "tune")) == 121
    assert len(load_questions(DEFAULT_QUESTIONS, "test")) == 187
    with pytest.raises(UserError):
        load_questions(DEFAULT_QUESTIONS, "train")


def test_normalise_keeps_a_map_to_the_original_offsets():
    norm, offsets = normalise("- **Pôle** :\n  ESS")
    assert norm == "Pôle : ESS"
    assert len(offsets) == len(norm)
    assert offsets[0] == 4 and offsets[-1] == len("- **Pôle** :\n  ESS") - 1


def test_locate_tolerates_markdown_marks_and_line_breaks():
    needle = "Pôle : Regroupement d'entreprises de l'ESS, avec d'autres entreprises."
    [(start, end)] = locate(needle, MARKDOWN)
    assert MARKDOWN[start:end] == (
        "Pôle** : Regroupement d'entreprises de l'ESS,\n  avec d'autres entreprises."
    )
    [(s2, e2)] = locate("Le dispositif ACTE finance entre 15 000 et 60 000 €.", MARKDOWN)
    assert MARKDOWN[s2:e2].startswith("Le dispositif") and MARKDOWN[s2:e2].endswith("€.")
    assert locate("entre 15 000 et 90 000 €", MARKDOWN) == []


def test_missing_evidence_is_an_error_naming_the_questions():
    doc = Document("d", "Tiny", MARKDOWN)
    ok = Question("q1", "?", (), "number", True, ("15 000 et 60 000",), (("15 000",),), "test")
    bad = Question("q2", "?", (), "number", True, ("un texte absent",), (("x",),), "test")
    assert locate_evidence([ok], [doc])["q1"][0][0].doc_id == "d"
    with pytest.raises(UserError, match="q2"):
        locate_evidence([ok, bad], [doc])


def test_relevance_is_overlap_with_an_evidence_span_of_the_same_document():
    doc = Document("d", "Tiny", MARKDOWN)
    q = Question(
        "q1",
        "?",
        (),
        "definition",
        True,
        ("Regroupement d'entreprises", "entre 15 000"),
        (),
        "test",
    )
    evidence = locate_evidence([q], [doc])["q1"]
    heading = Span("d", 0, MARKDOWN.index("- **"))
    item = Span("d", MARKDOWN.index("- **"), MARKDOWN.index("> "))
    quote = Span("d", MARKDOWN.index("> "), len(MARKDOWN))
    assert not is_relevant(heading, evidence)
    assert covered(item, evidence) == {0}
    assert covered(quote, evidence) == {1}
    assert covered(Span("d", 0, len(MARKDOWN)), evidence) == {0, 1}
    assert not is_relevant(Span("other", 0, len(MARKDOWN)), evidence)  # other document
    # A span touching the evidence's end without overlapping it is not relevant.
    end = evidence[0][0].end
    assert not is_relevant(Span("d", end, end + 5), evidence)


def test_tutorial_passages_are_spans_of_the_document(fake_embedder):
    text = "\n\n".join(f"Paragraphe {i} sur les PTCE et la coopération. " * 8 for i in range(6))
    doc = Document("d", "Tiny", text)
    tutorial = build_tutorial(fake_embedder, [doc], chunk_size=300, overlap=60)
    assert len(tutorial.passages) > 4
    for p in tutorial.passages:
        assert text[p.span.start : p.span.end] == p.text
    q = Question("q1", "coopération PTCE", (), "terse", True, (), (), "test")
    reply = tutorial.reply(q, rank=True)
    assert not reply.abstained and len(reply.sources) == 4 and len(reply.ranking) > 4
    assert [f"[{n}]" in reply.answer for n in range(1, 5)] == [True] * 4


def test_replay_embedder_embeds_each_query_once_for_the_ranking(fake_embedder):
    calls = []

    class Counting:
        name, dim = fake_embedder.name, fake_embedder.dim

        def embed_queries(self, texts):
            calls.append(list(texts))
            return fake_embedder.embed_queries(texts)

    replay = ReplayEmbedder(Counting())
    first = replay.embed_queries(["les PTCE"])
    with replay.replaying():
        again = replay.embed_queries(["les PTCE"])
        other = replay.embed_queries(["la SCIC"])  # never seen: embedded
    assert (first == again).all() and other.shape == first.shape
    assert calls == [["les PTCE"], ["la SCIC"]]
    replay.embed_queries(["les PTCE"])  # outside replaying(): always embedded, as in production
    assert len(calls) == 3


# ---------------------------------------------------------------- the questions file itself

SEED = Path("/work/shared/seed/000_90537e465652d035.txt")
CATEGORIES = {
    # category: answerable?
    "definition": True,
    "acronym": True,
    "number": True,
    "date": True,
    "who_does_what": True,
    "example": True,
    "funding": True,
    "paraphrase": True,
    "typo": True,
    "terse": True,
    "english": True,
    "followup": True,
    "links": True,
    "practical": True,
    "followup_topic": True,
    "list": True,
    "variant": True,
    "unanswerable": False,
    "unanswerable_hard": False,
    "off_topic": False,
    "injection": False,
}


def _guide_text() -> str:
    """The guide's plain text, normalised and case-folded, with no space before a % sign
    (answers may write « 60 % » where the guide writes « 60% »)."""
    if SEED.is_file():
        text = SEED.read_text(encoding="utf-8")
    else:  # outside the shared workspace: the transcription in the corpus
        text = next(d.text for d in load_corpus(Settings().corpus_dir) if "ptce" in d.doc_id)
    return _fold(text)


def _fold(text: str) -> str:
    return re.sub(r"\s+%", "%", normalise(text)[0].casefold())


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [
        json.loads(line)
        for line in DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_ids_follow_file_order_and_categories_are_known(rows):
    assert [r["id"] for r in rows] == [f"q{i:03d}" for i in range(1, len(rows) + 1)]
    for r in rows:
        assert CATEGORIES[r["category"]] is r["answerable"], r["id"]


def test_splits_follow_the_rule_within_each_category(rows):
    position: Counter[str] = Counter()
    for r in rows:
        position[r["category"]] += 1
        expected = "tune" if position[r["category"]] % 5 in (2, 4) else "test"
        assert r["split"] == expected, r["id"]


@pytest.mark.skipif(not SEED.is_file(), reason="the seed text is not in this workspace")
def test_evidence_occurs_verbatim_and_once_in_the_seed(rows):
    seed = SEED.read_text(encoding="utf-8")
    for r in rows:
        for e in r["evidence"]:
            assert 20 <= len(e) <= 200 and "\n" not in e, (r["id"], e)
            assert seed.count(e) == 1, (r["id"], e)


def test_answerable_questions_have_evidence_and_facts_found_in_the_guide(rows):
    guide = _guide_text()
    for r in rows:
        if not r["answerable"]:
            assert r["evidence"] == [] and r["facts"] == [] and "list_items" not in r, r["id"]
            continue
        most = 6 if r["category"] == "list" else 3  # a list question: one span per item
        assert 1 <= len(r["evidence"]) <= most and r["facts"], r["id"]
        for group in r["facts"] + r.get("list_items", []):
            assert group and all(_fold(alt) in guide for alt in group), (r["id"], group)


# Facts not inside their question's evidence: a web address on the line after its description
# (the address alone is shorter than an evidence string may be), and Valenciennes, named in
# bold just before q071's span.
FACTS_BESIDE_EVIDENCE = {
    ("q071", "Valenciennes"),
    ("q191", "esshdf.org"),
    ("q196", "ess-france.org"),
    ("q246", "ess-france.org"),
    ("q246", "www.esshdf.org"),
}


def test_facts_occur_in_the_questions_own_evidence(rows):
    beside = set()
    for r in rows:
        evidence = " | ".join(_fold(e) for e in r["evidence"])
        for group in r["facts"]:
            if not any(_fold(alt) in evidence for alt in group):
                beside.add((r["id"], group[0]))
    assert beside == FACTS_BESIDE_EVIDENCE


def test_list_questions_carry_their_items(rows):
    lists = [r for r in rows if r["category"] == "list"]
    assert len(lists) >= 10
    for r in lists:
        assert len(r["list_items"]) >= 2, r["id"]
        assert r["facts"] == r["list_items"], r["id"]  # a list question's facts are its items
    assert all("list_items" not in r for r in rows if r["category"] != "list")


def test_variants_point_to_an_earlier_answerable_question_with_the_same_facts(rows):
    by_id = {r["id"]: r for r in rows}
    variants = [r for r in rows if "variant_of" in r]
    assert len(variants) >= 15
    for r in variants:
        original = by_id[r["variant_of"]]
        assert r["category"] == "variant" and original["answerable"], r["id"]
        assert "variant_of" not in original and original["id"] < r["id"], r["id"]
        assert r["facts"] == original["facts"] and r["question"] != original["question"], r["id"]
    assert all("variant_of" in r for r in rows if r["category"] == "variant")


def test_histories_alternate_and_end_with_the_assistant(rows):
    for r in rows:
        turns = r["history"]
        if r["category"] in ("followup", "followup_topic"):
            assert turns, r["id"]
        for i, turn in enumerate(turns):
            assert turn["role"] == ("user" if i % 2 == 0 else "assistant"), r["id"]
            assert turn["content"].strip(), r["id"]
        assert not turns or turns[-1]["role"] == "assistant", r["id"]


def test_loading_keeps_list_items_and_variant_of():
    questions = {q.id: q for q in load_questions(DEFAULT_QUESTIONS)}
    lists = [q for q in questions.values() if q.category == "list"]
    assert lists and all(q.list_items == q.facts for q in lists)
    variants = [q for q in questions.values() if q.variant_of]
    assert variants and all(questions[q.variant_of].answerable for q in variants)
    assert questions["q001"].list_items == () and questions["q001"].variant_of is None


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("holdout.jsonl", 75),
        ("holdout2.jsonl", 120),
        ("holdout3.jsonl", 240),
        ("holdout4.jsonl", 160),
        ("holdout5.jsonl", 120),
        ("holdout6.jsonl", 160),
    ],
)
def test_the_kept_aside_questions_are_valid_and_found_in_the_guide(name, size):
    kept = load_questions(DEFAULT_QUESTIONS.parent / name)
    assert len(kept) == size and all(q.split == "holdout" for q in kept)  # never tuned on
    guide = _guide_text()
    for q in kept:
        assert CATEGORIES[q.category] is q.answerable, q.id
        for group in q.facts:
            assert any(_fold(alt) in guide for alt in group), (q.id, group)


def test_the_development_questions_are_valid_and_found_in_the_guide():
    dev = load_questions(DEFAULT_QUESTIONS.parent / "dev.jsonl")
    assert len(dev) == 2365 and all(q.split == "tune" for q in dev)  # tuning only, never test
    guide = _guide_text()
    for q in dev:
        assert CATEGORIES[q.category] is q.answerable, q.id
        for group in q.facts:
            assert any(_fold(alt) in guide for alt in group), (q.id, group)
