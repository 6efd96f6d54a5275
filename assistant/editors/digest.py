"""The digest: logged questions grouped by meaning and ranked for the editors.

`make_digest(rows, vectors)` is the pure core (rows and their question vectors in, ranked
`Group`s out); `digest(rows, embedder)` embeds the questions first. Groups are ranked by size,
then by their latest question; smaller than `min_count` are left out.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from .grouping import DEFAULT_THRESHOLD, by_centrality, cluster
from .log import LoggedQuestion

EXAMPLES = 3


@dataclass(frozen=True)
class Group:
    id: str  # stable for the same label: a slug and a short hash
    label: str  # the most central question
    count: int
    examples: tuple[str, ...]  # up to 3 distinct questions, most central first
    section: str  # the closest guide section most often seen in the group
    thumbs_down_share: float
    comments: tuple[str, ...]
    last_seen: datetime
    questions: tuple[str, ...]  # every distinct question, most central first

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "count": self.count,
            "examples": list(self.examples),
            "section": self.section,
            "thumbs_down_share": round(self.thumbs_down_share, 3),
            "comments": list(self.comments),
        }


def group_id(label: str) -> str:
    """A readable id for a group: `reforme-des-retraites-1a2b`.

    >>> group_id("Quel temps fera-t-il à Lille demain ?")
    'quel-temps-fera-t-il-a-lille-demain-ddc7'
    """
    ascii_ = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_))[:48].strip("-") or "groupe"
    return f"{slug}-{hashlib.sha1(label.encode()).hexdigest()[:4]}"


def make_digest(
    rows: Sequence[LoggedQuestion],
    vectors: np.ndarray,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_count: int = 1,
) -> list[Group]:
    """Ranked groups of `rows`; `vectors[i]` is the vector of `rows[i].question`."""
    labels = cluster(vectors, threshold)
    members: dict[int, list[int]] = {}
    for row, label in enumerate(labels):
        members.setdefault(label, []).append(row)
    groups = [_group(rows, vectors, m) for m in members.values() if len(m) >= min_count]
    return sorted(groups, key=lambda g: (-g.count, -g.last_seen.timestamp(), g.label))


def _group(rows: Sequence[LoggedQuestion], vectors: np.ndarray, members: list[int]) -> Group:
    ordered = by_centrality(vectors, members)
    questions = tuple(dict.fromkeys(rows[i].question for i in ordered))
    mine = [rows[i] for i in members]
    sections = Counter(r.section for r in mine if r.section)
    return Group(
        id=group_id(questions[0]),
        label=questions[0],
        count=len(mine),
        examples=questions[:EXAMPLES],
        section=sections.most_common(1)[0][0] if sections else "",
        thumbs_down_share=sum(r.rating == "down" for r in mine) / len(mine),
        comments=tuple(dict.fromkeys(r.comment for r in mine if r.comment)),
        last_seen=max(r.created_at for r in mine),
        questions=questions,
    )


def digest(
    rows: Sequence[LoggedQuestion],
    embedder: Any,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_count: int = 1,
) -> list[Group]:
    """Embeds the questions (as queries) with the project's embedder, then groups them."""
    if not rows:
        return []
    vectors = np.asarray(embedder.embed_queries([r.question for r in rows]))
    return make_digest(rows, vectors, threshold=threshold, min_count=min_count)


def find(groups: Sequence[Group], group: str) -> Group | None:
    """The group with this id (or this 1-based rank)."""
    for g in groups:
        if g.id == group:
            return g
    if group.isdigit() and 1 <= int(group) <= len(groups):
        return groups[int(group) - 1]
    return None
