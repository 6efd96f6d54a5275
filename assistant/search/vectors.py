"""Model-free vector search: pure functions on arrays, plus the FAISS wrapper.

`top_k` works on plain numpy arrays and is the reference the FAISS index is tested against.
"""

from __future__ import annotations

import numpy as np


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def top_k(query: np.ndarray, matrix: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k rows of `matrix` with the highest dot product with `query`, best first.

    Ties keep the lower row first, so results are deterministic.
    """
    if len(matrix) == 0 or k <= 0:
        return []
    scores = matrix @ np.asarray(query, dtype=np.float32)
    order = np.lexsort((np.arange(len(scores)), -scores))[:k]
    return [(int(i), float(scores[i])) for i in order]


class FlatIndex:
    """Exact inner-product search over unit vectors with FAISS (`IndexFlatIP`)."""

    def __init__(self, index) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray) -> FlatIndex:
        import faiss

        vectors = normalize(vectors)
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        return cls(index)

    @classmethod
    def read(cls, path: str) -> FlatIndex:
        import faiss

        return cls(faiss.read_index(path))

    def write(self, path: str) -> None:
        import faiss

        faiss.write_index(self._index, path)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, len(self))
        if k <= 0:
            return []
        scores, ids = self._index.search(normalize(query.reshape(1, -1)), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def vectors(self) -> np.ndarray:
        """All stored vectors, row i for id i (for tests and sentence scoring)."""
        return self._index.reconstruct_n(0, len(self))
