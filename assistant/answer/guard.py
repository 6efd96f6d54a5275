"""Checks on what the user typed, before any retrieval: clean it, refuse what cannot be
a question, and recognise attempts to redirect the assistant.

Everything here is pure and works on strings.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from .. import wording
from ..errors import UserError
from ..search.acronyms import GLOSSARY
from ..search.analysis import fold

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
# Zero-width and bidirectional control characters: invisible, and used to hide text.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u00ad]")

# Requests to drop, reveal or replace the assistant's instructions, in French and English.
_INJECTION = [
    r"\b(ignore|oublie|oubliez|ignorez|néglige|negligez|contourne)[sz]?\b.{0,40}\b(instructions?|consignes?|règles|regles|directives|prompt|ce qui précède|ce qui precede|tout ce)",
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules|prompt|previous|above|guidelines)",
    r"\b(prompt|message|instructions?|consignes?)\s+(système|systeme|system|initiales?|cachées?)",
    r"\bsystem\s+prompt\b",
    r"\b(tu es|vous êtes|vous etes|you are)\s+(maintenant|désormais|desormais|now)\b",
    r"\b(à partir de maintenant|a partir de maintenant|from now on|dorénavant|dorenavant)\b",
    r"\b(fais semblant|faites semblant|fais comme si|faites comme si|pretend|roleplay|role-play|joue le rôle|jouez le rôle|act as|agis comme|comporte-toi comme)\b",
    r"\b(oublie|oubliez|ignore|ignorez|forget|ignore)\b.{0,20}\b(le guide|les sources|the guide|the sources|tes sources|vos sources)\b",
    r"\b(invente|inventez|make up|fabricate)\b.{0,40}\b(réponse|chiffre|source|montant|answer|number|fact)",
    r"\b(assistant|chatbot|ia|ai|mode|réponds|answer)\b.{0,25}\b(sans (aucune )?(restriction|limite|filtre)s?|without (any )?(restrictions?|filters?|limits?))\b",
    r"\b(jailbreak|mode développeur|mode developpeur|developer mode|(?-i:DAN))\b",  # not « dan »
    r"\b(révèle|revele|affiche|montre|donne|répète|repete|reveal|show|print|repeat)[sz]?\b.{0,30}\b(tes|vos|ton|votre|your)\s+(instructions?|consignes?|prompt|règles|rules)",
    r"<\s*/?\s*(system|assistant|user|instructions?|context|contexte|passages?|sources?)\s*>",
    r"(^|\n|[.!?]\s)\s*(system|système|systeme|assistant)\s*:",
    r"\b(nouvelles?|new|autres?|other)\s+(consignes?|instructions?|règles|regles|rules|directives)\b",
    r"\b(désactive|desactive|disable|bypass|contourne)[sz]?\b.{0,30}\b(filtres?|filters?|règles|rules|garde-fous|safeguards?)",
    r"\[\s*(system|inst)\s*\]",
]
_INJECTION_RE = re.compile("|".join(f"(?:{p})" for p in _INJECTION), re.IGNORECASE)


def clean_question(text: object, *, max_chars: int) -> str:
    """Normalise a user's message or raise UserError with one sentence saying what is wrong."""
    if not isinstance(text, str):
        raise UserError(wording.QUESTION_NOT_TEXT)
    if "\x00" in text:
        raise UserError(wording.QUESTION_BINARY)
    text = unicodedata.normalize("NFKC", text)
    text = _ANSI.sub("", text)  # terminal colour codes: drop the whole sequence, not just ESC
    text = _INVISIBLE.sub("", text)
    # Control characters become spaces (tabs and newlines included), then spaces collapse.
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise UserError(wording.QUESTION_EMPTY)
    if len(text) > max_chars:
        raise UserError(wording.question_too_long(len(text), max_chars))
    if not any(ch.isalnum() for ch in text):
        raise UserError(wording.QUESTION_NO_WORD)
    return text


def is_injection(text: str) -> bool:
    """True when the message tries to change, reveal or replace the assistant's instructions."""
    return bool(_INJECTION_RE.search(text))


# Function words of each language (words both use — « a », « on », « en », « as » — left out).
_ENGLISH_MARKERS = frozenset(
    [
        "the",
        "what",
        "which",
        "who",
        "how",
        "why",
        "when",
        "where",
        "does",
        "do",
        "did",
        "is",
        "are",
        "was",
        "were",
        "can",
        "could",
        "should",
        "would",
        "of",
        "and",
        "for",
        "with",
        "about",
        "to",
        "from",
        "by",
        "an",
        "this",
        "that",
        "these",
        "those",
        "there",
        "it",
        "its",
        "they",
        "their",
        "our",
        "we",
        "my",
        "i",
        "me",
        "be",
        "been",
        "have",
        "has",
        "any",
        "anything",
        "set",
        "up",
        "into",
        "than",
        "local",
        "authority",
        "authorities",
        "funding",
        "scheme",
        "council",
        "town",
        "in",
        "not",
        "you",
        "your",
        "if",
        "will",
        "many",
        "much",
        "more",
        "get",
        "need",
        "want",
        "help",
        "own",
        "per",
        "must",
        "may",
        "might",
        "shall",
        "please",
        "rules",
    ]
)
_FRENCH_MARKERS = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "du",
        "de",
        "un",
        "une",
        "et",
        "est",
        "sont",
        "pour",
        "dans",
        "que",
        "qui",
        "quoi",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "comment",
        "pourquoi",
        "quand",
        "avec",
        "sur",
        "par",
        "au",
        "aux",
        "ce",
        "cette",
        "ces",
        "nous",
        "je",
        "vous",
        "il",
        "elle",
        "ils",
        "elles",
        "peut",
        "peuvent",
        "faut",
        "notre",
        "nos",
        "mon",
        "ma",
        "mes",
        "leur",
        "leurs",
        "pas",
        "ne",
        "se",
        "sa",
        "ses",
        "y",
    ]
)


def looks_english(text: str) -> bool:
    """More English marker words than French ones, and enough of them: two, or a quarter
    of a short message (« ACTE funding? »)."""
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    english = sum(w in _ENGLISH_MARKERS for w in words)
    enough = english >= 2 or (len(words) >= 2 and english / len(words) >= 0.25)
    return enough and english > sum(w in _FRENCH_MARKERS for w in words)


# A name (capitalised inside the sentence, or an acronym) or a number in the question.
# (a capitalised word after « . », « ! », « ? » or « : » opens a sentence: not a name)
_ENTITY = re.compile(r"(?<![.!?:]\s)(?<!^)\b([A-ZÀ-ÖØ-Þ][\w'’-]*[\w])|(\d[\d  .,]*\d|\d)")


# Capitalised words of everyday writing that name nothing the guide must know of (« l'URL de
# l'étude », « le PDF du guide »).
_EVERYDAY_CAPS = frozenset({"url", "urls", "pdf", "web", "faq", "ok", "svp", "mail", "email"})


def corpus_words(texts: list[str]) -> frozenset[str]:
    """Folded surface words of the corpus, numbers with their thousands separators removed."""
    vocab: set[str] = set()
    for text in texts:
        text = re.sub(r"(?<=\d)[  .](?=\d{3}\b)", "", text)
        vocab.update(fold(w) for w in re.findall(r"[\w]+", text))
    return frozenset(vocab)


def unknown_entities(question: str, vocabulary: frozenset[str], *, names: bool = True) -> list[str]:
    """Names and numbers of the question that the corpus never mentions, even approximately.

    The guide cannot answer a question about "la Région Occitanie" or "le budget 2026" when
    it never names them. Names may be misspelled (close matches count as known); numbers
    must match exactly. `names=False` checks numbers and acronyms only (for English
    questions, whose capitalised words are often plain English).
    """
    unknown: list[str] = []
    for match in _ENTITY.finditer(question.strip()):
        name, number = match.group(1), match.group(2)
        if number:
            digits = re.sub(r"[  .,]", "", number)
            after = question[match.end() : match.end() + 3]
            if re.match(r"\s?[kK]\b|\s?k€", after):  # « 100k€ » is 100 000 €, « 1,5k€ » 1 500 €
                value = float(re.sub(r"[  ]", "", number).replace(",", "."))
                digits = str(round(value * 1000))
            # « la Région finance 100 % ? »: all of it, a way of speaking
            if digits == "100" and re.match(r"\s?%", after):
                continue
            if len(digits) >= 2 and digits not in vocabulary:
                unknown.append(number)
            continue
        # in English, capitalised words are often plain English; an acronym is still a name
        # (« Is the ACTE grant subject to VAT? »)
        if fold(name) in _EVERYDAY_CAPS or not (names or re.fullmatch(r"[A-Z]{3,}s?", name)):
            continue
        parts = [p for p in re.split(r"[-'’]", fold(name)) if len(p) >= 3]
        acronym = bool(re.fullmatch(r"[A-ZÀ-Þ]{3,}s?", name))
        if any(not _known(part, vocabulary, acronym) for part in parts):
            unknown.append(name)
    return unknown


def _known(part: str, vocabulary: frozenset[str], acronym: bool) -> bool:
    """Is a (folded) part of a name in the corpus, maybe misspelt? An acronym is not a
    misspelt word: « FEDER » is not « fédérer », « ESUS » not « ESS »; it may be a plural
    (« EPCIs ») or a mistyped acronym of the field that the corpus uses (« CRES »)."""
    if part in vocabulary:
        return True
    if not acronym:
        return bool(difflib.get_close_matches(part, vocabulary, n=1, cutoff=0.8))
    if part.endswith("s") and part[:-1] in vocabulary:
        return True
    field = [a for a in _GLOSSARY_FOLDED if a in vocabulary]
    return bool(difflib.get_close_matches(part, field, n=1, cutoff=0.87))


_GLOSSARY_FOLDED = [fold(a) for a in GLOSSARY]
