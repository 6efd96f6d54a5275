"""The ONNX export and the ONNX Runtime embedder, on the tiny hand-made E5S1 file.

The reference is sentence-transformers loading the folder converted from the same file: the
hand-written graph (attention, exact GELU, LayerNorm, positions, mean pooling) must give the
same vectors. The real model's parity is in `test_onnx_parity.py`.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

pytest.importorskip("onnxruntime")

from test_e5convert import tiny_e5s1  # noqa: E402 (tests/ is on sys.path under pytest)

from assistant.search.e5convert import MARKER, ensure_bundled_model  # noqa: E402
from assistant.search.e5onnx import FP32, INT8, ensure_onnx_model  # noqa: E402
from assistant.search.embed_onnx import OnnxEmbedder  # noqa: E402

TEXTS = ["a", "ab ab", "b a c", "ab", "ccc a b ab a", "a b"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    raw, _ = tiny_e5s1()
    root = tmp_path_factory.mktemp("tiny")
    (root / "tiny-q4.bin").write_bytes(raw)
    return root / "tiny-q4.bin", root / "cache"


@pytest.fixture(scope="module")
def onnx_folder(tiny):
    source, cache = tiny
    folder, digest = ensure_onnx_model(cache, progress=False, source=source)
    return folder, digest


@pytest.fixture(scope="module")
def reference(tiny):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    st = pytest.importorskip("sentence_transformers")
    source, cache = tiny
    folder = ensure_bundled_model(cache, progress=False, source=source)
    return st.SentenceTransformer(str(folder), device="cpu", local_files_only=True)


def test_folder_holds_both_graphs_and_is_reused(onnx_folder, tiny):
    folder, digest = onnx_folder
    assert folder.name == f"multilingual-e5-small-{digest[:12]}-onnx"
    for name in (FP32, INT8, "word_embeddings.npy", "embeddings.npz", "tokenizer.json", MARKER):
        assert (folder / name).is_file(), name
    mtime = (folder / FP32).stat().st_mtime_ns
    assert ensure_onnx_model(tiny[1], progress=False, source=tiny[0]) == onnx_folder
    assert (folder / FP32).stat().st_mtime_ns == mtime
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_float32_graph_matches_sentence_transformers(onnx_folder, reference, kind):
    embedder = OnnxEmbedder(onnx_folder[0], "tiny", "q ", "p ", quantized=False)
    ours = (embedder.embed_queries if kind == "query" else embedder.embed_passages)(TEXTS)
    prefix = "q " if kind == "query" else "p "
    theirs = reference.encode([prefix + t for t in TEXTS], normalize_embeddings=True)
    assert ours.shape == (len(TEXTS), 32) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() > 0.9999, cosines


def test_batch_padding_does_not_change_a_vector(onnx_folder):
    embedder = OnnxEmbedder(onnx_folder[0], "tiny", "q ", "p ", quantized=False)
    together = embedder.embed_queries(TEXTS)  # one padded batch
    alone = np.stack([embedder.embed_queries([t])[0] for t in TEXTS])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_int8_graph_is_smaller_and_close(onnx_folder):
    folder = onnx_folder[0]
    assert (folder / INT8).stat().st_size < (folder / FP32).stat().st_size
    full = OnnxEmbedder(folder, "tiny", "q ", "p ", quantized=False).embed_queries(TEXTS)
    int8 = OnnxEmbedder(folder, "tiny", "q ", "p ", quantized=True).embed_queries(TEXTS)
    assert (full * int8).sum(axis=1).min() > 0.9
    assert not np.allclose(full, int8, atol=1e-6)  # it really ran the other graph


def test_latin_tokenizer_cuts_like_the_whole_one_and_hands_over_the_rest(onnx_folder):
    from tokenizers import Tokenizer

    embedder = OnnxEmbedder(onnx_folder[0], "tiny", "q ", "p ", quantized=False)
    whole = Tokenizer.from_file(str(onnx_folder[0] / "tokenizer.json"))
    assert embedder.token_ids(TEXTS) == [e.ids for e in whole.encode_batch(TEXTS)]
    assert embedder._full_tokenizer is None  # all Latin: the whole one was not needed
    mixed = ["ab 中文 b", "a ab"]
    assert embedder.token_ids(mixed) == [e.ids for e in whole.encode_batch(mixed)]
    assert embedder._full_tokenizer is not None


def test_load_embedder_picks_the_runtime(monkeypatch):
    from dataclasses import replace

    from assistant.errors import ModelError
    from assistant.search import embed
    from assistant.settings import Settings

    chosen = []
    monkeypatch.setattr(embed, "load_onnx_embedder", lambda s, progress: chosen.append("onnx"))
    monkeypatch.setattr(embed, "load_reference_embedder", lambda s, progress: chosen.append("st"))
    settings = Settings()
    embed.load_embedder(settings)  # auto, bundled model, onnxruntime installed
    embed.load_embedder(replace(settings, embedder="sentence-transformers"))
    embed.load_embedder(replace(settings, model="intfloat/multilingual-e5-small"))
    monkeypatch.setattr(embed, "onnx_available", lambda: False)
    embed.load_embedder(settings)  # auto without onnxruntime: the reference
    assert chosen == ["onnx", "st", "st", "st"]
    with pytest.raises(ModelError, match="bundled model only"):
        embed.load_embedder(replace(settings, embedder="onnx", model="some/other-model"))
    with pytest.raises(ModelError, match="Unknown embedder"):
        embed.load_embedder(replace(settings, embedder="gpu"))
