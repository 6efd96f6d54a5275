import numpy as np
import pytest

from assistant.citations import extract_citations, number_sources
from assistant.schema import Chunk, Hit
from assistant.search.fusion import reciprocal_rank_fusion
from assistant.search.lexical import BM25
from assistant.search.vectors import FlatIndex, normalize, top_k


def test_top_k_on_hand_written_vectors():
    m = normalize(np.array([[1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 1]]))
    assert [i for i, _ in top_k(np.array([1, 0, 0, 0], np.float32), m, 2)] == [0, 2]
    assert top_k(np.zeros(4), m[:0], 3) == []


def test_faiss_index_agrees_with_top_k():
    rng = np.random.default_rng(0)
    m = normalize(rng.normal(size=(50, 8)))
    q = normalize(rng.normal(size=(1, 8)))[0]
    index = FlatIndex.build(m)
    got = index.search(q, 5)
    want = top_k(q, m, 5)
    assert [i for i, _ in got] == [i for i, _ in want]
    assert np.allclose([s for _, s in got], [s for _, s in want], atol=1e-5)


def test_rrf_rewards_agreement_and_respects_weights():
    dense = [(1, 0.9), (2, 0.8), (3, 0.7)]
    lexical = [(3, 9.0), (1, 5.0)]
    fused = reciprocal_rank_fusion([dense, lexical], k=60)
    assert [row for row, _ in fused] == [1, 3, 2]
    only_lexical = reciprocal_rank_fusion([dense, lexical], weights=[0.0, 1.0], k=60)
    assert [row for row, _ in only_lexical][:2] == [3, 1]
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([dense], weights=[1.0, 2.0])


def test_bm25_finds_french_variants():
    bm25 = BM25(["Les collectivités territoriales financent", "Le jardin des Lilas", "rien"])
    assert bm25.search("collectivité territoriale", 3)[0][0] == 0
    assert bm25.search("xyz", 3) == []


def _hit(cid: str) -> Hit:
    return Hit(Chunk(cid, "d", "T", ("S",), f"text {cid}", 0, 6, "u"), 1.0)


def test_sources_numbered_by_first_citation_and_repeats_folded():
    a, b = _hit("a"), _hit("b")
    numbers, sources = number_sources([b, a, b], quotes=["q1", "q2", "q3"])
    assert numbers == [1, 2, 1]
    assert [s.chunk_id for s in sources] == ["b", "a"]
    assert sources[0].quote == "q1 q3"


def test_extract_citations_drops_out_of_range_and_repeats():
    assert extract_citations("x [2] y [0] z [9] w [2] v [1, 3]", 3) == [2, 1, 3]
    assert extract_citations("no citation", 3) == []
