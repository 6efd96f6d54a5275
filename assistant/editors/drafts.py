"""A card skeleton for one digest group, for an editor to finish: `cards/drafts/<id>.yaml`.

The card format is the one `assistant.cards` reads (one YAML file per card under `cards/`):
`id`, `topic`, `section`, `phrasings` (how readers ask) and `answer.fr` / `answer.en`, a list
of `{text, quotes}` where each quote is a verbatim substring of the guide. A draft's
phrasings are the group's questions; its French answer is one entry per guide sentence
closest to the group, with text and quote both that sentence, verbatim.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from ..errors import UserError
from .digest import Group
from .guide import Nearest
from .wording import DRAFT_EXISTS

DRAFTS = "drafts"  # under the cards folder; `cards check` reads only the folder's own files

TODO = """\
# TODO (rédaction) : brouillon de fiche tiré du digest ; à relire avant de le déplacer dans cards/.
# - `topic` : un titre court en français ;
# - `phrasings` : gardez les formulations utiles, ajoutez-en ;
# - `answer.fr` : les phrases du guide les plus proches du groupe (texte = citation, mot pour
#   mot) ; réécrivez `text` si besoin, mais chaque `quotes` doit rester un extrait exact du guide ;
# - `answer.en` : la même réponse en anglais ;
# puis : python -m assistant cards check
"""


def draft_card(group: Group, nearest: Sequence[Nearest]) -> dict:
    """The card as a plain dict (pure)."""
    section = group.section or (nearest[0].section if nearest else "")
    return {
        "id": group.id,
        "topic": group.label,
        "section": section,
        "phrasings": list(group.questions),
        "answer": {
            "fr": [{"text": n.sentence, "quotes": [n.sentence]} for n in nearest],
            "en": [],
        },
    }


def draft_yaml(card: dict) -> str:
    """The card as YAML, with the editor's TODO comment on top."""
    body = yaml.safe_dump(card, allow_unicode=True, sort_keys=False, width=100)
    return TODO + body


def write_draft(card: dict, cards_dir: Path, *, force: bool = False) -> Path:
    """Writes `cards_dir/drafts/<id>.yaml`; UserError when it exists (unless `force`)."""
    path = cards_dir / DRAFTS / f"{card['id']}.yaml"
    if path.exists() and not force:
        raise UserError(DRAFT_EXISTS.format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(draft_yaml(card), encoding="utf-8")
    return path
