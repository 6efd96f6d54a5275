"""Groups of similar questions from their vectors: a pure core on arrays.

Agglomerative clustering (scikit-learn, average linkage on cosine distance) with a distance
threshold, so the number of groups follows the data. The label of a group is its most
central member: the one with the highest mean cosine to the others.

    >>> v = np.array([[1, 0, 0], [0.99, 0.14, 0], [0, 1, 0], [0, 0.99, 0.14], [0, 0, 1]])
    >>> cluster(v, threshold=0.2)
    [0, 0, 1, 1, 2]
    >>> central(v, [2, 3])
    2
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import UserError
from ..wording import NO_SKLEARN

#: Cosine distance under which two questions (multilingual-e5-small, as queries) are
#: "the same question asked differently": paraphrases measured at 0.01-0.055, two prices of
#: transport at 0.08, unrelated out-of-guide questions at 0.10-0.23.
DEFAULT_THRESHOLD = 0.09


def _unit(vectors: np.ndarray) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norms == 0, 1.0, norms)


def cluster(vectors: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> list[int]:
    """A group number per row, numbered by first appearance (0, 1, …)."""
    n = len(vectors)
    if n == 0:
        return []
    if n == 1:
        return [0]
    try:
        from sklearn.cluster import AgglomerativeClustering
    except ImportError:
        raise UserError(NO_SKLEARN) from None

    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold
    ).fit_predict(_unit(vectors))
    renumber: dict[int, int] = {}
    return [renumber.setdefault(int(label), len(renumber)) for label in labels]


def central(vectors: np.ndarray, members: Sequence[int]) -> int:
    """The member (a row number) with the highest mean cosine to the group's members."""
    unit = _unit(vectors[list(members)])
    scores = (unit @ unit.T).mean(axis=1)
    return list(members)[int(np.argmax(scores))]


def by_centrality(vectors: np.ndarray, members: Sequence[int]) -> list[int]:
    """The members, most central first (ties keep their order)."""
    unit = _unit(vectors[list(members)])
    scores = (unit @ unit.T).mean(axis=1)
    order = sorted(range(len(members)), key=lambda i: -scores[i])
    return [list(members)[i] for i in order]
