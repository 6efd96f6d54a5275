"""A card's answer as the user reads it: its lines in the question's language, each followed
by `[n]` for the passages of the index that hold its quotes, lists kept as lists.

    compose_card(card, "fr", chunks)
      -> ("Les départements interviennent … [1] En 2022, … [1]", (Source 1,))
"""

from __future__ import annotations

import logging
from difflib import SequenceMatcher
from functools import lru_cache

from .analysis import fold
from .cards import Card, Line, render_lines
from .citations import number_sources
from .question import answers_type
from .schema import Chunk, Hit, Source
from .text import dangling, markdown_to_plain, normalise_space

log = logging.getLogger(__name__)


class QuoteNotIndexed(LookupError):
    """A card quotes a passage that the index does not hold (an index older than the card)."""


def compose_card(
    card: Card, lang: str, chunks: list[Chunk], *, wants: str = "", counted: str = ""
) -> tuple[str, tuple[Source, ...]]:
    """The card's answer with citations; for a question that asks for an amount, a date, a
    count…, the sentence that states it comes first (« combien de membres ? » -> « 40 »)."""
    cited: list[Hit] = []
    quotes: list[str] = []
    marks: list[list[int]] = []
    lines = lead_with_type(list(card.lines), wants, counted)
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
    for i, line in enumerate(lines):
        if not line.bullet and answers_type(wants, line.fr, counted):
            if dangling(line.fr):  # « Elle apporte … » needs the sentence that names "elle"
                return [lines[0], line, *lines[1:i], *lines[i + 1 :]]
            return [line, *lines[:i], *lines[i + 1 :]]
    return lines


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
