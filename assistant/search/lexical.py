"""BM25 over analysed French terms (rank-bm25's Okapi BM25)."""

from __future__ import annotations

from .analysis import analyze


class BM25:
    def __init__(self, texts: list[str]) -> None:
        from rank_bm25 import BM25Okapi

        self._docs = [analyze(t) for t in texts]
        # rank_bm25 cannot take an empty corpus or an all-empty one
        self._bm25 = BM25Okapi([d or ["\0"] for d in self._docs]) if texts else None
        self.vocabulary = frozenset(t for d in self._docs for t in d)
        self.terms = [frozenset(d) for d in self._docs]
        self.idf: dict[str, float] = dict(self._bm25.idf) if self._bm25 else {}

    def scores(self, query: str) -> list[float]:
        terms = analyze(query)
        if self._bm25 is None or not terms:
            return [0.0] * len(self._docs)
        return [float(s) for s in self._bm25.get_scores(terms)]

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """The k best rows with a positive score, best first (ties: lower row first)."""
        scored = [(i, s) for i, s in enumerate(self.scores(query)) if s > 0]
        return sorted(scored, key=lambda p: (-p[1], p[0]))[:k]
