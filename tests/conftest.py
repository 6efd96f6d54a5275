"""Shared fixtures: a tiny corpus whose facts we know, and a deterministic fake embedder."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.search.analysis import analyze
from assistant.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"


class BagOfWordsEmbedder:
    """Hashes analysed terms into a fixed number of dimensions: texts that share words are
    close, others are far. Deterministic across runs and machines (md5, not hash())."""

    name = "fake-bag-of-words-64"
    dim = 64

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for term in analyze(text):
            v[int(hashlib.md5(term.encode()).hexdigest(), 16) % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed_queries(self, texts):
        return np.stack([self._one(t) for t in texts])

    def embed_passages(self, texts, progress=False):
        return np.stack([self._one(t) for t in texts])


@pytest.fixture
def fake_embedder() -> BagOfWordsEmbedder:
    return BagOfWordsEmbedder()


@pytest.fixture
def tiny_settings(tmp_path: Path) -> Settings:
    """Settings over a copy of the tiny fixture corpus, with the index in a temp folder."""
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", corpus)
    return replace(
        Settings(),
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        cards_dir=tmp_path / "cards",  # no answer cards unless a test writes some
        cache_dir=tmp_path / "cache",
        min_support=0.3,
    )
