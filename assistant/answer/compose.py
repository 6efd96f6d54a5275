"""A card's answer as the user reads it: its lines in the question's language, each followed
by `[n]` for the passages of the index that hold its quotes, lists kept as lists.

    compose_card(card, "fr", chunks)
      -> ("Les départements interviennent … [1] En 2022, … [1]", (Source 1,))
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from difflib import SequenceMatcher
from functools import lru_cache

from ..citations import number_sources
from ..schema import Chunk, Hit, Source
from ..search.acronyms import expand
from ..search.analysis import analyze, fold
from ..text import dangling, markdown_to_plain, normalise_space
from .cards import Card, Line, render_lines
from .kinds import CUE_TERMS, TYPED, answers_type

log = logging.getLogger(__name__)
FOCUS_GAIN = 1.5  # a later part must be this many times more about the question to lead
LEAD = 450  # characters a user reads before deciding the answer is not there
_WHOLE = frozenset({"list", "count"})  # questions that want a list as the guide orders it


class QuoteNotIndexed(LookupError):
    """A card quotes a passage that the index does not hold (an index older than the card)."""


def compose_card(
    card: Card,
    lang: str,
    chunks: list[Chunk],
    *,
    wants: str = "",
    counted: str = "",
    focus: tuple[str, ...] = (),
    weight: Callable[[str], float] | None = None,
    asked: str = "",
    who: bool = False,
) -> tuple[str, tuple[Source, ...]]:
    """The card's answer with citations; for a question that asks for an amount, a date, a
    count…, the sentence that states it comes first (« combien de membres ? » -> « 40 »);
    with `focus` and a term `weight`, a line far down a long card that the question is about
    comes first (`lead_with_focus`); a list the `asked` noun introduces comes first."""
    cited: list[Hit] = []
    quotes: list[str] = []
    marks: list[list[int]] = []
    lines = lead_with_type(list(card.lines), wants, counted)
    if wants in TYPED and weight is not None:  # « le taux max en zone rurale ? »: the rural one
        lines = _typed_about(lines, wants, counted, focus, weight, card.topic)
    led = lines
    if wants == "example" and card.kind != "example":  # « un exemple ? »: the case it names
        led = lead_with_example(lines)
    example_first = led is not lines
    lines = led
    if wants == "list" and weight is not None:  # « quels sont les deux projets à l'étude ? »
        lines = lead_with_list(lines, focus, weight)
    elif (
        asked and weight is not None
    ):  # « sur quels projets travaille-t-il ? »: « Deux projets… : »
        lines = lead_with_list(lines, (asked,), weight, named=True)
    # a figure asked for stays first; one stated only in a list's items (six websites) does not
    if (
        weight is not None
        and not example_first
        and (wants not in TYPED or not answers_type(wants, lines[0].fr, counted))
    ):
        lines = lead_with_focus(lines, focus, weight, lang, whole_lists=wants in _WHOLE)
        if asked and asked not in line_terms(lines[0]):  # « quel élu témoigne ? »: the élu
            lines = lead_with_focus(lines, (asked,), weight, lang, whole_lists=wants in _WHOLE)
    if who:  # « qui a rendu l'AMI permanent ? »: the sentence that names that person
        lines = lead_with_person(lines)
    for line in lines:
        line_marks = []
        for quote in line.quotes:
            chunk = chunk_of_quote(quote, tuple(chunks))
            cited.append(Hit(chunk, 1.0))
            quote = normalise_space(markdown_to_plain(quote))
            # a fragment ends with "…", so that joined quotes still read as separate extracts
            quotes.append(quote if quote[-1:] in '.!?…»”"' else f"{quote}…")
            line_marks.append(len(cited) - 1)
        marks.append(line_marks)
    numbers, sources = number_sources(cited, quotes)
    shown = []
    for line, line_marks in zip(lines, marks, strict=True):
        said = line.en if lang == "en" else line.fr
        refs = "".join(f"[{n}]" for n in dict.fromkeys(numbers[i] for i in line_marks))
        shown.append(f"{said} {refs}")
    return render_lines(shown), sources


def indexed_cards(cards: list[Card], chunks: list[Chunk]) -> list[Card]:
    """The cards whose every quote the index holds; the others are left out, with a warning
    (an index built from another version of the guide than the cards were written for)."""
    out = []
    for card in cards:
        try:
            for line in card.lines:
                for quote in line.quotes:
                    chunk_of_quote(quote, tuple(chunks))
        except QuoteNotIndexed as exc:
            log.warning("card %s left out: the index lacks its quote %r", card.id, str(exc)[:80])
            continue
        out.append(card)
    return out


def lead_with_type(lines: list[Line], wants: str, counted: str = "") -> list[Line]:
    """`lines` with the first sentence stating the kind of answer asked for moved to the
    front, when the first line does not state it. Lists are left as they are."""
    if not wants or not lines or answers_type(wants, lines[0].fr, counted):
        return lines
    # « combien de lauréats ? »: « 15 lauréats » before « 108 projets » (its kin)
    for states in (
        lambda t: answers_type(wants, t, counted, exact=True),
        lambda t: answers_type(wants, t, counted),
    ):
        if states(lines[0].fr):
            return lines
        for i, line in enumerate(lines):
            if not line.bullet and states(line.fr):
                if _leans(line):  # « Elle apporte … » needs the sentence that names "elle"
                    return [lines[0], line, *lines[1:i], *lines[i + 1 :]]
                return [line, *lines[:i], *lines[i + 1 :]]
    return lines


# A name inside a sentence: a capitalised word after a lower-case one (« à Noeux Environnement »),
# not an acronym (PTCE, ESS) nor a sentence's first word.
_NAME_INSIDE = re.compile(r"(?<=[a-zà-ÿ,’'] )[A-ZÀ-Þ][a-zà-ÿ]+|(?<=['’])[A-ZÀ-Þ][a-zà-ÿ]{2,}")


# A person named with their office: « Marlène Schiappa, secrétaire d'Etat », « François
# Theret, vice-président ».
_PERSON = re.compile(
    r"\b[A-ZÀ-Þ][a-zà-ÿ]+(?:-[A-ZÀ-Þ][a-zà-ÿ]+)? [A-ZÀ-Þ][a-zà-ÿ]+, (?:vice-)?"
    r"(?:pr[ée]sidente?|secr[ée]taire|[ée]lue?|maire|ministre|directeur|directrice|adjointe?)\b"
)


def lead_with_person(lines: list[Line]) -> list[Line]:
    """`lines` with the first sentence that names a person and their office first (a bullet
    or a sentence leaning on the one before stays where it is)."""
    if not lines or _PERSON.search(lines[0].fr):
        return lines
    for i, line in enumerate(lines[1:], 1):
        if _PERSON.search(line.fr) and not line.bullet and not _leans(line):
            return [line, *lines[:i], *lines[i + 1 :]]
    return lines


def lead_with_example(lines: list[Line]) -> list[Line]:
    """`lines` with the first sentence that names a case (a town, an authority, a PTCE:
    two names or more) first, when the first line names none: « un exemple ? » after a
    question on land is answered by the agglomeration that helped Noeux Environnement."""

    def names(line: Line) -> int:
        return len(_NAME_INSIDE.findall(line.fr))

    if not lines or names(lines[0]) >= 2:
        return lines
    for i, line in enumerate(lines[1:], 1):
        if names(line) >= 2 and not line.bullet and not _leans(line):
            return [line, *lines[:i], *lines[i + 1 :]]
    return lines


def _typed_about(
    lines: list[Line],
    wants: str,
    counted: str,
    focus: tuple[str, ...],
    weight: Callable[[str], float],
    topic: str = "",
) -> list[Line]:
    """`lines` with, of the sentences that state the kind of answer asked for, one that says
    the rarest of the question's words the first line does not say (« rural ») first — a word of
    the question that is neither the card's subject (its title: « ACTE ») nor the kind of
    answer it wants (« taux », « montant »)."""
    if not focus or not lines or lines[0].bullet:
        return lines
    first = line_terms(lines[0])
    subject = set(analyze(expand(topic))) | CUE_TERMS
    # (in the French text, whose words the guide's idf weighs: not « grant » of an English one)
    french = [frozenset(analyze(expand(ln.fr))) for ln in lines]
    said = [t for t in focus if t not in subject and any(t in terms for terms in french)]
    # (« quand Emergence Hénin-Carvin a-t-il été reconnu PTCE émergent ? »: both lines name
    # Hénin-Carvin, the second says « reconnue PTCE émergent »)
    said = [t for t in said if t not in first]
    if not said:
        return lines
    rarest = max(said, key=lambda t: (weight(t), t))
    for i, line in enumerate(lines[1:], 1):
        if (
            rarest in line_terms(line)
            and not line.bullet
            and not _leans(line)
            and answers_type(wants, line.fr, counted)
        ):
            return [line, *lines[:i], *lines[i + 1 :]]
    return lines


def lead_with_list(
    lines: list[Line],
    focus: tuple[str, ...],
    weight: Callable[[str], float],
    *,
    named: bool = False,
) -> list[Line]:
    """`lines` with the list the question asks for first: the list whose introducing line
    (« Deux projets sont à l'étude : ») and items are most about the question's focus terms,
    when it is not the card's opening; `named`: only a list whose introducing line itself
    uses one of them."""
    blocks = []  # (first, last) of each introduced list
    for i, line in enumerate(lines):
        if named and not line_terms(line) & set(focus):
            continue
        if line.fr.rstrip().endswith(":") and i + 1 < len(lines) and lines[i + 1].bullet:
            last = i + 1
            while last + 1 < len(lines) and lines[last + 1].bullet:
                last += 1
            blocks.append((i, last))
    if not blocks or not focus:
        return lines

    def about(first: int, last: int) -> float:
        have = frozenset().union(*(line_terms(line) for line in lines[first : last + 1]))
        return sum(weight(t) for t in focus if t in have)

    first, last = max(blocks, key=lambda b: (about(*b), -b[0]))
    if first == 0 or about(first, last) <= 0 or _leans(lines[first]):
        return lines
    return [*lines[first : last + 1], *lines[:first], *lines[last + 1 :]]


def lead_with_focus(
    lines: list[Line],
    focus: tuple[str, ...],
    weight: Callable[[str], float],
    lang: str = "fr",
    *,
    whole_lists: bool = False,
) -> list[Line]:
    """`lines` with the part of a card the question is about brought to the front, when the
    first line is about none of the question's focus terms or the part would end past
    `LEAD` characters: « comment le PTCE d'Amiens s'est-il structuré ? » leads with the
    Amiens sentences of a card on scaling up. A bullet moves with its whole list (and the
    line introducing it), a sentence with the lines after it (and the line before it when it
    opens on « Il… »). Lines the question is no more about than the first stay in place.
    When the list is the card's opening, the bullet the question is about, alone, becomes
    its first (« le site de l'étude du RTES ? » in a list of six sites), unless
    `whole_lists` (a question that wants the list)."""
    if not focus or len(lines) < 2:
        return lines

    def about(line: Line) -> float:
        have = line_terms(line)
        return sum(weight(t) for t in focus if t in have)

    scores = [about(line) for line in lines]
    best = max(range(len(lines)), key=lambda i: (scores[i], -i))
    # where the line (and the list it introduces) ends as shown, citation marks included
    reach = best
    if lines[best].fr.rstrip().endswith(":"):
        while reach + 1 < len(lines) and lines[reach + 1].bullet:
            reach += 1
    end = sum(len(line.en if lang == "en" else line.fr) + 5 for line in lines[: reach + 1])
    # a first line about the question already stays first unless a later part is much more so
    if best == 0 or scores[best] <= FOCUS_GAIN * scores[0] or (scores[0] > 0 and end <= LEAD):
        return lines
    first, last = best, len(lines) - 1  # a sentence moves with the lines that follow it
    if lines[best].bullet:
        last = best
        while first > 0 and lines[first - 1].bullet:
            first -= 1
        while last + 1 < len(lines) and lines[last + 1].bullet:
            last += 1
        if first > 0 and lines[first - 1].fr.rstrip().endswith(":"):
            first -= 1  # the sentence that introduces the list
    while first > 0 and _leans(lines[first]):  # « Il est issu… » needs what "il" is
        first -= 1
        while first > 0 and lines[first].bullet:  # after a list: the line that introduces it
            first -= 1
    if first == 0:
        return (
            lines if whole_lists or not lines[best].bullet else _bullet_first(lines, best, scores)
        )
    return [*lines[first : last + 1], *lines[:first], *lines[last + 1 :]]


def _bullet_first(lines: list[Line], best: int, scores: list[float]) -> list[Line]:
    """`lines` with the bullet `best` moved to the top of its list, when no other bullet of
    that list is as much about the question."""
    first = best
    while first > 0 and lines[first - 1].bullet:
        first -= 1
    last = best
    while last + 1 < len(lines) and lines[last + 1].bullet:
        last += 1
    if best == first or any(scores[i] >= scores[best] for i in range(first, last + 1) if i != best):
        return lines
    return [*lines[:first], lines[best], *lines[first:best], *lines[best + 1 :]]


def _leans(line: Line) -> bool:
    """Does the line, in either language, lean on a line before it?"""
    return dangling(line.fr) or dangling(line.en)


@lru_cache(maxsize=4096)
def line_terms(line: Line) -> frozenset[str]:
    """The stems a card line uses, in both languages (acronyms expanded)."""
    return frozenset(analyze(expand(f"{line.fr} {line.en}")))


@lru_cache(maxsize=2048)
def chunk_of_quote(quote: str, chunks: tuple[Chunk, ...]) -> Chunk:
    """The chunk whose text holds `quote` (white space and Markdown marks aside); when a
    quote straddles two chunks, the one holding its beginning."""
    needle = normalise_space(markdown_to_plain(quote))
    head = needle[:60]
    for candidate in (needle, head):
        for chunk in chunks:
            if candidate in normalise_space(markdown_to_plain(chunk.text)):
                return chunk
    for chunk in chunks:  # a heading: the first passage under it
        if any(head in normalise_space(h) for h in chunk.section):
            return chunk
    for chunk in sorted(chunks, key=lambda c: c.start):  # the title as printed on the document
        if SequenceMatcher(None, fold(needle), fold(chunk.title)).ratio() >= 0.9:
            return chunk
    raise QuoteNotIndexed(quote)
