"""Answers as HTML for the chat: pure functions, and every piece of user or guide text escaped.

    answer_html("… publics. [1]", sources, turn=2)
        -> '… publics. <a class="cite" href="#src-2-1" …>[1]</a>'

Each `[n]` becomes a link to source n of that turn; `sources_html` lists the sources as
`<details id="src-<turn>-<n>">` with the title, the section path, the passage with its
supporting sentence(s) highlighted (`<mark>`), and the link to the guide. `partial_html`
renders any prefix of an answer, so a message can grow as the answer is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape

from ..citations import CITATION
from ..schema import Source
from ..text import citation_pieces, is_list_item, sentences, strip_marks
from ..wording import NO_ANSWER_TITLE, OPEN_IN_GUIDE, SOURCES_TITLE, source_title
from .guide import guide_href

_DANGLING = re.compile(r"\[[\d,;\s]*$")  # a citation marker cut by streaming
_URL = re.compile(r"https?://[^\s<>\"'«»]+[^\s<>\"'«».,;:!?)\]]")
_AUTOLINK = re.compile(r"<(https?://[^\s<>]+)>")
_BLANK_LINES = re.compile(r"[ \t]*\n(?:[ \t]*\n)+[ \t]*")
_WORD = re.compile(r"\w+")
_TAIL = re.compile(
    r"(?:[ \u00a0\u202f]*[.!?…»\"”)])+"
)  # closing marks after a sentence's last word


def anchor_id(turn: int, n: int) -> str:
    return f"src-{turn}-{n}"


def safe_url(url: str) -> str:
    """The URL when it is http(s), else "" (no javascript: or data: links from the corpus)."""
    url = (url or "").strip()
    return url if re.match(r"https?://", url, re.IGNORECASE) else ""


def text_html(raw: str) -> str:
    """Plain text as HTML: escaped, with its http(s) URLs (and Markdown autolinks) as links."""
    raw = _AUTOLINK.sub(r"\1", raw)
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(raw):
        url = escape(m.group(0))
        out.append(escape(raw[pos : m.start()]))
        out.append(f'<a href="{url}" target="_blank" rel="noopener noreferrer">{url}</a>')
        pos = m.end()
    out.append(escape(raw[pos:]))
    return _lines("".join(out))


def answer_html(text: str, sources: Sequence[Source], turn: int) -> str:
    """The answer text, escaped, with each valid `[n]` as a link to its source. With no
    sources yet (the answer is still being written), markers show as inert badges."""
    by_n = {s.n: s for s in sources}
    out: list[str] = []
    pos = 0
    for m in CITATION.finditer(text):
        out.append(text_html(text[pos : m.start()]))
        numbers = [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))]
        if not sources:
            out.append("".join(f'<span class="cite">[{n}]</span>' for n in numbers))
        elif all(n in by_n for n in numbers):
            out.append(
                "".join(
                    f'<a class="cite" href="#{anchor_id(turn, n)}" '
                    f'title="{escape(source_title(n, by_n[n].section))}">[{n}]</a>'
                    for n in numbers
                )
            )
        else:  # a number with no source: keep the text, link nothing
            out.append(escape(m.group(0)))
        pos = m.end()
    out.append(text_html(text[pos:]))
    return "".join(out)


def quote_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Character spans of `text` holding the sentences of `quote`.

    The quote was cleaned (Markdown marks dropped, spaces collapsed, a final full stop added),
    so sentences are matched word by word, not character by character.
    """
    words = [(m.start(), m.end(), m.group(0).casefold()) for m in _WORD.finditer(text)]
    tokens = [w for _, _, w in words]
    spans: list[tuple[int, int]] = []
    for sentence in sentences(quote):
        needle = [w.casefold() for w in _WORD.findall(sentence)]
        if not needle:
            continue
        for i in range(len(tokens) - len(needle) + 1):
            if tokens[i : i + len(needle)] == needle:
                start, end = words[i][0], words[i + len(needle) - 1][1]
                tail = _TAIL.match(text, end)
                end = tail.end() if tail else end
                spans.append((start, end))
                break
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def passage_html(text: str, quote: str) -> str:
    """The passage, escaped, the quoted sentences in `<mark>`; bold marks dropped, list
    dashes shown as bullets, line breaks as `<br>` (no raw newline: the Chatbot's Markdown
    would otherwise take over after a blank line)."""
    text = "\n".join(
        ("• " if is_list_item(line) else "") + strip_marks(line) for line in text.split("\n")
    )
    text = text.strip()
    out: list[str] = []
    pos = 0
    for start, end in quote_spans(text, quote):
        out.append(_lines(escape(text[pos:start])))
        out.append(f"<mark>{_lines(escape(text[start:end]))}</mark>")
        pos = end
    out.append(_lines(escape(text[pos:])))
    return "".join(out)


def _lines(escaped: str) -> str:
    return _BLANK_LINES.sub("<br><br>", escaped).replace("\n", "<br>")


def source_html(source: Source, turn: int, *, open_: bool = False) -> str:
    """A numbered source: its section, the passage with the quote highlighted, and a link
    that opens the document at that section (the app's `/guide` page)."""
    href = guide_href(source.doc_id, source.section, source.title) if source.doc_id else ""
    link = (
        f'<a class="source-link" href="{escape(href)}" target="_blank" rel="noopener noreferrer">'
        f"{escape(OPEN_IN_GUIDE)}</a>"
        if href
        else ""
    )
    return (
        f'<details class="source" id="{anchor_id(turn, source.n)}"{" open" if open_ else ""}>'
        f'<summary><span class="source-n">{source.n}</span>'
        f'<span class="source-section">{escape(source.section or source.title)}</span></summary>'
        f'<div class="source-body"><p class="source-title" title="{escape(source.title)}">{escape(source.title)}</p>'
        f'<blockquote class="source-text" tabindex="0">{passage_html(source.text, source.quote)}</blockquote>'
        f"{link}</div></details>"
    )


def sources_html(sources: Iterable[Source], turn: int) -> str:
    items = "".join(source_html(s, turn) for s in sources)
    if not items:
        return ""
    return f'<div class="sources"><p class="sources-title">{escape(SOURCES_TITLE)}</p>{items}</div>'


def partial_html(text: str, sources: Sequence[Source], turn: int) -> str:
    """A message for any prefix of an answer: cited sources so far listed under it."""
    text = _DANGLING.sub("", text).rstrip()
    cited = {n for m in CITATION.finditer(text) for n in map(int, re.split(r"[,;]", m.group(1)))}
    shown = [s for s in sources if s.n in cited]
    return (
        f'<div class="answer"><p class="answer-text">{answer_html(text, sources, turn)}</p>'
        f"{sources_html(shown, turn)}</div>"
    )


def abstention_html(message: str) -> str:
    """The notice shown when the guide does not answer: it must not look like an answer."""
    return (
        '<div class="notice notice-abstain" role="note">'
        f'<p class="notice-title">{escape(NO_ANSWER_TITLE)}</p>'
        f"<p>{text_html(message)}</p></div>"
    )


def error_html(message: str) -> str:
    """A problem with the message itself (empty, too long…), one sentence from UserError."""
    return f'<div class="notice notice-error" role="alert"><p>{escape(message)}</p></div>'


def question_html(text: str) -> str:
    """The user's own message, shown escaped (never interpreted as HTML or Markdown)."""
    return f'<p class="question">{escape(text)}</p>'


def pieces(text: str) -> list[str]:
    """The successive prefixes of an answer cut after each citation: one more sentence each."""
    parts = citation_pieces(text.strip())
    return ["".join(parts[: i + 1]).strip() for i in range(len(parts))] or [text]


def _luminance(color: str) -> float:
    """WCAG relative luminance of a #rgb or #rrggbb colour."""
    h = color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def contrast_text(background: str) -> str:
    """White or near-black, whichever reads better on `background` (WCAG contrast)."""
    return max(("#ffffff", "#111111"), key=lambda fg: contrast_ratio(fg, background))
