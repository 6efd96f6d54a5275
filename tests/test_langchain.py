"""The LangChain retriever: a `BaseRetriever` over the hybrid search, in an LCEL chain.

The fast tests use the tiny corpus and the fake embedder; the last one loads the real
bundled model and the committed index, as `GuideRetriever()` does for a user."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.language_models import FakeListChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from assistant.langchain import GuideRetriever, format_sources
from assistant.search.retrieve import Retriever

CONTRACT = {"n", "doc_id", "title", "section", "url", "chunk_id", "score"}


class CountingEmbedder:
    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.queries = 0

    def embed_queries(self, texts):
        self.queries += len(texts)
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts, progress=False):
        return self.inner.embed_passages(texts)


def test_invoke_returns_numbered_passages_with_the_contract_fields(
    tiny_settings, fake_embedder, monkeypatch
):
    opened = []
    import assistant.search.index

    real_open = assistant.search.index.open_index
    monkeypatch.setattr(
        assistant.search.index, "open_index", lambda *a, **k: opened.append(1) or real_open(*a, **k)
    )
    embedder = CountingEmbedder(fake_embedder)
    retriever = GuideRetriever(settings=tiny_settings, embedder=embedder, k=3)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("Qui gère le jardin ?")
    assert 1 <= len(docs) <= 3 and all(isinstance(d, Document) for d in docs)
    assert [d.metadata["n"] for d in docs] == list(range(1, len(docs) + 1))
    top = docs[0]
    assert set(top.metadata) >= CONTRACT and "text" not in top.metadata
    assert (
        top.metadata["doc_id"] == "jardins" and top.metadata["url"] == "https://example.org/jardins"
    )
    assert "Gouvernance" in top.metadata["section"] and "association loi 1901" in top.page_content
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)
    # The same passages, in the same order, as the assistant's own retriever finds.
    index = real_open(tiny_settings, fake_embedder, build_if_needed=False, progress=False)
    own = Retriever(index, fake_embedder, tiny_settings).search("Qui gère le jardin ?", 3)
    assert [d.metadata["chunk_id"] for d in docs] == [h.chunk.chunk_id for h in own.hits]
    assert [d.page_content for d in docs] == [h.chunk.text for h in own.hits]
    # Loaded once, on the first call.
    retriever.invoke("Combien verse la commune ?")
    assert opened == [1] and embedder.queries == 2


def test_lcel_chain_with_a_fake_chat_model(tiny_settings, fake_embedder):
    retriever = GuideRetriever(settings=tiny_settings, embedder=fake_embedder, k=2)
    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "Réponds avec les passages numérotés et cite-les [n].\n\n{context}"),
            ("human", "{question}"),
        ]
    )
    llm = FakeListChatModel(responses=["La commune verse 3 000 euros par an [1]."])
    inputs = {
        "context": retriever | RunnableLambda(format_sources),
        "question": RunnablePassthrough(),
    }
    chain = inputs | prompt | llm | StrOutputParser()

    shown = (inputs | prompt).invoke("Combien la commune verse-t-elle au jardin ?").to_messages()
    assert shown[1].content == "Combien la commune verse-t-elle au jardin ?"
    assert "[1] Guide des jardins partagés — " in shown[0].content
    assert "3 000 euros par an" in shown[0].content
    assert chain.invoke("Combien la commune verse-t-elle au jardin ?") == (
        "La commune verse 3 000 euros par an [1]."
    )


@pytest.mark.real_model
def test_default_retriever_on_the_real_model_and_index():
    docs = GuideRetriever().invoke(
        "Comment un département peut-il financer l'animation d'un PTCE ?"
    )
    assert len(docs) == 5
    assert all(set(d.metadata) >= CONTRACT for d in docs)
    assert {d.metadata["doc_id"] for d in docs} == {"guide-ptce-hdf-2025"}
    assert all(d.metadata["url"].startswith("https://") and d.metadata["chunk_id"] for d in docs)
    assert any("Les départements interviennent" in d.page_content for d in docs[:3])
    assert docs[0].metadata["section"] == "Quels rôles pour les collectivités ?"
