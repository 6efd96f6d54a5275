"""The digest for people and scripts: Markdown (to paste in an e-mail), CSV, JSON and a PNG
bar chart of the largest groups (needs matplotlib; `chart_png` says so when it is missing)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime

from ..errors import UserError
from ..wording import DIGEST_TITLE, NO_MATPLOTLIB, NO_ROWS
from .digest import Group

TOP = 10  # groups on the chart


def to_json(groups: Sequence[Group]) -> str:
    return json.dumps({"groups": [g.to_json() for g in groups]}, ensure_ascii=False, indent=2)


def to_markdown(groups: Sequence[Group], *, period: str = "") -> str:
    lines = [f"# {DIGEST_TITLE}" + (f" ({period})" if period else ""), ""]
    if not groups:
        return "\n".join([*lines, NO_ROWS, ""])
    total = sum(g.count for g in groups)
    lines += [f"{total} questions en {len(groups)} groupes, du plus demandé au moins demandé.", ""]
    for rank, g in enumerate(groups, 1):
        lines.append(f"## {rank}. {g.label}")
        lines.append("")
        lines.append(
            f"- **{g.count}** question{'s' if g.count > 1 else ''}, dernière le "
            f"{_day(g.last_seen)} ; avis négatifs : {round(100 * g.thumbs_down_share)} %"
        )
        lines.append(f"- Section la plus proche du guide : {g.section or '(aucune)'}")
        lines.append(f"- Identifiant : `{g.id}` (`python -m assistant cards draft {g.id}`)")
        lines.append("- Exemples :")
        lines += [f"  - « {q} »" for q in g.examples]
        if g.comments:
            lines.append("- Commentaires :")
            lines += [f"  - « {c} »" for c in g.comments]
        lines.append("")
    return "\n".join(lines)


def to_csv(groups: Sequence[Group]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "rank",
            "id",
            "label",
            "count",
            "thumbs_down_share",
            "section",
            "last_seen",
            "examples",
            "comments",
        ]
    )
    for rank, g in enumerate(groups, 1):
        writer.writerow(
            [
                rank,
                g.id,
                g.label,
                g.count,
                f"{g.thumbs_down_share:.3f}",
                g.section,
                g.last_seen.isoformat(timespec="seconds"),
                " | ".join(g.examples),
                " | ".join(g.comments),
            ]
        )
    return out.getvalue()


def chart_png(groups: Sequence[Group]) -> bytes:
    """A horizontal bar chart of the `TOP` largest groups; UserError when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UserError(NO_MATPLOTLIB) from None
    top = list(groups[:TOP])[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.45 * max(len(top), 2) + 1.2), dpi=110)
    labels = [_short(g.label) for g in top]
    ax.barh(labels, [g.count for g in top], color="#00558c")
    ax.barh(
        labels, [g.count * g.thumbs_down_share for g in top], color="#c98f12", label="avis négatifs"
    )
    ax.set_xlabel("questions")
    ax.set_title(DIGEST_TITLE)
    ax.xaxis.get_major_locator().set_params(integer=True)
    if any(g.thumbs_down_share for g in top):
        ax.legend(loc="lower right")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _day(when: datetime) -> str:
    return when.strftime("%d/%m/%Y")
