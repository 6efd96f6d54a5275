"""The verifier between the LLM and the user: every sentence must be backed by the passages
it cites. Pure functions on strings and `Source`s.

    verify("La Région verse 5 000 € [1]. Le PTCE [9] coopère [2].", sources)
        -> text "… [1]. Le PTCE coopère [2]." with notes: "[9] removed", "5 000 not in [1]" …

1. Citations: each `[n]` is read with `citations.CITATION`; numbers with no passage are
   removed. A sentence without its own `[n]` borrows those of the next sentence of its
   line (a citation after a run of sentences covers the run), else of the previous one.
2. Facts and content: the numbers (amounts, percentages, years), month names and named
   bodies (capitalised names, acronyms) of a sentence must appear in a passage it cites (its
   text, title or section). English answers translate names, so only their acronyms are
   checked. Every content word of a French sentence must be in those passages, the
   question, the connectives or the paraphrases, and a negation or restriction (« sans »,
   « uniquement », « ne … pas ») must be stated there too (`support.problems`).
3. A sentence with a missing fact is replaced by the sentence of its passage that shares
   most of its words (at least half, and three), else dropped; an unrelated sentence or one
   with no citation at all is dropped. Tags and headings copied from the prompt are removed.
   Every change is recorded in `notes`.
4. The surviving sources are renumbered 1, 2… in order of first citation, as the extractive
   answer numbers them. `ok` is False when no sentence survives with a citation: the
   caller then falls back to the extractive answer.

`final=False` verifies a prefix of a streamed answer: only the sentences up to the last
complete one that carries its own citation, so the text only ever grows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from .analysis import analyze, fold
from .citations import CITATION
from .schema import Source
from .support import problems
from .text import clean_sentence, line_sentences
from .wording import verify_note

_THINKING = re.compile(r"<think>.*?(?:</think>|\Z)", re.S)  # reasoning models' scratchpad
_LABELLED = re.compile(r"\[(?:passages?|sources?|extraits?|doc(?:ument)?s?)\s*(\d{1,3})\]", re.I)
_NUMBER = re.compile(
    r"(?<!\d)(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?!\d)(?:,\d+)?|\d+(?:[.,]\d+)?)(?![\d])"
)
_PERCENT = re.compile(r"\s*(?:%|pour\s*cent\b|percent\b)", re.I)
_NAME = re.compile(r"(?<!\w)[A-ZÀ-ÖØ-Þ][\w’'-]*\w")
_ACRONYM = re.compile(r"^[A-ZÀ-ÖØ-Þ]{2,}[a-z]?$|^[A-Z][a-z]?[A-Z]")
_MONTHS = [
    ("janvier", "january"),
    ("fevrier", "february"),
    ("mars", "march"),
    ("avril", "april"),
    ("mai", "may"),
    ("juin", "june"),
    ("juillet", "july"),
    ("aout", "august"),
    ("septembre", "september"),
    ("octobre", "october"),
    ("novembre", "november"),
    ("decembre", "december"),
]
# Capitalised words that are not names (a quote or a clause may open with one).
_NOT_NAMES_TEXT = """
le la les l un une des du de d ce cet cette ces il elle ils elles on nous vous je tu
en au aux et ou mais donc or ni car si selon pour par dans sur avec sans sous entre
oui non voici voila ainsi enfin aussi notamment cependant toutefois the a an it this
that these they in on for and or but yes no note source sources passage passages
"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
_SUPPORT_SHARE = 0.5  # a replacement extract must share this share of the sentence's terms
_SUPPORT_TERMS = 3  # and at least this many
_GROUNDING = 1 / 3  # share of a French sentence's terms its cited passages must contain


@dataclass(frozen=True)
class Verified:
    text: str  # the answer as shown: supported sentences, valid and renumbered citations
    sources: tuple[Source, ...]  # the cited sources, renumbered 1..m, quotes filled
    notes: tuple[str, ...]  # what was changed, one sentence each
    ok: bool  # at least one sentence survived with a citation
    kept: int = 0  # sentences kept as written
    replaced: int = 0
    dropped: int = 0


@dataclass(frozen=True)
class _Sentence:
    text: str  # as written, markers included
    line: int
    cites: tuple[int, ...]  # its own valid citations, in order


def numbers(text: str, *, english: bool = False) -> list[tuple[str, bool, str]]:
    """(normalised number, is a percentage, as written) for each number in `text`:
    "3 000 €" -> ("3000", False, "3 000"), "1,5" -> ("1.5", …), "40 %" -> ("40", True, "40")."""
    out = []
    for m in _NUMBER.finditer(text):
        raw = m.group(1)
        if re.fullmatch(r"\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d+)?", raw):
            raw = re.sub(r"[ \u00a0\u202f.]", "", raw)
        elif english and re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
            raw = raw.replace(",", "")
        key = raw.replace(",", ".")
        if "." not in key:
            key = key.lstrip("0") or "0"
        out.append((key, bool(_PERCENT.match(text, m.end())), m.group(1)))
    return out


def names(sentence: str, *, capitalised: bool = True) -> list[str]:
    """Acronyms and (when `capitalised`) capitalised names of a sentence; its first word
    counts only when it is an acronym."""
    out = []
    for m in _NAME.finditer(sentence):
        word = re.split(r"['’]", m.group(0))[-1]
        if len(word) < 2 or fold(word) in _NOT_NAMES:
            continue
        acronym = bool(_ACRONYM.match(word))
        at_start = not sentence[: m.start()].strip(' «"“(')
        if acronym or (capitalised and not at_start):
            out.append(word)
    return out


def months(text: str) -> set[int]:
    folded = fold(text)
    return {
        i
        for i, pair in enumerate(_MONTHS)
        if any(re.search(rf"\b{w}\b", folded) for w in pair if w != "may" or "May" in text)
    }


def missing_facts(sentence: str, evidence: str, *, lang: str = "fr") -> list[str]:
    """The facts of `sentence` (markers removed) that `evidence` does not state."""
    claim = CITATION.sub(" ", sentence)
    have = numbers(evidence)
    have_numbers = {k for k, _, _ in have}
    have_percents = {k for k, pct, _ in have if pct}
    missing = [
        shown
        for k, pct, shown in numbers(claim, english=lang == "en")
        if k not in (have_percents if pct else have_numbers)
    ]
    missing += [_MONTHS[i][0] for i in months(claim) - months(evidence)]
    folded = fold(evidence)
    for name in names(claim, capitalised=lang != "en"):
        f = fold(name)
        if not re.search(rf"(?<!\w){re.escape(f)}(?!\w)", folded) and not (
            f.endswith("s") and re.search(rf"(?<!\w){re.escape(f[:-1])}(?!\w)", folded)
        ):
            missing.append(name)
    return list(dict.fromkeys(missing))


def passage_sentences(text: str) -> list[str]:
    """The sentences of a passage as an extract shows them: Markdown marks and bullets
    removed, a final full stop ensured."""
    return [clean_sentence(s) for _, s in line_sentences(text) if len(s) >= 12]


def best_extract(sentence: str, passage: str) -> tuple[str, float]:
    """The sentence of `passage` sharing most of `sentence`'s terms, and that share."""
    terms = _terms(CITATION.sub(" ", sentence))
    best, share = "", 0.0
    for candidate in _passage_sentences(passage) if terms else ():
        s = len(terms & _terms(candidate)) / len(terms)
        if s > share:
            best, share = candidate, s
    return best, share


@lru_cache(maxsize=4096)
def _terms(text: str) -> frozenset[str]:
    return frozenset(analyze(text))


@lru_cache(maxsize=256)
def _passage_sentences(text: str) -> tuple[str, ...]:
    return tuple(passage_sentences(text))


def verify(
    text: str,
    sources: tuple[Source, ...],
    *,
    lang: str = "fr",
    final: bool = True,
    question: str = "",
    paraphrases: Mapping[str, Sequence[str]] | None = None,
) -> Verified:
    """Check an LLM answer against the numbered `sources` it was given (see module doc)."""
    by_n = {s.n: s for s in sources}
    notes: list[str] = []
    text = _LABELLED.sub(r"[\1]", _THINKING.sub("", text or ""))
    sentences = _read(text, by_n, notes, lang)
    if not final:  # the last sentence of the line being written may not be finished
        writing = text.count("\n")
        if sentences and sentences[-1].line == writing:
            sentences = sentences[:-1]
        last = max((i for i, s in enumerate(sentences) if s.cites), default=-1)
        sentences = sentences[: last + 1]
    out: list[tuple[str, tuple[int, ...]]] = []  # sentence text without markers, citations
    quotes: dict[int, list[str]] = {}
    kept = replaced = dropped = 0
    for i, s in enumerate(sentences):
        cites = s.cites or _borrow(sentences, i)
        body = _strip_markers(s.text)
        shown = {_strip_markers(t).casefold() for t, _ in out}
        if body.casefold() in shown:
            notes.append(verify_note("repeated", lang, sentence=body))
            dropped += 1
            continue
        if not cites:
            if re.search(r"\w", body):
                notes.append(verify_note("uncited", lang, sentence=body))
                dropped += 1
            continue
        evidence = "\n".join(f"{by_n[n].title}\n{by_n[n].section}\n{by_n[n].text}" for n in cites)
        # Facts, restrictions and (French) content words: see `support.problems`.
        missing = problems(body, evidence, lang=lang, question=question, paraphrases=paraphrases)
        cited = "".join(f"[{n}]" for n in cites)
        if not missing and not _grounded(body, evidence, lang):
            notes.append(verify_note("unrelated", lang, cited=cited, sentence=body))
            dropped += 1
            continue
        if not missing:
            out.append((s.text if s.cites else body, cites))
            kept += 1
            for n in cites:
                quote, share = best_extract(body, by_n[n].text)
                if quote and share >= _SUPPORT_SHARE:
                    quotes.setdefault(n, []).append(quote)
            continue
        what = ", ".join(f"« {m} »" if lang != "en" else f"“{m}”" for m in missing)
        extract, n_best, share = "", cites[0], 0.0
        for n in cites:
            candidate, s_share = best_extract(body, by_n[n].text)
            if s_share > share:
                extract, n_best, share = candidate, n, s_share
        enough = share >= _SUPPORT_SHARE and share * len(_terms(body)) >= _SUPPORT_TERMS
        if extract and enough and extract.casefold() not in shown:
            out.append((f"{extract} [{n_best}]", (n_best,)))
            quotes.setdefault(n_best, []).append(extract)
            notes.append(
                verify_note("replaced", lang, cited=f"[{n_best}]", missing=what, sentence=body)
            )
            replaced += 1
        else:
            notes.append(verify_note("dropped", lang, cited=cited, missing=what, sentence=body))
            dropped += 1
    text_out, kept_sources = _renumber(out, by_n, quotes)
    return Verified(
        text_out, kept_sources, tuple(notes), bool(kept_sources), kept, replaced, dropped
    )


def _read(text: str, by_n: dict[int, Source], notes: list[str], lang: str) -> list[_Sentence]:
    """Sentences with their valid citations; invalid numbers removed from the text."""

    def fix(m: re.Match) -> str:
        parts = [int(p) for p in re.split(r"\s*[,;]\s*", m.group(1))]
        for n in parts:
            if n not in by_n:
                notes.append(verify_note("bad_citation", lang, n=n))
        valid = list(dict.fromkeys(n for n in parts if n in by_n))
        return "".join(f"[{n}]" for n in valid)

    headings = {_key(p) for s in by_n.values() for p in (s.title, *s.section.split(" > "))}
    out: list[_Sentence] = []
    for line, sentence in line_sentences(text):
        if _echo(sentence, headings):
            continue
        cleaned = CITATION.sub(fix, sentence)
        cleaned = re.sub(r"\s+([.,…])", r"\1", re.sub(r"\s{2,}", " ", cleaned)).strip()
        cites = tuple(dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", cleaned)))
        if not re.search(r"\w", _strip_markers(cleaned)):
            # Markers alone (on a line of their own…) cite the sentence before, if it has none.
            if out and cites and not out[-1].cites:
                prev = out[-1]
                marks = "".join(f"[{n}]" for n in cites)
                out[-1] = _Sentence(
                    f"{prev.text} {marks}", prev.line, tuple(dict.fromkeys(prev.cites + cites))
                )
            continue
        out.append(_Sentence(cleaned, line, cites))
    return out


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def _grounded(sentence: str, evidence: str, lang: str) -> bool:
    """Enough of the sentence's words are in its passages (English answers translate, so
    only their facts are checked)."""
    terms = _terms(sentence)
    if lang == "en" or not terms:
        return True
    return len(terms & _terms(evidence)) / len(terms) >= _GROUNDING


def _echo(sentence: str, headings: set[str]) -> bool:
    """Prompt debris a small model copies: a tag (`<passages>`), a passage heading
    (`[1] Guide > Financement`), the instructions' "[n]". Not a claim: removed without a note."""
    body = _strip_markers(CITATION.sub(" ", sentence))
    if re.fullmatch(r"(?:<\s*/?\s*\w+\s*>\s*)+", body) or "[n]" in sentence:
        return True
    parts = [_key(p) for p in body.split(">")]
    return all(p in headings for p in parts) and any(parts)


def _borrow(sentences: list[_Sentence], i: int) -> tuple[int, ...]:
    line = sentences[i].line
    for j in [*range(i + 1, len(sentences)), *range(i - 1, -1, -1)]:
        if sentences[j].line == line and sentences[j].cites:
            return sentences[j].cites
    return ()


def _strip_markers(text: str) -> str:
    text = re.sub(r"\s*\[\d+\]", "", text)
    return re.sub(r"\s+([.,…])", r"\1", text).strip()


def _renumber(
    out: list[tuple[str, tuple[int, ...]]], by_n: dict[int, Source], quotes: dict[int, list[str]]
) -> tuple[str, tuple[Source, ...]]:
    order: dict[int, int] = {}
    for _, cites in out:
        for n in cites:
            order.setdefault(n, len(order) + 1)
    pieces = []
    for sentence, cites in out:
        if not re.search(r"\[\d+\]", sentence):  # borrowed citations are written after it
            core, end = re.fullmatch(r"(.*?)([.!?…]*)", sentence, re.S).groups()
            sentence = f"{core} {''.join(f'[{n}]' for n in cites)}{end or '.'}"
        pieces.append(re.sub(r"\[(\d+)\]", lambda m: f"[{order[int(m.group(1))]}]", sentence))
    sources = tuple(
        replace(by_n[n], n=new, quote=" ".join(dict.fromkeys(quotes.get(n, []))))
        for n, new in order.items()
    )
    return " ".join(pieces), sources
