"""Text utilities shared by every stage: sentence spans, Markdown to plain text, white space.

One splitter and one stripper, so that chunking, answering, verifying, rendering and
evaluation agree on what a sentence is:

    >>> sentence_spans("Une phrase. Une autre (SRDEII...) peut suivre.\\n- Un point")
    [(0, 11), (12, 47), (48, 58)]
    >>> markdown_to_plain("- **Pôle** : Regroupement")
    'Pôle : Regroupement'
"""

from __future__ import annotations

import re

# A sentence ends with . ! ? … (optionally followed by a closing quote) then white space and
# what can open a sentence (a capital, a digit, a quote, a dash), possibly in bold.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[»”\"')\]]*\s+(?=[*_]*[A-ZÀ-ÖØ-Þ«“\"(\d\-–•])")
_MARKS = re.compile(r"\*\*|__|`|^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+•▶►][ \t]+)", re.MULTILINE)
_LINK = re.compile(r"<(https?://[^>\s]+)>")


# A sentence that opens on a pronoun or demonstrative points to something said before it.
DANGLING = re.compile(
    r"^\W*(?:ce|cet|cette|ces|il|elle|ils|elles|celui-ci|celle-ci|ceux-ci|celles-ci|"
    r"ce dernier|cette dernière|leur|leurs|son|sa|ses|y|en)\b(?!\s+(?:document|guide)\b)",
    re.IGNORECASE,
)


def dangling(text: str) -> bool:
    """Does the sentence open on a pronoun or demonstrative whose antecedent is outside it?"""
    return bool(DANGLING.match(_MARKS.sub("", text)))


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Spans of the sentences (and list lines) of `text`, shifted by `offset`. A line break
    always ends a sentence."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip()
        start = line_start
        for match in _SENTENCE_END.finditer(body):
            if body[start - line_start : match.start()].strip():
                spans.append((start, line_start + match.start()))
            start = line_start + match.end()
        if body[start - line_start :].strip():
            spans.append((start, line_start + len(body)))
        line_start += len(line)
    return [(offset + a + _lead(text[a:b]), offset + b) for a, b in spans]


def sentences(text: str) -> list[str]:
    """The sentences of `text` as strings (see `sentence_spans`)."""
    return [text[a:b] for a, b in sentence_spans(text)]


def markdown_to_plain(text: str) -> str:
    """Bold, code and heading marks, quote and bullet markers, and `<url>` brackets removed;
    line breaks kept."""
    return _LINK.sub(r"\1", _MARKS.sub("", text))


def normalise_space(text: str) -> str:
    """White space (no-break spaces included) collapsed to single spaces, ends stripped."""
    return " ".join(text.split())


def _lead(s: str) -> int:
    return len(s) - len(s.lstrip())
