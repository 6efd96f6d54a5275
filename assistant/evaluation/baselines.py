"""The systems compared by the evaluation, behind one small interface.

A system has a `name`, the `collection` of every passage it can retrieve (for nDCG's
ideal ranking) and `reply(question, rank=...)`, which answers one `Question` and, when
`rank` is true, also returns its top-10 retrieved passages for the question as it
understood it (after follow-up resolution).

- `PipelineSystem`: the product's `Pipeline.ask`, in hybrid mode (the product), or with
  BM25-only or dense-only retrieval (baselines that share the same answerer).
- `TutorialSystem`: the usual LangChain tutorial set-up (1000/200 recursive splitter, the
  same embedder, FAISS top-4, passages pasted as the answer with a [n] after each, never
  abstains). Its retrieval uses the question as typed: the tutorial has no conversation
  memory, so it does not resolve follow-ups.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from ..errors import UserError
from ..schema import Document
from ..search.vectors import FlatIndex
from .data import Question, Span

RANK_DEPTH = 10  # passages kept for the ranking metrics


@dataclass(frozen=True)
class Reply:
    answer: str
    abstained: bool
    sources: tuple[str, ...] = ()  # text of source n at position n - 1
    ranking: tuple[Span, ...] = ()  # best first, up to RANK_DEPTH; empty when not asked for
    timings_ms: dict[str, float] = field(default_factory=dict)
    query: str = ""
    reason: str = ""
    wall_ms: float = 0.0  # time to answer, measured around the system's own call only
    method: str = ""  # "card <id>", "extractive", "llm", "" (what answered)


class System(Protocol):
    name: str
    collection: list[Span]

    def reply(self, question: Question, *, rank: bool) -> Reply: ...


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


# ---------------------------------------------------------------- the product and its ablations


class ReplayEmbedder:
    """Wraps the pipeline's embedder and remembers the query vectors computed since `forget()`.
    Inside `replaying()`, a query seen before is served from memory: the extra top-10 search
    made for the ranking metrics then costs no second embedding, while the timed `ask` still
    embeds as it does in production."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._memo: dict[str, object] = {}
        self._replay = False

    def forget(self) -> None:
        self._memo = {}

    @contextmanager
    def replaying(self) -> Iterator[None]:
        self._replay = True
        try:
            yield
        finally:
            self._replay = False

    def embed_queries(self, texts: list[str]):
        import numpy as np

        if self._replay and all(t in self._memo for t in texts):
            return np.stack([self._memo[t] for t in texts])
        vectors = self.inner.embed_queries(texts)
        self._memo.update(zip(texts, vectors, strict=True))
        return vectors

    def embed_passages(self, texts: list[str], progress: bool = False):
        return self.inner.embed_passages(texts, progress=progress)


class PipelineSystem:
    """`Pipeline.ask` with one retrieval mode ("hybrid", "lexical" or "dense")."""

    def __init__(self, pipeline, mode: str, name: str) -> None:
        self.pipeline = pipeline
        self.mode = mode
        self.name = name
        self.collection = [Span(c.doc_id, c.start, c.end) for c in pipeline.index.chunks]

    def reply(self, question: Question, *, rank: bool) -> Reply:
        replay = (
            self.pipeline.embedder if isinstance(self.pipeline.embedder, ReplayEmbedder) else None
        )
        if replay:
            replay.forget()
        t0 = time.perf_counter()
        try:
            answer = self.pipeline.ask(question.question, list(question.history), mode=self.mode)
        except UserError as exc:  # a question the pipeline refuses counts as an abstention
            return Reply(
                str(exc), True, query=question.question, reason="user_error", wall_ms=_ms(t0)
            )
        wall_ms = _ms(t0)
        ranking: tuple[Span, ...] = ()
        if rank:
            with replay.replaying() if replay else nullcontext():
                hits = self.pipeline.retriever.search(answer.query, RANK_DEPTH, mode=self.mode).hits
            ranking = tuple(Span(h.chunk.doc_id, h.chunk.start, h.chunk.end) for h in hits)
        return Reply(
            answer.answer,
            answer.abstained,
            tuple(s.text for s in answer.sources),
            ranking,
            dict(answer.timings_ms),
            answer.query,
            answer.reason,
            wall_ms,
            f"card {answer.card}" if answer.method == "card" else answer.method,
        )


# ---------------------------------------------------------------- the LangChain tutorial


@dataclass(frozen=True)
class Passage:
    span: Span
    text: str


class TutorialSystem:
    name = "tutorial"

    def __init__(self, passages: list[Passage], vectors: FlatIndex, embed_query, k: int) -> None:
        self.passages = passages
        self.vectors = vectors
        self.embed_query = embed_query  # str -> list[float], LangChain's Embeddings.embed_query
        self.k = k
        self.collection = [p.span for p in passages]

    def reply(self, question: Question, *, rank: bool) -> Reply:
        import numpy as np

        t0 = time.perf_counter()
        qvec = np.asarray(self.embed_query(question.question), dtype=np.float32)
        found = [
            self.passages[row] for row, _ in self.vectors.search(qvec, max(RANK_DEPTH, self.k))
        ]
        retrieve_ms = _ms(t0)
        shown = found[: self.k]
        answer = "\n\n".join(f"{p.text} [{n}]" for n, p in enumerate(shown, 1))
        total_ms = _ms(t0)
        return Reply(
            answer,
            False,
            tuple(p.text for p in shown),
            tuple(p.span for p in found[:RANK_DEPTH]) if rank else (),
            {"retrieve": retrieve_ms, "total": total_ms},
            question.question,
            wall_ms=total_ms,
        )


def build_tutorial(
    embedder, documents: list[Document], *, chunk_size: int = 1000, overlap: int = 200, k: int = 4
) -> TutorialSystem:
    """Split, embed and index the documents in memory, as the LangChain tutorial does."""
    import numpy as np
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    class ProjectEmbeddings(Embeddings):
        """The project's embedder seen as LangChain `Embeddings` (it adds the E5 prefixes)."""

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_passages(list(texts)).tolist()

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_queries([text])[0].tolist()

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size, chunk_overlap=overlap, add_start_index=True
    )
    pieces = splitter.create_documents(
        [d.text for d in documents], metadatas=[{"doc_id": d.doc_id} for d in documents]
    )
    texts = {d.doc_id: d.text for d in documents}
    passages = []
    for p in pieces:
        doc_id, start = p.metadata["doc_id"], int(p.metadata["start_index"])
        end = start + len(p.page_content)
        if start < 0 or texts[doc_id][start:end] != p.page_content:
            raise ValueError(f"the splitter's start_index is wrong for a passage of {doc_id}")
        passages.append(Passage(Span(doc_id, start, end), p.page_content))
    embeddings = ProjectEmbeddings()
    vectors = np.asarray(embeddings.embed_documents([p.text for p in passages]), dtype=np.float32)
    return TutorialSystem(passages, FlatIndex.build(vectors), embeddings.embed_query, k)


#: Builds one compared system from the loaded pipeline and the corpus documents.
SystemFactory = Callable[[Any, list[Document]], System]

#: The systems compared with the product, in report order. To compare another variant of
#: the product (for instance without answer cards), add an entry that builds it, e.g.
#: `"product_no_cards": lambda p, docs: PipelineSystem(replace(p, settings=…), "hybrid",
#: "product_no_cards")`; every table of the report then shows it next to the others.
OTHERS: dict[str, SystemFactory] = {
    # The product with its answer cards switched off: hybrid retrieval, extractive answers.
    "no_cards": lambda pipeline, documents: PipelineSystem(
        replace(pipeline, settings=replace(pipeline.settings, use_cards=False)),
        "hybrid",
        "no_cards",
    ),
    "bm25": lambda pipeline, documents: PipelineSystem(pipeline, "lexical", "bm25"),
    "dense": lambda pipeline, documents: PipelineSystem(pipeline, "dense", "dense"),
    "tutorial": lambda pipeline, documents: build_tutorial(pipeline.embedder, documents),
}


def build_systems(
    pipeline,
    documents: list[Document],
    *,
    baselines: bool = True,
    others: Mapping[str, SystemFactory] | None = None,
) -> list[System]:
    """The product first, then (unless `baselines` is false) each system of `others`
    (default `OTHERS`: BM25, dense and the tutorial)."""
    systems: list[System] = [PipelineSystem(pipeline, "hybrid", "product")]
    if baselines:
        for name, make in (OTHERS if others is None else others).items():
            system = make(pipeline, documents)
            if system.name != name:
                raise ValueError(f"the factory for {name!r} built a system named {system.name!r}")
            systems.append(system)
    return systems
