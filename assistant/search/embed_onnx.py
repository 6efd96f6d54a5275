"""The light embedder: the exported multilingual-e5-small run by ONNX Runtime, cut by `tokenizers`.

No torch, no transformers: numpy gathers the word rows from a memory-mapped table, the
encoder graph (int8 or float32, see `e5onnx`) runs in ONNX Runtime, and numpy pools and
normalises. Same `Embedder` interface and the same model identity as the
sentence-transformers embedder, which stays the reference (`tests/test_onnx_parity.py`).

Queries run on `threads` threads (one by default: a short query gains little from a second
one, and a spinning thread pool stalls on a busy machine). Passages, for index builds, use
the float32 graph on every core, loaded on first use.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .e5onnx import FP32, INT8, LATIN_IDS, LATIN_TOKENIZER, is_latin, read_config

_MASKED = -1e9  # added to attention scores of padding tokens


def _session(path: Path, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # The arena allocator keeps a second copy of the weights while loading (+54 MB peak RSS
    # for the float32 encoder) and saves nothing measurable per query (16 ms either way).
    options.enable_cpu_mem_arena = False
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxEmbedder:
    def __init__(
        self,
        folder: str | os.PathLike,
        name: str,
        query_prefix: str,
        passage_prefix: str,
        *,
        quantized: bool = True,
        threads: int = 1,
    ) -> None:
        self.folder = Path(folder)
        config = read_config(self.folder)
        self.name = name
        self.dim = int(config["hidden_size"])
        self.quantized = quantized
        self._prefixes = {"query": query_prefix, "passage": passage_prefix}
        self._max_tokens = int(config["max_positions"])
        self._full_tokenizer = None  # loaded for the first text that is not all Latin
        if (self.folder / LATIN_TOKENIZER).is_file():
            self._latin = self._tokenizer(LATIN_TOKENIZER)
            self._latin_ids = np.load(self.folder / LATIN_IDS)
        else:  # a folder exported before the Latin tokenizer existed
            self._latin, self._latin_ids = None, None
        self._pad_id = int(config["pad_id"])
        self._word = np.load(self.folder / "word_embeddings.npy", mmap_mode="r")
        with np.load(self.folder / "embeddings.npz") as tables:
            self._position = tables["position"]
            self._token_type = tables["token_type"]
        self._query_session = _session(self.folder / (INT8 if quantized else FP32), threads)
        self._passage_session = None

    def _tokenizer(self, name: str):
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.folder / name))
        tokenizer.enable_truncation(max_length=self._max_tokens)
        return tokenizer

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """The model's token ids: from the Latin tokenizer when every text is Latin once
        normalised (it cuts those exactly as the whole one does), else the whole one."""
        if self._latin is not None:
            normalize = self._latin.normalizer.normalize_str
            if all(is_latin(normalize(t)) for t in texts):
                encodings = self._latin.encode_batch(texts, add_special_tokens=True)
                return [self._latin_ids[e.ids].tolist() for e in encodings]
        if self._full_tokenizer is None:
            self._full_tokenizer = self._tokenizer("tokenizer.json")
        return [e.ids for e in self._full_tokenizer.encode_batch(texts, add_special_tokens=True)]

    def _inputs(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(embeddings before the LayerNorm, mask) for a batch, padded on the right."""
        encoded = self.token_ids(texts)
        width = max(len(e) for e in encoded)
        ids = np.full((len(texts), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.float32)
        for row, e in enumerate(encoded):
            ids[row, : len(e)] = e
            mask[row, : len(e)] = 1.0
        # XLM-R numbers positions from pad_id + 1; padding rows are masked out anyway.
        embeddings = self._word[ids] + self._position[:width] + self._token_type
        return embeddings.astype(np.float32, copy=False), mask

    def _run(self, session, texts: list[str]) -> np.ndarray:
        embeddings, mask = self._inputs(texts)
        bias = ((1.0 - mask) * _MASKED)[:, None, None, :]
        (hidden,) = session.run(["hidden"], {"embeddings": embeddings, "mask_bias": bias})
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.where(norms == 0, 1, norms)).astype(np.float32)

    def _encode(self, session, texts: list[str], kind: str, batch_size: int) -> np.ndarray:
        prefix = self._prefixes[kind]
        texts = [prefix + t for t in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # Similar lengths together: less padding per batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._run(session, [texts[i] for i in rows])
        return out

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(self._query_session, texts, "query", batch_size=32)

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Batch work (index builds): the float32 graph on every core."""
        if self._passage_session is None:
            self._passage_session = _session(self.folder / FP32, os.cpu_count() or 1)
        return self._encode(self._passage_session, texts, "passage", batch_size=16)
