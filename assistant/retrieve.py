"""Hybrid retrieval, fused by weighted RRF over three rankings of the chunks: dense on the
chunk (FAISS), dense on the chunk's best sentence, and BM25 on French analysis.

`Retriever.search` returns the fused hits and the query vector, which the answerer reuses
to score sentences, so the question is embedded once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .acronyms import expand
from .embed import Embedder
from .fusion import reciprocal_rank_fusion
from .guard import corpus_words
from .index import Index, chunk_index_text
from .lexical import BM25
from .schema import Hit
from .settings import Settings


@dataclass(frozen=True)
class Retrieval:
    hits: list[Hit]
    query_vector: np.ndarray


class Retriever:
    def __init__(self, index: Index, embedder: Embedder, settings: Settings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.bm25 = BM25([chunk_index_text(c) for c in index.chunks])
        # Sentences are matched lexically on their own words (plus section and acronyms).
        self.sentence_bm25 = BM25(
            [
                expand(f"{index.chunks[s.chunk].section[-1]} : {index.sentence_text(s)}")
                for s in index.sentences
            ]
        )
        self.sentence_terms = self.sentence_bm25.terms
        self.vocabulary = corpus_words([chunk_index_text(c) for c in index.chunks])
        self.sentence_matrix = index.sentence_vectors.vectors()
        self._sentence_chunk = [s.chunk for s in index.sentences]

    def embed_query(self, query: str) -> np.ndarray:
        return self.embedder.embed_queries([expand(query)])[0]

    def dense(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        return self.index.chunk_vectors.search(query_vector, k)

    def sentence_dense(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Chunks ranked by their best sentence's cosine: a chunk that holds one sentence
        answering the question is found even when the rest of it is about something else."""
        sims = self.sentence_matrix @ query_vector
        best: dict[int, float] = {}
        for row, sim in zip(self._sentence_chunk, sims.tolist(), strict=True):
            if sim > best.get(row, -2.0):
                best[row] = sim
        return sorted(best.items(), key=lambda p: (-p[1], p[0]))[:k]

    def lexical(self, query: str, k: int) -> list[tuple[int, float]]:
        return self.bm25.search(expand(query), k)

    def search(self, query: str, k: int | None = None, *, mode: str = "hybrid") -> Retrieval:
        """Top-k chunks for `query`. `mode` is "hybrid", "dense" or "lexical" (the baselines
        of the evaluation). The query is embedded in every mode: the answerer scores
        sentences with it, so the modes differ only in how chunks are ranked."""
        if mode not in ("hybrid", "dense", "lexical"):
            raise ValueError(f"unknown retrieval mode {mode!r}")
        s = self.settings
        k = k or s.top_k
        qvec = self.embed_query(query)
        dense = self.dense(qvec, s.candidates) if mode != "lexical" else []
        lexical = self.lexical(query, s.candidates) if mode != "dense" else []
        if mode == "hybrid":
            sentences = self.sentence_dense(qvec, s.candidates)
            weights = [s.dense_weight, s.dense_weight, s.lexical_weight]
            fused = reciprocal_rank_fusion([dense, sentences, lexical], weights, k=s.rrf_k)
        else:
            fused = dense or lexical
        dense_by_row, lexical_by_row = dict(dense), dict(lexical)
        hits = [
            Hit(self.index.chunks[row], score, dense_by_row.get(row), lexical_by_row.get(row))
            for row, score in fused[:k]
        ]
        return Retrieval(hits, qvec)
