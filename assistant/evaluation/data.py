"""Evaluation data: the questions file, and where each evidence string sits in the corpus.

Evidence strings are verbatim substrings of the guide's original plain text. The corpus
holds the same text as Markdown, so a string may carry `**`, a list dash or a line break
there. `locate` matches on a normalised form of both sides (Markdown marks removed,
white space collapsed) and maps the match back to a character span of the document body,
the coordinates that chunk spans use. Relevance is then positional: a retrieved passage is
relevant when its `[start, end)` overlaps an evidence span of the same document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..schema import Document
from ..text import mark_spans

SPLITS = ("tune", "test", "all")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    history: tuple[dict[str, str], ...]
    category: str
    answerable: bool
    evidence: tuple[str, ...]
    facts: tuple[tuple[str, ...], ...]  # every group must match; any alternative of a group will do
    split: str
    list_items: tuple[tuple[str, ...], ...] = ()  # list questions: one group per item to list
    variant_of: str | None = None  # metamorphic variants: the id of the original question


@dataclass(frozen=True)
class Span:
    """A character span of one document's body: a chunk, or where an evidence string sits."""

    doc_id: str
    start: int
    end: int


#: For each evidence string of a question, every place it was found (usually exactly one).
Evidence = list[list[Span]]


# ---------------------------------------------------------------- questions file


def load_questions(path: Path, split: str = "all") -> list[Question]:
    """The questions of `split` ("tune", "test" or "all"), in file order."""
    if split not in SPLITS:
        raise UserError(f"Unknown split {split!r}; use one of {', '.join(SPLITS)}.")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise UserError(f"Questions file not found: {path}.") from exc
    questions = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            q = Question(
                id=str(row["id"]),
                question=str(row["question"]),
                history=tuple(row.get("history") or ()),
                category=str(row["category"]),
                answerable=bool(row["answerable"]),
                evidence=tuple(row.get("evidence") or ()),
                facts=tuple(tuple(group) for group in row.get("facts") or ()),
                split=str(row["split"]),
                list_items=tuple(tuple(group) for group in row.get("list_items") or ()),
                variant_of=str(row["variant_of"]) if row.get("variant_of") else None,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise UserError(f"{path}, line {number}: not a valid question ({exc}).") from exc
        if split == "all" or q.split == split:
            questions.append(q)
    if not questions:
        raise UserError(f"{path} holds no question for split {split!r}.")
    return questions


def variant_originals(every: Sequence[Question], questions: Sequence[Question]) -> list[Question]:
    """The originals of the variants among `questions` that `questions` does not hold (a test
    variant of a tune question): asked too, so that each variant can be compared with its
    original. Raises UserError when a variant's original is missing from `every`."""
    by_id = {q.id: q for q in every}
    held = {q.id for q in questions}
    wanted = list(dict.fromkeys(q.variant_of for q in questions if q.variant_of))
    missing = [i for i in wanted if i not in by_id]
    if missing:
        raise UserError(f"Variants point to unknown question(s): {', '.join(missing)}.")
    return [by_id[i] for i in wanted if i not in held]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- tolerant matching


def normalise(text: str) -> tuple[str, list[int]]:
    """`text` without Markdown marks and with white space collapsed to single spaces, and for
    each character of the result, its offset in `text`."""
    drop = bytearray(len(text))
    for start, end in mark_spans(text):  # the Markdown marks `text.markdown_to_plain` drops
        drop[start:end] = b"\x01" * (end - start)
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if drop[i]:
            continue
        if ch.isspace():
            if not chars or chars[-1] == " ":
                continue
            ch = " "
        chars.append(ch)
        offsets.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    return "".join(chars), offsets


def locate(needle: str, haystack: str) -> list[tuple[int, int]]:
    """Every `[start, end)` of `haystack` whose normalised text equals normalised `needle`."""
    exact = _find_all(haystack, needle)
    if exact:
        return [(i, i + len(needle)) for i in exact]
    norm_needle, _ = normalise(needle)
    if not norm_needle:
        return []
    norm_hay, offsets = normalise(haystack)
    return [
        (offsets[i], offsets[i + len(norm_needle) - 1] + 1)
        for i in _find_all(norm_hay, norm_needle)
    ]


def _find_all(haystack: str, needle: str) -> list[int]:
    found, i = [], haystack.find(needle)
    while i != -1 and needle:
        found.append(i)
        i = haystack.find(needle, i + 1)
    return found


def locate_evidence(
    questions: Iterable[Question], documents: Sequence[Document]
) -> dict[str, Evidence]:
    """question id -> for each evidence string, its spans in the documents.

    Raises UserError naming every question with an evidence string found nowhere."""
    located: dict[str, Evidence] = {}
    missing: list[str] = []
    for q in questions:
        spans = [
            [Span(d.doc_id, a, b) for d in documents for a, b in locate(e, d.text)]
            for e in q.evidence
        ]
        if any(not s for s in spans):
            missing.append(q.id)
        located[q.id] = spans
    if missing:
        raise UserError(
            f"Evidence not found in the corpus for {len(missing)} question(s): {', '.join(missing)}."
        )
    return located


# ---------------------------------------------------------------- relevance


def overlaps(a: Span, b: Span) -> bool:
    return a.doc_id == b.doc_id and a.start < b.end and b.start < a.end


def covered(item: Span, evidence: Evidence) -> frozenset[int]:
    """Indices of the evidence strings that a passage overlaps (empty: not relevant)."""
    return frozenset(i for i, spans in enumerate(evidence) if any(overlaps(item, s) for s in spans))


def is_relevant(item: Span, evidence: Evidence) -> bool:
    return bool(covered(item, evidence))
