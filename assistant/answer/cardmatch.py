"""Matching a question to an answer card: the question's vector against each card's
phrasings (best cosine), plus the share of the question's focus terms the card uses, plus
agreement on the actor (a question about communes does not get the départements card).

The phrasings are embedded once, as queries (question against question), and kept beside
the index in `cards-<hash>.npy`, the hash covering the model and every phrasing, so an
edited card is re-embedded and an unchanged one never is.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..search.acronyms import expand
from ..search.analysis import STOP_WORDS, analyze, fold, words
from .cards import Card
from .question import ACTORS, HOME_PLACES, Analysis, asked_part

_LOCAL = re.compile(r"\b(?:collectivit[ée]s?|local authorit(?:y|ies)|local councils?)\b", re.I)
LEXICAL_WEIGHT = 0.1  # times the idf-weighted share of focus terms the card uses
ACTOR_MISMATCH = 0.08  # the question names one actor, the card is about another
_HOME = frozenset(fold(p) for p in HOME_PLACES)
ACTOR_MATCH = 0.01  # (tune + dev: 0.01 ≥ 0.02 > 0)


@dataclass(frozen=True)
class CardMatch:
    card: Card
    score: float
    dense: float  # best cosine between the question and the card's phrasings
    lexical: float  # idf-weighted share of the question's focus terms the card uses


def card_texts(card: Card) -> list[str]:
    """What is embedded for a card: its topic and each phrasing."""
    return [card.topic, *card.phrasings]


def fingerprint(cards: list[Card], model_id: str) -> str:
    payload = json.dumps([model_id, [card_texts(c) for c in cards]], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


class CardIndex:
    def __init__(
        self, cards: list[Card], vectors: np.ndarray, corpus: tuple[str, ...] = ()
    ) -> None:
        self.cards = cards
        self.by_id = {c.id: c for c in cards}
        self.vectors = vectors.astype(np.float32)
        self.owner = np.array([i for i, c in enumerate(cards) for _ in card_texts(c)], dtype=int)
        self.terms = [frozenset(analyze(expand(_card_words(c)))) for c in cards]
        # the words its answer says, folded but not stemmed (« Anima » is not « animation »);
        # not its phrasings, whose users name their own towns
        self.words = [
            frozenset(fold(w) for w in words(expand(f"{c.topic} {c.text('fr')}"))) for c in cards
        ]
        # names a user may type in lower case; `corpus` (the guide) shows which words are not
        self.names = proper_names([f"{c.topic}\n{c.text('fr')}" for c in cards], corpus)
        n = max(len(cards), 1)
        df: dict[str, int] = {}
        for terms in self.terms:
            for t in terms:
                df[t] = df.get(t, 0) + 1
        self.idf = {t: float(np.log(1 + n / d)) for t, d in df.items()}
        self.top_idf = float(np.log(1 + n))

    @classmethod
    def load(
        cls,
        cards: list[Card],
        embedder,
        folder: Path,
        model_id: str,
        corpus: tuple[str, ...] = (),
    ) -> CardIndex:
        """The card index, its vectors read from `folder` or embedded and saved there."""
        if not cards:
            return cls([], np.zeros((0, 1), dtype=np.float32))
        path = folder / f"cards-{fingerprint(cards, model_id)}.npy"
        vectors = None
        if path.is_file():
            try:
                vectors = np.load(path, allow_pickle=False)
            except (OSError, ValueError):
                vectors = None
        texts = [expand(t) for c in cards for t in card_texts(c)]
        if vectors is None or vectors.shape[0] != len(texts):
            vectors = np.asarray(embedder.embed_queries(texts), dtype=np.float32)
            _save(path, vectors)
        return cls(cards, vectors, corpus)

    def share(self, card: Card, terms: tuple[str, ...]) -> float:
        """idf-weighted share of `terms` that `card` uses."""
        have = self.terms[self.cards.index(card)]
        weights = {t: self.idf.get(t, self.top_idf) for t in terms}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in have) / total if total else 0.0

    def match(self, query_vector: np.ndarray, analysis: Analysis) -> list[CardMatch]:
        """Every card scored for the question, best first."""
        if not self.cards:
            return []
        sims = self.vectors @ query_vector.astype(np.float32)
        best = np.full(len(self.cards), -1.0)
        np.maximum.at(best, self.owner, sims)
        focus = analysis.focus
        weights = {t: self.idf.get(t, self.top_idf) for t in focus}
        total = sum(weights.values())
        # the names the question uses that only some cards use (« Anima », « Calais »)
        # (in the sentence that asks, less the places a user may live in: « du Nord »)
        asking = asked_part(analysis.core)
        named = {
            fold(w)
            for w in re.findall(r"[^\W\d_]+", asking)
            if not any(a.fullmatch(w) for a in ACTORS.values())  # « la région », a kind
        } & self.names - _HOME
        rare = max(1, len(self.cards) // 4)  # not « PTCE », which every card writes
        named = {n for n in named if sum(n in w for w in self.words) <= rare}
        out = []
        for i, card in enumerate(self.cards):
            lexical = (
                sum(w for t, w in weights.items() if t in self.terms[i]) / total if total else 0.0
            )
            score = float(best[i]) + LEXICAL_WEIGHT * lexical
            if analysis.actor and card.actor == analysis.actor:
                score += ACTOR_MATCH
            elif analysis.actor and card.actor:
                # « le PTCE Anima » is that example, whoever the user works for
                if not (card.kind == "example" and named & self.words[i]):
                    score -= ACTOR_MISMATCH
            elif card.actor == "etat" and _LOCAL.search(analysis.core):
                score -= ACTOR_MISMATCH  # « une collectivité a-t-elle… »: the State is not one
            out.append(CardMatch(card, score, float(best[i]), lexical))
        return sorted(out, key=lambda m: (-m.score, m.card.id))


def proper_names(texts: list[str], corpus: tuple[str, ...] = ()) -> frozenset[str]:
    """The folded words `texts` write capitalised inside a sentence and that neither they nor
    `corpus` ever write in lower case (« Calais », « COORACE », « Anima », not « Région »),
    so that a user typing « le ptce de calais » still names them."""
    upper: set[str] = set()
    lower: set[str] = set()
    for text in [*texts, *corpus]:
        for match in re.finditer(r"[^\W\d_]{3,}", text):
            word = match.group()
            if not word[0].isupper():
                lower.add(_singular(fold(word)))
            elif text in texts and re.search(
                r"[\w,'’][ \t]?$", text[max(0, match.start() - 2) : match.start()]
            ):
                upper.add(fold(word))  # capitalised inside a sentence, not as its first word
    return frozenset(w for w in upper - STOP_WORDS if _singular(w) not in lower)


def _singular(word: str) -> str:
    """« départements » and « Département » are one word; « Anima » is not « animation »."""
    return re.sub(r"(?<=\w{3})e?[sx]?$", "", word)


def _card_words(card: Card) -> str:
    return " ".join([card.topic, *card.phrasings, card.text("fr")])


def _save(path: Path, vectors: np.ndarray) -> None:
    """Write atomically, and remove the card vectors of earlier card sets."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, vectors, allow_pickle=False)
        os.replace(tmp, path)
        for old in path.parent.glob("cards-*.npy"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only index folder: the vectors are simply computed again next time
