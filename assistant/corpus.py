"""Load the corpus: Markdown files with YAML front matter -> `Document`s.

Any `*.md` file under the corpus folder whose front matter has at least `title` is a
document; `doc_id` defaults to the file name. The corpus hash covers every file's bytes,
so the index can tell when it is stale.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from .errors import UserError
from .schema import Document

_FENCE = "---"


def split_front_matter(raw: str) -> tuple[dict[str, Any], str]:
    """Return (front matter mapping, body). A file without front matter has an empty mapping."""
    import yaml

    text = raw.lstrip("\ufeff")
    if not text.startswith(_FENCE + "\n"):
        return {}, text
    end = text.find("\n" + _FENCE, len(_FENCE))
    if end == -1:
        raise ValueError("front matter opened with '---' but never closed")
    try:
        meta = yaml.safe_load(text[len(_FENCE) + 1 : end]) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"front matter is not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(meta, dict):
        raise ValueError("front matter is not a mapping")
    body_start = text.find("\n", end + 1)
    body = "" if body_start == -1 else text[body_start + 1 :]
    return meta, body.lstrip("\n")


def parse_document(raw: str, *, path: str = "", default_id: str = "") -> Document:
    meta, body = split_front_matter(raw)
    if not meta.get("title"):
        raise ValueError("front matter has no 'title'")
    links = tuple(
        {k: str(v or "") for k, v in link.items()}
        for link in meta.get("links") or ()
        if isinstance(link, dict)
    )
    return Document(
        doc_id=str(meta.get("doc_id") or default_id),
        title=str(meta["title"]),
        text=body,
        url=str(meta.get("url") or ""),
        publisher=str(meta.get("publisher") or ""),
        date=str(meta.get("date") or ""),
        links=links,
        path=path,
        kind=str(meta.get("kind") or ""),
    )


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(p for p in corpus_dir.rglob("*.md") if p.is_file() and p.name != "README.md")


def load_corpus(corpus_dir: Path) -> list[Document]:
    """Every document of the corpus folder, in a stable order. Raises UserError when unusable."""
    if not corpus_dir.is_dir():
        raise UserError(f"Corpus folder not found: {corpus_dir}.")
    docs: list[Document] = []
    seen: dict[str, Path] = {}
    for path in corpus_files(corpus_dir):
        try:
            doc = parse_document(
                path.read_text(encoding="utf-8"),
                path=str(path.relative_to(corpus_dir)),
                default_id=path.stem,
            )
        except (ValueError, UnicodeDecodeError) as exc:
            raise UserError(f"Corpus file {path} cannot be read: {exc}.") from exc
        if doc.doc_id in seen:
            raise UserError(
                f"Corpus files {seen[doc.doc_id]} and {path} share doc_id {doc.doc_id!r}."
            )
        seen[doc.doc_id] = path
        docs.append(doc)
    if not docs:
        raise UserError(f"The corpus folder {corpus_dir} holds no Markdown document.")
    return docs


def corpus_hash(corpus_dir: Path) -> str:
    """sha256 over the relative path and bytes of every corpus file."""
    digest = hashlib.sha256()
    for path in corpus_files(corpus_dir):
        digest.update(str(path.relative_to(corpus_dir)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
