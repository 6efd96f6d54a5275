"""Incremental re-indexing: unchanged documents keep their vectors, changed ones are
re-embedded, removed ones leave the index; the manifest records each document's links."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from assistant.search.index import (
    build_index,
    chunk_index_text,
    current_build,
    load_index,
    open_index,
    sentence_index_texts,
)
from assistant.settings import PROJECT_ROOT

SECOND = """---
doc_id: ressourcerie
title: "Fiche ressourcerie"
publisher: "Réseau test"
date: "2023-09"
url: "https://example.org/ressourcerie"
---

# Fiche ressourcerie

## Activité

La ressourcerie collecte 120 tonnes d'objets par an et emploie huit salariés.

## Partenaires

La communauté de communes met un local à disposition de la ressourcerie.
"""


class CountingEmbedder:
    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.embedded: list[str] = []

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts, progress=False):
        self.embedded += texts
        return self.inner.embed_passages(texts)


@pytest.fixture
def two_docs(tiny_settings):
    (tiny_settings.corpus_dir / "ressourcerie.md").write_text(SECOND, encoding="utf-8")
    return tiny_settings


def texts_of(index, doc_id: str) -> set[str]:
    out = {chunk_index_text(c) for c in index.chunks if c.doc_id == doc_id}
    stexts = sentence_index_texts(index.chunks, index.sentences)
    return out | {
        t
        for s, t in zip(index.sentences, stexts, strict=True)
        if index.chunks[s.chunk].doc_id == doc_id
    }


def assert_same_as_full_build(index, settings, fake_embedder, tmp_path):
    """An incremental build equals a from-scratch build of the same corpus."""
    full = build_index(
        replace(settings, index_dir=tmp_path / "full"), fake_embedder, progress=False
    )
    assert index.chunks == full.chunks and index.sentences == full.sentences
    np.testing.assert_allclose(
        index.chunk_vectors.vectors(), full.chunk_vectors.vectors(), atol=1e-6
    )
    np.testing.assert_allclose(
        index.sentence_vectors.vectors(), full.sentence_vectors.vectors(), atol=1e-6
    )


def test_unchanged_corpus_embeds_nothing(two_docs, fake_embedder, tmp_path):
    first = build_index(two_docs, fake_embedder, progress=False)
    embedder = CountingEmbedder(fake_embedder)
    again = build_index(two_docs, embedder, progress=False)
    assert embedder.embedded == []
    assert again.manifest["reuse"] == {
        "from": first.path.name,
        "reused_vectors": len(again.chunks) + len(again.sentences),
        "embedded_vectors": 0,
    }
    assert current_build(two_docs.index_dir) == again.path
    assert_same_as_full_build(again, two_docs, fake_embedder, tmp_path)


def test_changed_document_alone_is_re_embedded(two_docs, fake_embedder, tmp_path):
    build_index(two_docs, fake_embedder, progress=False)
    doc = two_docs.corpus_dir / "ressourcerie.md"
    doc.write_text(doc.read_text().replace("120 tonnes", "150 tonnes"), encoding="utf-8")
    embedder = CountingEmbedder(fake_embedder)
    index = open_index(two_docs, embedder, progress=False)  # stale: rebuilt incrementally
    assert set(embedder.embedded) == texts_of(index, "ressourcerie")
    assert not texts_of(index, "jardins") & set(embedder.embedded)
    assert any("150 tonnes" in c.text for c in index.chunks)
    assert not any("120 tonnes" in c.text for c in index.chunks)
    assert_same_as_full_build(index, two_docs, fake_embedder, tmp_path)


def test_new_document_alone_is_embedded(tiny_settings, fake_embedder, tmp_path):
    build_index(tiny_settings, fake_embedder, progress=False)
    (tiny_settings.corpus_dir / "ressourcerie.md").write_text(SECOND, encoding="utf-8")
    embedder = CountingEmbedder(fake_embedder)
    index = build_index(tiny_settings, embedder, progress=False)
    assert set(embedder.embedded) == texts_of(index, "ressourcerie")
    assert index.manifest["documents"]["ressourcerie"]["sha256"]
    assert_same_as_full_build(index, tiny_settings, fake_embedder, tmp_path)


def test_removed_document_leaves_the_index(two_docs, fake_embedder, tmp_path):
    old = build_index(two_docs, fake_embedder, progress=False)
    (two_docs.corpus_dir / "ressourcerie.md").unlink()
    embedder = CountingEmbedder(fake_embedder)
    index = build_index(two_docs, embedder, progress=False)
    assert embedder.embedded == []
    assert {c.doc_id for c in index.chunks} == {"jardins"}
    assert "ressourcerie" not in index.manifest["documents"]
    assert not old.path.exists()  # the previous build was pruned after the swap
    assert load_index(index.path).chunks == index.chunks
    assert_same_as_full_build(index, two_docs, fake_embedder, tmp_path)


def test_title_change_re_embeds_even_with_the_same_body(two_docs, fake_embedder):
    """The body's sha256 is unchanged but the embedded texts start with the title."""
    build_index(two_docs, fake_embedder, progress=False)
    doc = two_docs.corpus_dir / "ressourcerie.md"
    doc.write_text(doc.read_text().replace('title: "Fiche ressourcerie"', 'title: "Fiche R"'))
    embedder = CountingEmbedder(fake_embedder)
    index = build_index(two_docs, embedder, progress=False)
    chunk_texts = {chunk_index_text(c) for c in index.chunks if c.doc_id == "ressourcerie"}
    assert chunk_texts <= set(embedder.embedded)


@pytest.mark.parametrize(
    "change",
    [
        lambda s, e: (replace(s, chunk_max_chars=300), e),
        lambda s, e: (replace(s, passage_prefix="doc: "), e),
        lambda s, e: (s, setattr(e, "name", "another-model") or e),
    ],
    ids=["chunking", "prefix", "model"],
)
def test_nothing_is_reused_when_the_build_recipe_changed(two_docs, fake_embedder, change):
    build_index(two_docs, fake_embedder, progress=False)
    embedder = CountingEmbedder(fake_embedder)
    settings, embedder = change(two_docs, embedder)
    index = build_index(settings, embedder, progress=False)
    assert len(embedder.embedded) == len(
        set(texts_of(index, "jardins") | texts_of(index, "ressourcerie"))
    )
    assert index.manifest["reuse"]["reused_vectors"] == 0


def test_corrupt_live_build_means_a_full_build_not_a_crash(two_docs, fake_embedder):
    live = build_index(two_docs, fake_embedder, progress=False)
    (live.path / "chunks.faiss").write_bytes(b"garbage")
    embedder = CountingEmbedder(fake_embedder)
    index = build_index(two_docs, embedder, progress=False)
    assert index.manifest["reuse"]["reused_vectors"] == 0 and embedder.embedded


def test_reuse_can_be_turned_off(two_docs, fake_embedder):
    build_index(two_docs, fake_embedder, progress=False)
    embedder = CountingEmbedder(fake_embedder)
    build_index(two_docs, embedder, progress=False, reuse=False)
    assert embedder.embedded


def test_chunks_carry_date_and_publisher(two_docs, fake_embedder):
    index = build_index(two_docs, fake_embedder, progress=False)
    chunk = next(c for c in index.chunks if c.doc_id == "ressourcerie")
    assert (chunk.date, chunk.publisher) == ("2023-09", "Réseau test")
    first = json.loads((index.path / "chunks.jsonl").read_text().splitlines()[0])
    assert {"date", "publisher"} <= set(first)
    assert index.manifest["documents"]["jardins"]["links"] == [
        {"title": "Site des jardins", "url": "https://example.org"}
    ]


def test_committed_index_holds_no_fetched_document():
    """Fetched pages state no reuse licence: their text must never reach the repository's
    index (chunks.jsonl holds passages verbatim). Build it from the committed corpus only."""
    build = current_build(PROJECT_ROOT / "index")
    if build is None or not (build / "manifest.json").exists():
        pytest.skip("no committed index")
    documents = json.loads((build / "manifest.json").read_text())["documents"]
    fetched = [d for d, meta in documents.items() if meta["path"].startswith("fetched/")]
    assert fetched == [], (
        f"index/ was built with fetched documents {fetched}; rebuild it without corpus/fetched/"
    )
