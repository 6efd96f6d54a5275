"""Embedders: text -> unit vectors. The real one wraps sentence-transformers.

An embedder has `name`, `dim`, `embed_queries(texts)` and `embed_passages(texts)`; the
E5 family needs the "query: " / "passage: " prefixes, which come from `Settings`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import ModelError
from ..settings import BUNDLED_MODEL, Settings


class Embedder(Protocol):
    name: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    def __init__(self, model, name: str, query_prefix: str, passage_prefix: str) -> None:
        self._model = model
        self.name = name
        self.dim = int(model.get_embedding_dimension())
        self._prefixes = {"query": query_prefix, "passage": passage_prefix}

    def _encode(self, texts: list[str], kind: str, progress: bool = False) -> np.ndarray:
        prefix = self._prefixes[kind]
        vectors = self._model.encode(
            [prefix + t for t in texts],
            batch_size=16,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Batch work (index builds) may use every core; queries keep to `query_threads`."""
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(os.cpu_count() or threads)
        try:
            return self._encode(texts, "passage", progress)
        finally:
            torch.set_num_threads(threads)


EMBEDDERS = ("auto", "onnx", "sentence-transformers")


def bundled_identity(digest: str) -> str:
    """The model identity recorded in index manifests, whichever runtime embeds with it."""
    return f"{BUNDLED_MODEL}@{digest[:12]}"


def resolve_model_path(settings: Settings, *, progress: bool = True) -> tuple[str, str]:
    """(path or name to load, identity recorded in the index manifest)."""
    if settings.model == BUNDLED_MODEL:
        from .e5convert import ensure_bundled_model

        path = ensure_bundled_model(settings.model_cache_dir, progress=progress)
        return str(path), bundled_identity(path.name.rsplit("-", 1)[-1])
    return settings.model, settings.model


def load_embedder(settings: Settings, *, progress: bool = True) -> Embedder:
    """The configured embedder, offline: ONNX Runtime for the bundled model when it can
    (see `Settings.embedder`), else sentence-transformers. Raises ModelError."""
    if settings.embedder not in EMBEDDERS:
        raise ModelError(
            f"Unknown embedder {settings.embedder!r}: use one of {', '.join(EMBEDDERS)}."
        )
    if settings.embedder != "sentence-transformers" and settings.model == BUNDLED_MODEL:
        if settings.embedder == "onnx" or onnx_available():
            return load_onnx_embedder(settings, progress=progress)
    elif settings.embedder == "onnx":
        raise ModelError(f"The ONNX embedder runs the bundled model only, not {settings.model!r}.")
    return load_reference_embedder(settings, progress=progress)


def onnx_available() -> bool:
    from importlib.util import find_spec

    return all(find_spec(m) is not None for m in ("onnxruntime", "onnx", "tokenizers"))


def load_onnx_embedder(settings: Settings, *, progress: bool = True) -> Embedder:
    """The bundled model in ONNX Runtime, exported on first use (no torch needed)."""
    try:
        from .e5onnx import ensure_onnx_model
        from .embed_onnx import OnnxEmbedder

        folder, digest = ensure_onnx_model(settings.model_cache_dir, progress=progress)
        return OnnxEmbedder(
            folder,
            bundled_identity(digest),
            settings.query_prefix,
            settings.passage_prefix,
            quantized=settings.onnx_int8,
            threads=settings.query_threads or os.cpu_count() or 1,
        )
    except ImportError as exc:
        raise ModelError(
            f"The ONNX embedder needs onnxruntime, onnx and tokenizers ({exc.name} is missing)."
        ) from exc


def load_reference_embedder(
    settings: Settings, *, progress: bool = True
) -> SentenceTransformerEmbedder:
    """The model in sentence-transformers (torch); a model that cannot be had raises ModelError."""
    path, identity = resolve_model_path(settings, progress=progress)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if progress:
        print("Chargement du modèle d'embeddings…", file=sys.stderr, flush=True)
    try:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(path, device="cpu", local_files_only=True)
    except Exception as exc:  # the library raises many kinds for a missing or broken model
        where = path if Path(path).exists() else f"{path!r} (not a folder; downloads are off)"
        raise ModelError(
            f"The embedding model {where} cannot be loaded: {exc}".rstrip(".") + "."
        ) from exc
    if settings.query_threads > 0:
        # One short query gains little from a second thread, and on a shared 2-core machine
        # a single thread keeps latency steady (a busy core stalls the other thread).
        import torch

        torch.set_num_threads(settings.query_threads)
    return SentenceTransformerEmbedder(
        model, identity, settings.query_prefix, settings.passage_prefix
    )
