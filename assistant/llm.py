"""The LLM answerer: a LangChain chat model, chosen by settings, asked for a cited answer
from the numbered passages (prompts in `prompts`, checked afterwards by `verify`).

    answerer = load_answerer(settings)          # None when settings.llm is ""
    for delta in answerer.stream(question, sources):
        ...                                     # raw text deltas, for `verify`
    answerer.rewrite("et son montant ?", history)  # -> a standalone question, or None

Backends (`settings.llm`): "openai" (any OpenAI-compatible endpoint), "ollama" (its
OpenAI-compatible /v1 endpoint) and "llamacpp" (starts `python -m llama_cpp.server` on a
local GGUF file, on a free loopback port, stopped at exit). All go through
`langchain_openai.ChatOpenAI`, imported when a model is made.

Every call runs under a watchdog: the model streams from a worker thread and the caller
waits at most `settings.llm_timeout` seconds for the whole call. A timeout, a refused
connection, a rate limit, a server error or a reply that is not text raise `LLMError`,
whose `kind` the pipeline turns into a note above the extractive answer.
"""

from __future__ import annotations

import atexit
import queue
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .errors import UserError
from .guard import is_injection
from .identity import UNKNOWN_GUIDE, GuideIdentity
from .prompts import answer_messages, rewrite_messages
from .schema import Source
from .settings import Settings

BACKENDS = ("openai", "ollama", "llamacpp")
OLLAMA_URL = "http://127.0.0.1:11434/v1"
LOCAL_CONTEXT = 8192  # tokens of context for a local GGUF model: 5 French passages + the reply
REWRITE_MAX_TOKENS = 96
_DONE = object()


class LLMError(Exception):
    """The model did not give a usable reply. `kind`: timeout, connection, rate_limit,
    server, malformed or error."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


def classify(exc: BaseException) -> str:
    """The kind of failure, from the exception's class names (openai, httpx or builtins)."""
    if isinstance(exc, LLMError):
        return exc.kind
    names = {c.__name__ for c in type(exc).__mro__}
    if names & {"APITimeoutError", "TimeoutException", "TimeoutError", "ReadTimeout"}:
        return "timeout"
    if "RateLimitError" in names or getattr(exc, "status_code", None) == 429:
        return "rate_limit"
    if names & {"APIConnectionError", "ConnectError", "ConnectionError", "NetworkError"}:
        return "connection"
    if names & {"APIStatusError", "InternalServerError", "HTTPStatusError"}:
        return "server"
    if names & {"APIResponseValidationError", "JSONDecodeError", "ValidationError"}:
        return "malformed"
    return "error"


def chat_model(settings: Settings, *, base_url: str | None = None, model: str | None = None):
    """The LangChain chat model for `settings.llm` (an OpenAI-compatible client)."""
    try:
        import httpx
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise UserError(
            'The LLM answerer needs langchain-openai: pip install "langchain-openai==1.7.4".'
        ) from exc
    if settings.llm == "ollama":
        base_url = base_url or settings.llm_base_url or OLLAMA_URL
    else:
        base_url = base_url or settings.llm_base_url or None
    key = settings.llm_api_key
    if settings.llm == "openai" and not (base_url or key):
        raise UserError(
            "Set --llm-base-url (ASSISTANT_LLM_BASE_URL) for the OpenAI-compatible server."
        )
    if not (model or settings.llm_model):
        raise UserError("Set --llm-model (ASSISTANT_LLM_MODEL): the model name the server knows.")
    timeout = settings.llm_timeout
    return ChatOpenAI(
        model=model or settings.llm_model,
        base_url=base_url,
        # Local servers ignore the key, but the client wants one.
        api_key=key or "unused",
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        max_retries=0,  # the extractive answer is the retry
        max_tokens=settings.llm_max_tokens,  # sent as OpenAI's max_completion_tokens
        temperature=settings.llm_temperature,
        # llama.cpp's and other servers only read the older max_tokens: without it a small
        # model may write until its context is full.
        extra_body={"max_tokens": settings.llm_max_tokens} if base_url else None,
    )


def message_text(message: Any) -> str:
    """The text of a message or chunk (a string, or content blocks); LLMError otherwise."""
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            p if isinstance(p, str) else str(p.get("text", ""))
            for p in content
            if isinstance(p, str) or (isinstance(p, dict) and p.get("type", "text") == "text")
        )
    raise LLMError("malformed", f"reply content of type {type(content).__name__}")


def deadline_stream(
    start: Callable[[], Iterator[Any]], timeout: float, stop: threading.Event | None = None
) -> Iterator[str]:
    """Text deltas of `start()` (a model's stream) run in a worker thread; LLMError when
    the whole stream takes more than `timeout` seconds or fails. Closing this generator
    stops the worker at its next chunk."""
    q: queue.Queue = queue.Queue()
    stop = stop or threading.Event()

    def work() -> None:
        try:
            it = start()
            try:
                for chunk in it:
                    if stop.is_set():
                        break
                    q.put(message_text(chunk))
            finally:
                close = getattr(it, "close", None)
                if close:
                    close()
            q.put(_DONE)
        except BaseException as exc:  # handed to the caller, classified there
            q.put(exc)

    threading.Thread(target=work, name="llm-stream", daemon=True).start()
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                item = q.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise LLMError("timeout", f"no complete reply within {timeout:g} s") from None
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise LLMError(classify(item), f"{type(item).__name__}: {item}") from item
            if item:
                yield item
    finally:
        stop.set()


class LLMAnswerer:
    """Cited answers and standalone questions from a chat model (see the module doc)."""

    def __init__(self, model: Any, *, name: str = "llm", timeout: float = 30.0) -> None:
        self.model = model
        self.name = name
        self.timeout = timeout
        self.server: LocalServer | None = None  # the llama.cpp process it owns, if any

    def stream(
        self, question: str, sources: Sequence[Source], guide: GuideIdentity = UNKNOWN_GUIDE
    ) -> Iterator[str]:
        """Raw text deltas of the answer to `question` from the numbered `sources`; the
        system message names `guide`."""
        messages = answer_messages(question, sources, guide)
        return deadline_stream(lambda: self.model.stream(messages), self.timeout)

    def answer(
        self, question: str, sources: Sequence[Source], guide: GuideIdentity = UNKNOWN_GUIDE
    ) -> str:
        """The raw answer text (not verified yet)."""
        return "".join(self.stream(question, sources, guide))

    def rewrite(self, question: str, history: Sequence[dict[str, str]]) -> str | None:
        """`question` as a standalone question given `history`; None when the reply is not
        a usable question (the caller then uses `followup.resolve`). LLMError on failure."""
        messages = rewrite_messages(question, history)
        limit: dict[str, Any] = {"max_tokens": REWRITE_MAX_TOKENS}  # a one-line reply
        if getattr(self.model, "extra_body", None):
            limit["extra_body"] = {**self.model.extra_body, "max_tokens": REWRITE_MAX_TOKENS}
        bound = self.model.bind(**limit) if hasattr(self.model, "bind") else self.model
        reply = "".join(deadline_stream(lambda: bound.stream(messages), self.timeout))
        return clean_rewrite(reply, question)

    def close(self) -> None:
        if self.server:
            self.server.stop()


_LABEL = re.compile(
    r"^\s*(?:question(?: autonome| reformulée| standalone)?|standalone question)\s*:\s*", re.I
)


def clean_rewrite(reply: str, question: str) -> str | None:
    """The first line of a rewrite reply, unquoted; None when it is not a plausible question."""
    line = next((ln.strip() for ln in reply.splitlines() if ln.strip()), "")
    line = _LABEL.sub("", line).strip().strip("«»\"“”'` ").strip()
    line = re.sub(r"</?\s*\w+\s*>", " ", line).strip()
    too_long = len(line) > max(400, 4 * len(question))
    if len(line) < 3 or too_long or not re.search(r"\w{2}", line) or is_injection(line):
        return None
    return line


class LocalServer:
    """`python -m llama_cpp.server` on a GGUF file, on a free loopback port."""

    def __init__(self, model_path: Path, *, context: int = LOCAL_CONTEXT, port: int = 0) -> None:
        self.model_path = Path(model_path)
        self.context = context
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  (open while the server runs)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, wait: float = 120.0) -> LocalServer:
        if not self.model_path.is_file():
            raise UserError(f"GGUF model file not found: {self.model_path}.")
        try:
            import llama_cpp  # noqa: F401  (only to fail early with a clear message)
        except ImportError as exc:
            raise UserError(
                "The llamacpp backend needs llama-cpp-python[server]: run .ci/llm-deps.sh."
            ) from exc
        cmd = [
            sys.executable, "-m", "llama_cpp.server", "--model", str(self.model_path),
            "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.context),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise UserError(f"llama.cpp server exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise UserError(f"llama.cpp server not ready after {wait:g} s: {self.log_tail()}")

    def log_tail(self, chars: int = 600) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-chars:].strip()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_answerer(settings: Settings) -> LLMAnswerer | None:
    """The answerer `settings.llm` asks for, or None for the extractive answerer."""
    backend = settings.llm.strip().lower()
    if not backend:
        return None
    if backend not in BACKENDS:
        raise UserError(f"Unknown LLM backend {settings.llm!r}: use one of {', '.join(BACKENDS)}.")
    if backend == "llamacpp":
        if not settings.llm_model:
            raise UserError("Set --llm-model (ASSISTANT_LLM_MODEL) to the .gguf file to serve.")
        server = LocalServer(Path(settings.llm_model).expanduser()).start()
        model = chat_model(settings, base_url=server.base_url, model=server.model_path.name)
        answerer = LLMAnswerer(
            model, name=f"llamacpp:{server.model_path.name}", timeout=settings.llm_timeout
        )
        answerer.server = server
        return answerer
    model = chat_model(settings)
    return LLMAnswerer(model, name=f"{backend}:{settings.llm_model}", timeout=settings.llm_timeout)
