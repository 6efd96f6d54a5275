"""Answer cards: the guide's answers, written once by a person, checked by a machine.

A card (`cards/<id>.yaml`, format in `cards/README.md`) is one topic of the guide: how users
ask about it (`phrasings`) and a short answer, one line per sentence or bullet, in French and
English, each line with the verbatim quotes of the guide that support it.

`load_cards(folder)` reads and validates the files; `check(cards, documents)` lists every
problem (a quote not in the guide, a sentence stating what its quotes do not) and is what
`python -m assistant cards check` runs in CI; `coverage(cards, documents)` lists the guide's
sentences no card cites. Matching a question to a card is `cardmatch.py`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..schema import Document
from ..search.analysis import analyze
from ..text import dangling, markdown_to_plain, normalise_space, sentence_spans

ACTORS = ("commune", "epci", "departement", "region", "etat")
KINDS = (
    "definition", "how", "why", "list", "example", "amount", "date", "who", "contact", "resource",
)  # fmt: skip
MAX_ANSWER_CHARS = 700  # the French answer, citations aside; aim for ~600
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Line:
    fr: str  # a sentence, or a bullet item starting with "- "
    en: str
    quotes: tuple[str, ...]

    @property
    def bullet(self) -> bool:
        return self.fr.startswith("- ")


@dataclass(frozen=True)
class Card:
    id: str
    topic: str
    section: str
    phrasings: tuple[str, ...]
    lines: tuple[Line, ...]
    actor: str = ""
    kind: str = ""
    related: tuple[str, ...] = ()
    path: str = ""
    # words of which the question must use one for the card to answer (any, when empty):
    # the card on the guide itself answers a question that names the guide
    needs: tuple[str, ...] = ()

    def text(self, lang: str = "fr") -> str:
        """The answer without citations: sentences joined, bullets on their own lines."""
        return render_lines([getattr(line, "en" if lang == "en" else "fr") for line in self.lines])


def needed(card: Card, text: str) -> bool:
    """Does `text` use one of the words the card needs (all the content words of one of
    them)? True for a card that needs none."""
    if not card.needs:
        return True
    said = set(analyze(text))
    return any((stems := set(analyze(w))) and stems <= said for w in card.needs)


def render_lines(lines: list[str]) -> str:
    """Sentences run on in a paragraph; a bullet ("- …") starts its own line."""
    out = ""
    for line in lines:
        line = line.strip()
        if line.startswith("- "):
            out += ("\n" if out else "") + line
        else:
            out += ("\n" if out.split("\n")[-1].startswith("- ") else " " if out else "") + line
    return out


NOT_CARDS = frozenset({"paraphrases.yaml", "synonyms.yaml"})  # the folder's other files


def load_cards(folder: Path) -> list[Card]:
    """Every card of `folder` (sorted by id). Raises UserError naming the file at fault."""
    if not folder.is_dir():
        return []
    cards = [_read(path) for path in sorted(folder.glob("*.yaml")) if path.name not in NOT_CARDS]
    seen: dict[str, str] = {}
    for card in cards:
        if card.id in seen:
            raise UserError(
                f"La fiche « {card.id} » est définie deux fois ({seen[card.id]}, {card.path})."
            )
        seen[card.id] = card.path
    return sorted(cards, key=lambda c: c.id)


def load_paraphrases(folder: Path) -> dict[str, tuple[str, ...]]:
    return read_word_lists(
        folder / "paraphrases.yaml", "doit associer des mots à des listes de mots du guide"
    )


def read_word_lists(path: Path, shape: str) -> dict[str, tuple[str, ...]]:
    """`word: [words]` from a YAML file ({} when there is none); a UserError naming the file
    and saying what it must hold (`shape`) when it is not such a mapping."""
    if not path.is_file():
        return {}
    import yaml

    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise UserError(
            f"{path.name} n'est pas du YAML valide : {str(exc).splitlines()[0]}."
        ) from exc
    if not isinstance(data, dict):
        raise UserError(f"{path.name} {shape}.")
    twice = _keys_twice(text)
    if twice:  # YAML keeps the last list only: the first would be lost without a word
        raise UserError(
            f"{path.name} : « {twice[0]} » a deux listes ; réunissez-les en une seule ligne."
        )
    return {
        str(k): tuple(str(v) for v in (vs if isinstance(vs, list) else [vs]))
        for k, vs in data.items()
    }


def _keys_twice(text: str) -> list[str]:
    """The top-level keys written more than once in a YAML mapping, in order."""
    keys = [m.group(1).strip() for m in re.finditer(r"(?m)^([^\s#:-][^:\n]*):", text)]
    return [k for i, k in enumerate(keys) if k in keys[:i]]


def _read(path: Path) -> Card:
    import yaml

    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UserError(f"{where} n'est pas du YAML valide : {str(exc).splitlines()[0]}.") from exc
    if not isinstance(data, dict):
        raise UserError(f"{where} doit décrire une fiche (id, topic, phrasings, answer).")

    def field(name: str, kind: type, default: object = None) -> object:
        value = data.get(name, default)
        if value is None or not isinstance(value, kind):
            raise UserError(f"{where} : le champ « {name} » manque ou n'a pas le bon type.")
        return value

    card_id = str(field("id", str))
    if not _ID.match(card_id) or path.stem != card_id:
        raise UserError(
            f"{where} : l'id « {card_id} » doit être en minuscules et égal au nom du fichier."
        )
    lines = []
    for i, entry in enumerate(field("answer", list), 1):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) for k in ("fr", "en")
        ):
            raise UserError(f"{where} : la ligne {i} de la réponse doit avoir « fr » et « en ».")
        quotes = entry.get("quotes") or []
        if isinstance(quotes, str):
            quotes = [quotes]
        lines.append(Line(entry["fr"].strip(), entry["en"].strip(), tuple(str(q) for q in quotes)))
    actor, kind = str(data.get("actor") or ""), str(data.get("kind") or "")
    if actor and actor not in ACTORS:
        raise UserError(f"{where} : « actor » vaut l'un de {', '.join(ACTORS)}.")
    if kind and kind not in KINDS:
        raise UserError(f"{where} : « kind » vaut l'un de {', '.join(KINDS)}.")
    return Card(
        id=card_id,
        topic=str(field("topic", str)),
        section=str(data.get("section") or ""),
        phrasings=tuple(str(p) for p in field("phrasings", list)),
        lines=tuple(lines),
        actor=actor,
        kind=kind,
        related=tuple(str(r) for r in _list(data.get("related"), "related", where)),
        path=where,
        needs=tuple(str(w) for w in _list(data.get("needs"), "needs", where)),
    )


def _list(value: object, name: str, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise UserError(f"{where} : le champ « {name} » doit être une liste.")
    return value


# ---------------------------------------------------------------- checking


def guide_text(documents: list[Document]) -> str:
    """The documents' text as quotes are matched against: plain, white space collapsed."""
    return "\n".join(normalise_space(markdown_to_plain(d.text)) for d in documents)


def find_quote(quote: str, text: str) -> int:
    """Where `quote` stands in `text` (both plain, white space collapsed), -1 when absent."""
    return text.find(normalise_space(markdown_to_plain(quote)))


def check(
    cards: list[Card],
    documents: list[Document],
    paraphrases: dict[str, tuple[str, ...]] | None = None,
) -> list[str]:
    """Every problem of every card, one line each (`id: line n: what`). Empty when all pass."""
    from .support import problems
    from .verify import numbers

    text = guide_text(documents)
    ids = {c.id for c in cards}
    out: list[str] = []
    for card in cards:

        def say(what: str, c: Card = card) -> None:
            out.append(f"{c.id}: {what}")

        if len(card.phrasings) < 3:
            say("moins de 3 formulations (phrasings)")
        if not card.lines:
            say("réponse vide")
        elif dangling(card.lines[0].fr) or dangling(card.lines[0].en):
            say("la première ligne renvoie à une phrase d'avant (« il… », « ce dispositif… »)")
        for r in card.related:
            if r not in ids:
                say(f"fiche liée inconnue « {r} »")
        if card.needs:
            for phrasing in card.phrasings:
                if not needed(card, phrasing):
                    say(f"la formulation « {phrasing} » n'utilise aucun mot de « needs »")
        if len(card.text("fr")) > MAX_ANSWER_CHARS:
            say(
                f"réponse trop longue ({len(card.text('fr'))} caractères ; {MAX_ANSWER_CHARS} au plus)"
            )
        for n, line in enumerate(card.lines, 1):
            if not line.quotes:
                say(f"ligne {n} : aucune citation du guide")
                continue
            missing = [q for q in line.quotes if find_quote(q, text) < 0]
            for q in missing:
                say(f"ligne {n} : citation absente du guide : « {q[:80]} »")
            if missing:
                continue
            evidence = " ".join(line.quotes)
            for lang, sentence in (("fr", line.fr), ("en", line.en)):
                bad = problems(
                    sentence.removeprefix("- "), evidence, lang=lang, paraphrases=paraphrases
                )
                if bad:
                    say(f"ligne {n} ({lang}) : non appuyé par ses citations : {', '.join(bad)}")
            written = [
                shown for _, _, shown in numbers(line.en) if shown not in normalise_space(evidence)
            ]
            if written:  # "15,000" for "15 000": users search the guide's own figures
                say(f"ligne {n} (en) : nombres à écrire comme dans le guide : {', '.join(written)}")
            if line.bullet != line.en.startswith("- "):
                say(f"ligne {n} : une puce en français doit l'être en anglais aussi")
    return out


def coverage(cards: list[Card], documents: list[Document]) -> list[str]:
    """The sentences of the documents (plain text) that no card quote overlaps."""
    text = guide_text(documents)
    covered: list[tuple[int, int]] = []
    for card in cards:
        for line in card.lines:
            for q in line.quotes:
                start = find_quote(q, text)
                if start >= 0:
                    covered.append((start, start + len(normalise_space(markdown_to_plain(q)))))
    out = []
    for start, end in sentence_spans(text):
        sentence = text[start:end].strip()
        if len(sentence) >= 25 and not any(a < end and start < b for a, b in covered):
            out.append(sentence)
    return out
