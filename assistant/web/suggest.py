"""Suggested follow-up questions, taken from the guide's own outline: pure functions.

After an answer, the sections next to the ones it cites (the heading before, the heading
after, then one step further) are offered as questions; nothing is written per question.

    sections in the guide:  A, B, C, D        answer cites C
    suggestions:            "D ?", "B ?"      (nearest first, the section after first)

Each suggestion has a short label (the heading) and the question it sends: a heading that
is already a question ("Quels rôles pour les collectivités ?") is sent as it is; another
becomes "Que dit le guide sur « La charte des PTCE » ?".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from ..schema import Chunk
from ..wording import about_section


class Suggestion(NamedTuple):
    label: str  # what the button shows
    question: str  # what it sends


def outline(chunks: Sequence[Chunk]) -> list[tuple[str, ...]]:
    """The distinct section paths of the corpus in reading order (document, then position),
    without the preambles that sit directly under a document's title."""
    ordered = sorted(chunks, key=lambda c: (c.doc_id, c.start))
    seen: dict[tuple[str, ...], None] = {}
    for c in ordered:
        if c.section and not (len(c.section) == 1 and c.section[0] == c.title):
            seen.setdefault(c.section, None)
    return list(seen)


def as_question(section: Sequence[str]) -> str:
    """A question a user could send to read that section."""
    heading = _heading(section)
    if heading.endswith("?"):
        return heading
    return about_section(heading)


def _heading(section: Sequence[str]) -> str:
    """The section's own heading, with straight double quotes made curly (they sit inside « »)."""
    return re.sub(r'"([^"]*)"', "“\\1”", section[-1].strip())


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def neighbours(
    sections: Sequence[tuple[str, ...]], cited: Sequence[tuple[str, ...]], *, reach: int = 2
) -> list[tuple[str, ...]]:
    """Sections near the cited ones, nearest first: for each distance, the next section then
    the previous one, for each cited section in citation order. Cited sections are left out."""
    position = {s: i for i, s in enumerate(sections)}
    anchors = [position[s] for s in dict.fromkeys(cited) if s in position]
    out: dict[tuple[str, ...], None] = {}
    for distance in range(1, reach + 1):
        for i in anchors:
            for j in (i + distance, i - distance):
                if 0 <= j < len(sections) and sections[j] not in cited:
                    out.setdefault(sections[j], None)
    return list(out)


def follow_ups(
    chunks: Sequence[Chunk],
    cited_chunk_ids: Iterable[str],
    *,
    asked: Iterable[str] = (),
    limit: int = 3,
) -> list[Suggestion]:
    """Questions about the sections next to the cited chunks, not already asked.
    With nothing cited (an abstention) or no section next to the cited ones (the preamble
    under the title), the guide's first sections: what it does cover."""
    by_id = {c.chunk_id: c for c in chunks}
    cited = [by_id[i].section for i in cited_chunk_ids if i in by_id]
    sections = outline(chunks)
    # nothing cited (an abstention), or only a preamble with no neighbours: the outline
    candidates = (neighbours(sections, cited) if cited else []) or sections
    done = {_key(q) for q in asked}
    out: list[Suggestion] = []
    for section in candidates:
        question = as_question(section)
        if _key(question) not in done:
            done.add(_key(question))
            out.append(Suggestion(_heading(section), question))
        if len(out) >= limit:
            break
    return out
