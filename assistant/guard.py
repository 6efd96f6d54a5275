"""Checks on what the user typed, before any retrieval: clean it, refuse what cannot be
a question, and recognise attempts to redirect the assistant.

Everything here is pure and works on strings.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import UserError

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
    r"\b(fais semblant|faites semblant|pretend|roleplay|role-play|joue le rôle|jouez le rôle|act as|agis comme)\b",
    r"\b(jailbreak|mode développeur|mode developpeur|developer mode|DAN)\b",
    r"\b(révèle|revele|affiche|montre|donne|répète|repete|reveal|show|print|repeat)[sz]?\b.{0,30}\b(tes|vos|ton|votre|your)\s+(instructions?|consignes?|prompt|règles|rules)",
    r"<\s*/?\s*(system|assistant|instructions?)\s*>",
    r"\[\s*(system|inst)\s*\]",
]
_INJECTION_RE = re.compile("|".join(f"(?:{p})" for p in _INJECTION), re.IGNORECASE)


def clean_question(text: object, *, max_chars: int) -> str:
    """Normalise a user's message or raise UserError with one sentence saying what is wrong."""
    if not isinstance(text, str):
        raise UserError("La question doit être du texte.")
    if "\x00" in text:
        raise UserError("La question contient des caractères binaires ; envoyez du texte.")
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    # Control characters become spaces (tabs and newlines included), then spaces collapse.
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise UserError("La question est vide : posez une question sur les PTCE.")
    if len(text) > max_chars:
        raise UserError(
            f"La question est trop longue ({len(text)} caractères ; {max_chars} au plus) : raccourcissez-la."
        )
    if not any(ch.isalnum() for ch in text):
        raise UserError("La question ne contient aucun mot : posez une question sur les PTCE.")
    return text


def is_injection(text: str) -> bool:
    """True when the message tries to change, reveal or replace the assistant's instructions."""
    return bool(_INJECTION_RE.search(text))


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
        "is",
        "are",
        "can",
        "could",
        "should",
        "of",
        "and",
        "for",
        "with",
        "about",
        "local",
        "authority",
        "authorities",
        "funding",
        "scheme",
    ]
)


def looks_english(text: str) -> bool:
    words = re.findall(r"[a-zA-Z']+", text.lower())
    return len(words) >= 2 and sum(w in _ENGLISH_MARKERS for w in words) / len(words) >= 0.25
