"""The guide's hybrid retriever as a LangChain `BaseRetriever`, for use in LCEL chains.

    from langchain_core.runnables import RunnableLambda
    from assistant.langchain import GuideRetriever

    retriever = GuideRetriever()  # settings from ASSISTANT_* variables, loaded at first use
    docs = retriever.invoke("Qu'est-ce qu'un PTCE ?")
    docs[0].metadata  # {"n": 1, "doc_id": ..., "title": ..., "section": ..., "url": ...,
                      #  "chunk_id": ..., "score": ..., "date": ..., "publisher": ...}
    context = RunnableLambda(format_sources)  # "[1] passage\\n\\n[2] passage…"
    chain = {"context": retriever | context, "question": RunnablePassthrough()} | prompt | llm

Each `Document` is one retrieved passage: `page_content` is its text and `metadata` the
source fields of the JSON contract (`ask --json`), numbered from 1 in rank order, so a model
told to cite `[n]` cites what the assistant would. The embedder and the index are loaded
once, on the first call (the index is built if missing, like `ask`, unless
`ASSISTANT_AUTO_BUILD=0`).
"""

from __future__ import annotations

import threading
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field, PrivateAttr

from .citations import to_source
from .schema import Source
from .settings import Settings


def to_document(source: Source) -> Document:
    """A contract `Source` as a LangChain `Document` (text as content, the rest as metadata)."""
    metadata = {k: v for k, v in source.to_dict().items() if k not in ("text", "quote")}
    return Document(page_content=source.text, metadata=metadata)


def format_sources(docs: list[Document]) -> str:
    """The numbered context a prompt shows: `[n] title — section`, then the passage."""
    return "\n\n".join(
        f"[{d.metadata['n']}] {d.metadata['title']} — {d.metadata['section']}\n{d.page_content}"
        for d in docs
    )


class GuideRetriever(BaseRetriever):
    """Top-`k` passages of the guide (and added documents) for a question, by the same
    hybrid search (dense + BM25, fused) that the assistant answers from."""

    settings: Settings = Field(default_factory=Settings.from_env)
    k: int | None = None  # passages per question; None: settings.top_k
    embedder: Any = Field(default=None, exclude=True)  # None: the configured model
    progress: bool = False  # loading messages on stderr

    _retriever: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    def _load(self):
        with self._lock:
            if self._retriever is None:
                from .search.embed import load_embedder
                from .search.index import open_index
                from .search.retrieve import Retriever

                s = self.settings
                embedder = self.embedder or load_embedder(s, progress=self.progress)
                index = open_index(
                    s, embedder, build_if_needed=s.auto_build, progress=self.progress
                )
                self._retriever = Retriever(index, embedder, s)
        return self._retriever

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self._load().search(query, self.k or self.settings.top_k).hits
        return [to_document(to_source(n, hit)) for n, hit in enumerate(hits, 1)]
