"""Hybrid retrieval, fused by weighted RRF over three rankings of the chunks: dense on the
chunk (FAISS), dense on the chunk's best sentence, and BM25 on French analysis.

`Retriever.search` returns the fused hits and the query vector; `Retriever.sentences` then
gives the answerer the sentences of those hits as `ScoredSentence`s (text, terms, cosine with
the question), so the question is embedded once and the answerer never reads the index's
matrices. `idf` and `vocabulary` are what the answerer and the guard need of the corpus.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from .acronyms import expand
from .embed import Embedder
from .fusion import reciprocal_rank_fusion
from .guard import corpus_words
from .index import Index, chunk_index_text
from .lexical import BM25
from .schema import Chunk, Hit
from .settings import Settings


@dataclass(frozen=True)
class Retrieval:
    hits: list[Hit]
    query_vector: np.ndarray


@dataclass(frozen=True)
class ScoredSentence:
    """A sentence of a retrieved chunk, with what the answerer scores it on."""

    row: int  # its row among the index's sentences (neighbours differ by 1)
    chunk: Chunk
    hit_rank: int  # its chunk's rank among the hits, from 0
    text: str  # as in the guide, Markdown kept
    terms: frozenset[str]  # its analysed terms, its section's and acronyms' expansions included
    dense: float  # cosine with the question


class Retriever:
    def __init__(self, index: Index, embedder: Embedder, settings: Settings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self._bm25 = BM25([chunk_index_text(c) for c in index.chunks])
        # Sentences are matched lexically on their own words (plus section and acronyms).
        self._sentence_bm25 = BM25(
            [
                expand(f"{index.chunks[s.chunk].section[-1]} : {index.sentence_text(s)}")
                for s in index.sentences
            ]
        )
        self._idf = MappingProxyType(self._sentence_bm25.idf)
        self._vocabulary = corpus_words([chunk_index_text(c) for c in index.chunks])
        self._sentence_matrix = index.sentence_vectors.vectors()
        self._sentence_chunk = [s.chunk for s in index.sentences]
        self._sentence_texts = [index.sentence_text(s) for s in index.sentences]
        self._rows_of: dict[str, list[int]] = {}
        for row, s in enumerate(index.sentences):
            self._rows_of.setdefault(index.chunks[s.chunk].chunk_id, []).append(row)

    @property
    def idf(self) -> Mapping[str, float]:
        """Inverse document frequency of each term over the guide's sentences."""
        return self._idf

    @property
    def vocabulary(self) -> frozenset[str]:
        """The words the guide uses (`guard.corpus_words`): a name outside it is unknown."""
        return self._vocabulary

    def sentences(self, retrieval: Retrieval) -> list[ScoredSentence]:
        """The sentences of the retrieved chunks, in the guide's order, each with its cosine
        with the question (`retrieval.query_vector`)."""
        rank_of = {h.chunk.chunk_id: r for r, h in enumerate(retrieval.hits)}
        rows = sorted(row for cid in rank_of for row in self._rows_of.get(cid, ()))
        if not rows:
            return []
        dense = (self._sentence_matrix[rows] @ retrieval.query_vector).tolist()
        chunks, terms = self.index.chunks, self._sentence_bm25.terms
        out = []
        for row, cos in zip(rows, dense, strict=True):
            chunk = chunks[self._sentence_chunk[row]]
            rank = rank_of[chunk.chunk_id]
            out.append(ScoredSentence(row, chunk, rank, self._sentence_texts[row], terms[row], cos))
        return out

    def embed_query(self, query: str) -> np.ndarray:
        return self.embedder.embed_queries([expand(query)])[0]

    def dense(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        return self.index.chunk_vectors.search(query_vector, k)

    def sentence_dense(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Chunks ranked by their best sentence's cosine: a chunk that holds one sentence
        answering the question is found even when the rest of it is about something else."""
        sims = self._sentence_matrix @ query_vector
        best: dict[int, float] = {}
        for row, sim in zip(self._sentence_chunk, sims.tolist(), strict=True):
            if sim > best.get(row, -2.0):
                best[row] = sim
        return sorted(best.items(), key=lambda p: (-p[1], p[0]))[:k]

    def lexical(self, query: str, k: int) -> list[tuple[int, float]]:
        return self._bm25.search(expand(query), k)

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
