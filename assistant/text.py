"""Text utilities shared by every stage: sentence spans, Markdown to plain text, white space.

One splitter and one stripper, so that chunking, answering, verifying, rendering, streaming
and evaluation agree on what a sentence is:

    >>> sentence_spans("Une phrase. Une autre (SRDEII...) peut suivre.\\n- Un point")
    [(0, 11), (12, 46), (47, 57)]
    >>> sentences("Art. 9 de la loi. [1] M. Dupont préside [2] Le PTCE suit.")
    ['Art. 9 de la loi. [1]', 'M. Dupont préside [2]', 'Le PTCE suit.']
    >>> markdown_to_plain("- **Pôle** : <https://rtes.fr>")
    'Pôle : https://rtes.fr'
"""

from __future__ import annotations

import re

from .citations import CITATION

_OPENER = r"(?=[*_]*[A-ZÀ-ÖØ-Þ«“\"(\d\-–•])"  # what can open a sentence, possibly in bold
# A sentence ends with . ! ? … (then closing quotes, brackets or bold marks, then the `[n]`
# markers that cite it), or with a `[n]` marker; then white space and what can open a sentence.
_BOUNDARY = re.compile(
    r"(?:(?<=[.!?…])[»”\"')\]*_]*(?:[ \t]*" + CITATION.pattern + r")*\.?|(?<=\d\]))"
    r"(?P<space>\s+)" + _OPENER
)
# Words whose full stop does not end a sentence: titles before a name (« M. Dupont »), and
# references before a number (« art. 9 », « p. 12 »); a capital initial neither (« F. Theret »).
_TITLES = frozenset(["m", "mm", "mme", "mmes", "mlle", "mlles", "dr", "pr", "st", "ste", "cf"])
_BEFORE_NUMBER = frozenset(["art", "p", "pp", "n", "no", "vol", "chap", "env"])
_WORD_BEFORE = re.compile(r"(\w+)\.$")
_INITIAL = re.compile(r"[A-ZÀ-ÖØ-Þ]")
_NUMBERED = re.compile(r"^\s*\d{1,3}\.$")  # « 1. » opening a numbered list item
_AFTER_CITATION = re.compile(r"(?<=\])(?=\s)")
_END_MARK = re.compile(r"[.!?…\]\n]")  # a character after which a sentence may be over

_INLINE_MARKS = r"\*\*|__|`"
_LINE_MARKS = r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+•▶►][ \t]+|\d{1,2}[.)][ \t]+)"
_MARKS = re.compile(f"{_INLINE_MARKS}|{_LINE_MARKS}", re.MULTILINE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•▶►]|\d{1,2}[.)])\s+")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\s]*\)")

# A sentence that leans on one before it: its subject is a pronoun or a demonstrative phrase, or
# a demonstrative names something it has not introduced. One rule for the product (what may lead
# an answer) and for the evaluation (`evaluation.metrics.dangling_opening`).
_SUBJECT_PRONOUNS = {
    "il", "elle", "ils", "elles", "celui-ci", "celle-ci", "ceux-ci", "celles-ci",
    "celui-là", "celle-là", "cela", "ceci", "ça", "lui", "eux",
    "it", "they", "he", "she", "its", "their",
}  # fmt: skip
_DEMONSTRATIVES = {"ce", "cet", "cette", "ces", "this", "these", "that", "those"}
# Nouns a demonstrative may carry without pointing outside: the guide the assistant quotes,
# and « à ce jour ».
_SELF_NOUNS = {"document", "guide", "texte", "jour"}
# Inside a sentence, English "that" and "those" are mostly relatives (« projects that create »).
_INNER_DEMONSTRATIVES = _DEMONSTRATIVES - {"that", "those"}
# "ce" / "that" as a pronoun, not a determiner: "ce qui", "ce sont", "that is"…
_NOT_A_NOUN = {
    "que", "qu", "qui", "dont", "n", "ne", "sont", "soit", "fut", "sera", "serait", "peut",
    "à", "en", "is", "was", "the", "a", "an", "which", "way",
}  # fmt: skip
_IMPERSONAL = re.compile(
    r"^(?:il (?:existe|y a|faut|s'agit|suffit|convient|importe|semble|reste|est (?:possible|"
    r"nécessaire|important|utile|conseillé|recommandé|à noter)\b)"
    r"|it (?:is|'s) (?:possible|not|worth|important|necessary|recommended)\b"
    r"|(?:there|that) (?:is|are)\b)",
    re.IGNORECASE,
)
# Words that open a full noun phrase: a segment starting with one has its own subject.
_DETERMINERS = {
    "le", "la", "les", "l", "un", "une", "son", "sa", "ses", "leur", "leurs", "notre", "nos",
    "votre", "vos", "mon", "ma", "mes", "chaque", "plusieurs", "tout", "tous", "toute", "toutes",
    "aucun", "aucune", "the", "a", "an", "each", "every", "our", "your",
}  # fmt: skip
_OPENING_MARKS = re.compile(r"^[\s>#*_\-–—•▶►«“\"(]+")


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[\w]+(?:-(?:ci|là))?", text.replace("’", "'"))]


def _demonstrative_noun(words: list[str], i: int) -> str | None:
    """The noun a demonstrative at `words[i]` determines, or None if it is not a determiner."""
    if words[i] not in _DEMONSTRATIVES or i + 1 >= len(words):
        return None
    nxt = words[i + 1]
    return None if nxt in _NOT_A_NOUN else nxt


_EN_CLITIC = re.compile(
    r"\ben (?:est|sont|était|étaient|sera|seront|a été|ont été|fait|font|constitue|constituent)"
    r" (?:un|une|des|le|la|les|l['’])",
    re.I,
)


def dangling(text: str) -> bool:
    """Does the sentence lean on something said before it?

    True when its subject is a pronoun or a demonstrative phrase: « Il est issu… », « Elle
    décide… », « Ce dispositif est à destination… », « Celui-ci… », also after an opening
    phrase with no subject of its own (« Créateur de liens, il met… »); or when a
    demonstrative anywhere in it names something the sentence has not introduced (« Le
    financement d'un poste d'animateur de ce collectif… », « …de ces démarches. »).
    Not dangling: impersonal « Il existe / Il y a / Il faut… », « ce qui / ce sont », and
    « ce document / ce guide ». Citation marks and Markdown are ignored.
    """
    first = _OPENING_MARKS.sub("", " ".join(CITATION.sub("", _MARKS.sub("", text)).split()))
    if _IMPERSONAL.match(first):
        return False
    words = _words(first)
    # The subject: the first comma-separated segment that opens with a pronoun, a
    # demonstrative or a determiner (opening phrases such as « Porté par… » are skipped).
    for segment in first.split(","):
        seg = _words(segment)
        if not seg:
            continue
        head = seg[0]
        if head in _SUBJECT_PRONOUNS:
            return not _IMPERSONAL.match(segment.strip())
        noun = _demonstrative_noun(seg, 0)
        if noun is not None:
            return noun not in _SELF_NOUNS
        if head in _DETERMINERS:
            break
    # « … en est un exemple », « … en sont les lauréats »: « en » stands for what came before
    if _EN_CLITIC.search(first):
        return True
    # A demonstrative further on, whose noun the sentence has not used before it.
    for i, word in enumerate(words):
        noun = _demonstrative_noun(words, i) if word in _INNER_DEMONSTRATIVES else None
        if noun and noun not in _SELF_NOUNS and noun not in words[:i]:
            return True
    return False


# ---------------------------------------------------------------- sentences


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Spans of the sentences (and list lines) of `text`, shifted by `offset`.

    A line break always ends a sentence. Within a line, a sentence ends at . ! ? … followed by
    white space and what can open a sentence (a capital, a digit, a quote, a dash), unless the
    full stop is an abbreviation's (« M. », « art. ») or a list number's (« 1. »); the `[n]`
    markers that follow stay with it. A `[n]` marker followed by a sentence opener ends one
    too. A span starts at its first non-blank character (a list dash is part of it)."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip()
        start = 0
        for m in _BOUNDARY.finditer(body):
            if _not_an_end(body[: m.start()], body[m.end() :]):
                continue
            if body[start : m.start("space")].strip():
                spans.append((line_start + start, line_start + m.start("space")))
            start = m.end()
        if body[start:].strip():
            spans.append((line_start + start, line_start + len(body)))
        line_start += len(line)
    return [(offset + a + _lead(text[a:b]), offset + b) for a, b in spans]


def sentences(text: str) -> list[str]:
    """The sentences of `text` as strings (see `sentence_spans`)."""
    return [text[a:b] for a, b in sentence_spans(text)]


def loose_sentences(text: str, ends: str = ".!?") -> list[str]:
    """`text` cut after each character of `ends` followed by white space, whatever comes
    next, pieces stripped: for a user's message, often typed without capitals (« je suis
    élue. comment financer ? »), and for clauses (`ends=".!?;"`)."""
    return [p.strip() for p in re.split(f"(?<=[{re.escape(ends)}])\\s+", text) if p.strip()]


def line_sentences(text: str) -> list[tuple[int, str]]:
    """(line number, sentence as plain text) for each sentence of `text`: Markdown marks and
    list markers removed, white space collapsed, `[n]` markers kept."""
    out = []
    for a, b in sentence_spans(text):
        plain = normalise_space(strip_marks(text[a:b]))
        if plain:
            out.append((text.count("\n", 0, a), plain))
    return out


def clean_sentence(text: str) -> str:
    """The sentence as an answer quotes it: Markdown marks and list markers removed, white
    space collapsed, final punctuation ensured."""
    text = normalise_space(strip_marks(text))
    return text if text[-1:] in '.!?…»”"' else text + "."


def citation_pieces(text: str) -> list[str]:
    """`text` cut after each `[n]` marker, the white space kept, so that the pieces join back
    to it: the steps in which a written answer is streamed, one cited sentence at a time."""
    return [p for p in _AFTER_CITATION.split(text) if p]


def last_end_mark(text: str) -> int:
    """The position just after the last character of `text` that may end a sentence
    (. ! ? …, a citation's closing bracket, a line break), or -1: a streamed delta without
    one cannot have completed a sentence."""
    ends = [m.end() for m in _END_MARK.finditer(text)]
    return ends[-1] if ends else -1


def _not_an_end(head: str, rest: str) -> bool:
    """Is the full stop that ends `head` an abbreviation's, an initial's or a list number's,
    given the `rest` of the line after the white space that follows it?"""
    if not head.endswith("."):
        return False
    word = _WORD_BEFORE.search(head)
    if word:
        w = word.group(1)
        if w.casefold() in _TITLES or _INITIAL.fullmatch(w):
            return True
        if w.casefold() in _BEFORE_NUMBER and rest[:1].isdigit():
            return True
    return bool(_NUMBERED.match(head))


# ---------------------------------------------------------------- Markdown


def strip_marks(text: str) -> str:
    """Bold, code and heading marks, quote markers and list markers (« - », « • », « 1. »)
    removed; links and line breaks kept."""
    return _MARKS.sub("", text)


def markdown_to_plain(text: str) -> str:
    """`strip_marks`, and links unwrapped (`<url>` -> url, `[text](url)` -> text)."""
    return _MD_LINK.sub(r"\1", _AUTOLINK.sub(r"\1", strip_marks(text)))


def mark_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the characters `markdown_to_plain` drops, in the coordinates of `text`
    (for callers that map plain text back to the Markdown)."""
    spans = []
    for m in _MD_LINK.finditer(text):
        spans += [(m.start(), m.start() + 1), (m.end(1), m.end())]  # "[" and "](target)"
    for m in _AUTOLINK.finditer(text):
        spans += [(m.start(), m.start() + 1), (m.end() - 1, m.end())]  # "<" and ">"
    spans += [m.span() for m in _MARKS.finditer(text)]
    return sorted(spans)


def is_list_item(line: str) -> bool:
    """Does the line open with a list marker (« - », « * », « • », « 1. », « 2) »)?"""
    return bool(_LIST_ITEM.match(line))


def plain(text: str) -> str:
    """`markdown_to_plain` with white space collapsed: the form in which quotes, facts and
    passages are compared."""
    return normalise_space(markdown_to_plain(text))


def normalise_space(text: str) -> str:
    """White space (no-break spaces included) collapsed to single spaces, ends stripped."""
    return " ".join(text.split())


def _lead(s: str) -> int:
    return len(s) - len(s.lstrip())
