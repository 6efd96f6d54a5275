"""Evaluation data: every evidence string is found in the corpus, and relevance is positional."""

from __future__ import annotations

import pytest

from assistant.corpus import load_corpus
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
    assert len(located) == len(questions) == 197
    for q in questions:
        assert len(located[q.id]) == len(q.evidence)
        for text, spans in zip(q.evidence, located[q.id], strict=True):
            assert len(spans) == 1, (q.id, text)
            doc = next(d for d in documents if d.doc_id == spans[0].doc_id)
            assert normalise(doc.text[spans[0].start : spans[0].end])[0] == normalise(text)[0]


def test_splits_have_the_documented_sizes():
    assert len(load_questions(DEFAULT_QUESTIONS, "tune")) == 78
    assert len(load_questions(DEFAULT_QUESTIONS, "test")) == 119
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
