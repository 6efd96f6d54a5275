"""A card skeleton for one digest group, for an editor to finish: `cards/drafts/<id>.yaml`.

The card format is the one `assistant.cards` reads (`cards/README.md`): `id`, `topic`,
`section`, `phrasings` (how readers ask) and `answer`, a list of `{fr, en, quotes}` where
each quote is verbatim from the guide. A draft's phrasings are the group's questions; its
answer has one entry per guide sentence closest to the group, `fr` and the quote both that
sentence as plain text (as `cards check` matches quotes), `en` left for the editor.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from ..errors import UserError
from ..text import markdown_to_plain, normalise_space
from ..wording import DRAFT_EXISTS
from .digest import Group
from .guide import Nearest

DRAFTS = "drafts"  # under the cards folder; `cards check` reads only the folder's own files

TODO = """\
# TODO (rédaction) : brouillon de fiche tiré du digest ; à relire avant de le déplacer dans cards/.
# - `topic` : un titre court en français ;
# - `phrasings` : gardez les formulations utiles, ajoutez-en ;
# - `answer` : les phrases du guide les plus proches du groupe (`fr` = citation, mot pour mot) ;
#   réécrivez `fr` si besoin, mais chaque `quotes` doit rester un extrait exact du guide ;
# - `en` : la même phrase en anglais ;
# puis déplacez le fichier dans cards/ et lancez : python -m assistant cards check
"""


def draft_card(group: Group, nearest: Sequence[Nearest]) -> dict:
    """The card as a plain dict (pure)."""
    section = group.section or (nearest[0].section if nearest else "")
    sentences = [normalise_space(markdown_to_plain(n.sentence)) for n in nearest]
    return {
        "id": group.id,
        "topic": group.label,
        "section": section,
        "phrasings": list(group.questions),
        "answer": [{"fr": s, "en": "", "quotes": [s]} for s in dict.fromkeys(sentences) if s],
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
