"""The guide's sentences closest to a question, through the index's public parts (its
chunks, sentences and sentence vectors) and the embedder: used for a decline's closest
section and for a card draft's quotes."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np


class Nearest(NamedTuple):
    section: str  # the chunk's section path, "A > B"
    sentence: str  # verbatim from the guide
    score: float  # cosine


def nearest_sentences(index: Any, query_vector: np.ndarray, k: int = 3) -> list[Nearest]:
    """The `k` sentences of `index` closest to `query_vector` (unit vector), best first,
    each sentence once."""
    out: list[Nearest] = []
    for row, score in index.sentence_vectors.search(query_vector, max(k * 2, k)):
        s = index.sentences[row]
        text = index.sentence_text(s).strip()
        if text and text not in {n.sentence for n in out}:
            out.append(Nearest(index.chunks[s.chunk].section_path, text, float(score)))
    return out[:k]


def closest_section(pipeline: Any, question: str) -> str:
    """The guide section closest to `question`, or "" when `pipeline` has no embedder and
    index (a test double) or the lookup fails."""
    embedder, index = getattr(pipeline, "embedder", None), getattr(pipeline, "index", None)
    if embedder is None or not hasattr(index, "sentence_vectors"):
        return ""
    try:
        vector = embedder.embed_queries([question])[0]
        nearest = nearest_sentences(index, vector, 1)
    except Exception:
        return ""
    return nearest[0].section if nearest else ""
