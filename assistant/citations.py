"""Citation numbering and validation, in one place.

`number_sources` turns the hits an answer cites, in the order it cites them, into numbered
sources (first cited is [1], a hit cited twice keeps its number). `extract_citations`
reads the `[n]` markers of a generated text against the number of sources: out-of-range
numbers are dropped, repeats folded, order of first appearance kept.
"""

from __future__ import annotations

import re

from .schema import Hit, Source

CITATION = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")


def number_sources(
    cited: list[Hit], quotes: list[str] | None = None
) -> tuple[list[int], tuple[Source, ...]]:
    """(the number of each cited hit, the sources in number order)."""
    quotes = quotes or [""] * len(cited)
    numbers: list[int] = []
    order: dict[str, int] = {}
    supporting: dict[str, list[str]] = {}
    first: dict[str, Hit] = {}
    for hit, quote in zip(cited, quotes, strict=True):
        cid = hit.chunk.chunk_id
        if cid not in order:
            order[cid] = len(order) + 1
            first[cid] = hit
            supporting[cid] = []
        numbers.append(order[cid])
        if quote and quote not in supporting[cid]:
            supporting[cid].append(quote)
    sources = tuple(to_source(order[cid], first[cid], " ".join(supporting[cid])) for cid in order)
    return numbers, sources


def to_source(n: int, hit: Hit, quote: str = "") -> Source:
    c = hit.chunk
    return Source(
        n=n,
        doc_id=c.doc_id,
        title=c.title,
        section=c.section_path,
        url=c.url,
        date=c.date,
        publisher=c.publisher,
        text=c.text,
        score=round(float(hit.score), 6),
        chunk_id=c.chunk_id,
        quote=quote,
    )


def extract_citations(text: str, n_sources: int) -> list[int]:
    """The valid source numbers cited in `text` (1..n_sources), first appearance order, no repeats."""
    seen: list[int] = []
    for match in CITATION.finditer(text):
        for part in re.split(r"[,;]", match.group(1)):
            n = int(part)
            if 1 <= n <= n_sources and n not in seen:
                seen.append(n)
    return seen
