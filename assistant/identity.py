"""Which document is "the guide", and what it is called: read from the corpus' own metadata.

The app's header, its greeting, the refusals and the LLM's system prompt name the guide the
assistant answers from. They take that name from the index's manifest (the documents' front
matter, recorded at build time), never from a string in the code, so a document added with
`fetch` or `add` is a source among others, not introduced as the guide.

The guide is the document whose front matter says `kind: guide`; failing that (an index
built before `kind` was recorded), the first document at the top of the corpus folder
(fetched and added documents live in a sub-folder), else the first document.

    >>> docs = {
    ...     "page": {"title": "Une page", "path": "fetched/page.md", "kind": "html"},
    ...     "g": {"title": "Guide A — Tome 2", "publisher": "Éditeur", "date": "2024-05",
    ...           "path": "guide.md", "kind": "guide"},
    ... }
    >>> g = guide_identity(docs)
    >>> g.doc_id, g.name, g.publisher, g.date
    ('g', 'Guide A', 'Éditeur', '2024-05')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GUIDE_KIND = "guide"  # the front matter's `kind` of the document the assistant presents


@dataclass(frozen=True)
class GuideIdentity:
    doc_id: str = ""
    title: str = ""  # the full title, as in the front matter
    publisher: str = ""
    date: str = ""  # as in the front matter, e.g. "2025-03"
    url: str = ""

    @property
    def name(self) -> str:
        """The short name a sentence uses: the title up to its first « — » subtitle."""
        return self.title.split(" — ")[0].strip()


UNKNOWN_GUIDE = GuideIdentity()  # no index at hand: the wording then says "the guide"


def guide_identity(source: Any) -> GuideIdentity:
    """The guide's identity from an `Index` (its manifest's `documents`), a manifest, or the
    `documents` mapping itself (doc_id -> title, publisher, date, url, path, kind).
    Anything without documents gives `UNKNOWN_GUIDE`."""
    documents = source
    manifest = getattr(source, "manifest", None)
    if manifest is not None:
        documents = manifest
    if isinstance(documents, Mapping) and isinstance(documents.get("documents"), Mapping):
        documents = documents["documents"]
    if not isinstance(documents, Mapping) or not documents:
        return UNKNOWN_GUIDE
    entries = [(k, v) for k, v in documents.items() if isinstance(v, Mapping)]
    if not entries:
        return UNKNOWN_GUIDE

    def rank(item: tuple[int, tuple[str, Mapping]]) -> tuple[bool, bool, int]:
        position, (_, meta) = item
        return meta.get("kind") != GUIDE_KIND, "/" in str(meta.get("path") or ""), position

    _, (doc_id, meta) = min(enumerate(entries), key=rank)
    return GuideIdentity(
        doc_id=str(doc_id),
        title=str(meta.get("title") or ""),
        publisher=str(meta.get("publisher") or ""),
        date=str(meta.get("date") or ""),
        url=str(meta.get("url") or ""),
    )
