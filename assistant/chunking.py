"""Structure-aware chunking of Markdown documents.

A document body is read as blocks (paragraphs, list runs, quotes) under a heading path.
A chunk never straddles two sections. A list item and the plain paragraphs that follow it
(the guide's "▶ reason" bullets and their worked example) form one unit, kept together
when it fits in `max_chars`; units are packed greedily up to `max_chars`; an oversized
unit is split at line, then sentence, boundaries. Every chunk's `text` is exactly
`document.text[start:end]`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .schema import Chunk, Document
from .text import is_list_item, sentence_spans

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Block:
    section: tuple[str, ...]
    start: int
    end: int
    kind: str  # "para", "list", "quote"


def blocks(text: str) -> list[Block]:
    """Split a Markdown body into blocks with their heading path and character span."""
    out: list[Block] = []
    path: list[tuple[int, str]] = []
    pos = 0
    cur_start: int | None = None
    cur_end = 0
    cur_kind = "para"

    def flush() -> None:
        nonlocal cur_start
        if cur_start is not None:
            # The level-1 heading is the document's title, not a section.
            section = tuple(t for lvl, t in path if lvl > 1)
            out.append(Block(section, cur_start, cur_end, cur_kind))
            cur_start = None

    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        line_start, pos = pos, pos + len(line)
        heading = _HEADING.match(stripped)
        if heading:
            flush()
            level = len(heading.group(1))
            path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, heading.group(2))]
            continue
        if not stripped:
            flush()
            continue
        kind = "list" if is_list_item(line) else "quote" if stripped.startswith(">") else "para"
        # Each list item is its own block; a paragraph ends at a change of kind.
        if cur_start is not None and (kind == "list" or kind != cur_kind):
            flush()
        if cur_start is None:
            cur_start, cur_kind = line_start + (len(line) - len(line.lstrip())), kind
        cur_end = line_start + len(line.rstrip())
    flush()
    return out


def _units(doc_blocks: list[Block]) -> list[list[Block]]:
    """Group a list item with the plain paragraphs that follow it (its example)."""
    units: list[list[Block]] = []
    for block in doc_blocks:
        joins_previous = (
            units
            and units[-1][0].kind == "list"
            and block.kind != "list"
            and block.section == units[-1][0].section
        )
        if joins_previous:
            units[-1].append(block)
        else:
            units.append([block])
    return units


def _split_oversized(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Split [start, end) at line boundaries, then sentence boundaries, into spans <= max_chars."""
    pieces = sentence_spans(text[start:end], start)
    spans: list[tuple[int, int]] = []
    cur_start, cur_end = pieces[0]
    for a, b in pieces[1:]:
        if b - cur_start > max_chars:
            spans.append((cur_start, cur_end))
            cur_start = a
        cur_end = b
    spans.append((cur_start, cur_end))
    return spans


def chunk_id(doc_id: str, start: int, text: str) -> str:
    digest = hashlib.sha1(f"{doc_id}\0{start}\0{text}".encode()).hexdigest()
    return f"{doc_id}:{start}:{digest[:10]}"


def chunk_document(doc: Document, *, max_chars: int = 900, min_chars: int = 200) -> list[Chunk]:
    """Cut one document into chunks that respect its sections (see module docstring)."""
    doc_blocks = blocks(doc.text)
    spans: list[tuple[tuple[str, ...], int, int]] = []
    for unit in _units(doc_blocks):
        section, start, end = unit[0].section, unit[0].start, unit[-1].end
        if end - start > max_chars:
            parts = _split_oversized(doc.text, start, end, max_chars)
        else:
            parts = [(start, end)]
        for a, b in parts:
            prev = spans[-1] if spans else None
            if (
                prev
                and prev[0] == section
                and (b - prev[1] <= max_chars or prev[2] - prev[1] < min_chars)
                and b - prev[1] <= max_chars * 1.5
            ):
                spans[-1] = (section, prev[1], b)
            else:
                spans.append((section, a, b))
    block_starts = {b.start: b for b in doc_blocks}
    # A title-only path (the text before the first "##") gets the title as its section.
    return [
        Chunk(
            chunk_id=chunk_id(doc.doc_id, a, doc.text[a:b]),
            doc_id=doc.doc_id,
            title=doc.title,
            section=section or (doc.title,),
            text=doc.text[a:b],
            start=a,
            end=b,
            url=doc.url,
            date=doc.date,
            publisher=doc.publisher,
            context="" if a in block_starts else _paragraph_lead(doc_blocks, doc.text, a),
        )
        for section, a, b in spans
    ]


def _paragraph_lead(doc_blocks: list[Block], text: str, pos: int, max_chars: int = 300) -> str:
    """The opening sentences (up to `max_chars`) of the block that contains `pos`."""
    for block in doc_blocks:
        if block.start <= pos < block.end:
            end = block.start
            for _a, b in sentence_spans(text[block.start : pos], block.start):
                if b - block.start > max_chars and end > block.start:
                    break
                end = b
            return text[block.start : end]
    return ""


def chunk_corpus(
    docs: list[Document], *, max_chars: int = 900, min_chars: int = 200
) -> list[Chunk]:
    return [c for d in docs for c in chunk_document(d, max_chars=max_chars, min_chars=min_chars)]
