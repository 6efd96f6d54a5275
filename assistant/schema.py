"""The vocabulary of the pipeline: plain frozen dataclasses, no behaviour beyond (de)serialisation.

A `Document` is one corpus file; a `Chunk` is a passage of it with full provenance; a `Hit`
is a chunk found for a query with its scores; an `Answer` is what the user sees, with its
numbered `Source`s. `Answer.to_json()` is the `ask --json` contract shared by the CLI, the
app's API and the evaluation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    text: str  # Markdown body, front matter removed
    url: str = ""
    publisher: str = ""
    date: str = ""
    links: tuple[dict[str, str], ...] = ()
    path: str = ""
    kind: str = ""  # the front matter's `kind`: "guide" for the guide the assistant presents


@dataclass(frozen=True)
class Chunk:
    chunk_id: str  # stable: derived from doc id, position and content
    doc_id: str
    title: str  # the document's title
    section: tuple[str, ...]  # heading path inside the document
    text: str  # the passage exactly as in the document body
    start: int  # character span of `text` in the document body
    end: int
    url: str = ""
    # The first sentence of the paragraph when the chunk starts in the middle of one, so that
    # "La subvention est comprise entre…" is still found as being about the ACTE scheme.
    context: str = ""
    # The document's date and publisher, so a citation can say where and when it comes from.
    date: str = ""
    publisher: str = ""

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["section"] = list(self.section)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        return cls(**{**data, "section": tuple(data["section"])})


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused score used for ranking
    dense: float | None = None  # cosine similarity, when the dense retriever saw it
    lexical: float | None = None  # BM25 score, when the lexical retriever saw it


@dataclass(frozen=True)
class Source:
    n: int  # the number used in the answer's [n] markers, from 1
    doc_id: str
    title: str
    section: str
    url: str
    text: str
    score: float
    chunk_id: str = ""
    quote: str = ""  # the sentence(s) of `text` that support the answer
    date: str = ""  # the document's date (a fetched page without one: the day it was fetched)
    publisher: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    answer: str
    abstained: bool
    sources: tuple[Source, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    query: str = ""  # the question after follow-up resolution, as used for retrieval
    reason: str = (
        ""  # why the answerer abstained ("empty", "no_question", "injection", "low_support"…)
    )
    model: str = ""  # which answerer produced the text
    index_version: str = ""
    # What the LLM answer's verifier changed (sentences dropped or replaced, citations
    # removed), and why an LLM answer fell back to the extractive one. Empty otherwise.
    notes: tuple[str, ...] = ()
    # How the text was written: "card" (an answer card), "extractive" (the guide's own
    # sentences), "llm" (a language model, verified) or "" (nothing answered: a refusal).
    method: str = ""
    card: str = ""  # the answer card's id, when method is "card"
    # What the answerability decision read (answerability.FEATURES), for evaluation and logs.
    signals: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "abstained": self.abstained,
            "sources": [s.to_dict() for s in self.sources],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "query": self.query,
            "reason": self.reason,
            "model": self.model,
            "index_version": self.index_version,
            "notes": list(self.notes),
            "method": self.method,
            "card": self.card,
            "signals": {k: round(v, 4) for k, v in self.signals.items()},
        }
