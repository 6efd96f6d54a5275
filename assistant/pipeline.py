"""The answering pipeline: question (+ history) -> `Answer`, with timings per stage.

    clean -> guard (injection, names the guide never mentions) -> resolve follow-up -> retrieve (hybrid) -> score sentences -> answer or abstain

`Pipeline.load(settings)` loads the model and the index once (building the index when
missing or stale); `ask` is then cheap and safe to call from several threads.

With `settings.llm` set, a follow-up is rewritten by the LLM before retrieval and, once the
support gate has passed, the LLM writes the answer from the retrieved passages; `verify`
checks it sentence by sentence. When the model fails (timeout, connection, rate limit,
malformed reply) or says nothing the passages support, the answer is the extractive one
with a note. `stream` yields the answer's text as it is written, then the `Answer`.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from .answer import extractive
from .answer.acronym import meanings_asked, spelled_form
from .answer.answerability import FILE_NAME as ANSWERABILITY_FILE
from .answer.answerability import AnswerabilityModel
from .answer.cardmatch import CardIndex, CardMatch
from .answer.cards import Card, load_cards, load_paraphrases
from .answer.compose import QuoteNotIndexed, compose_card, indexed_cards, line_terms
from .answer.decide import (
    about_own_authority,
    choose_card,
    figure_of_year,
    find_contacts,
    names_asked,
    places_stated,
    with_antecedent,
    without_context,
    years_stated,
)
from .answer.details import details_stated
from .answer.followup import resolve_topic
from .answer.guard import clean_question, is_injection, looks_english, unknown_entities
from .answer.history import clean_history
from .answer.kinds import CUE_TERMS, TYPED, answers_type, asks_for
from .answer.question import (
    ENGLISH_ASKED,
    OTHER_REGIONS,
    Analysis,
    about_the_guide,
    amount_of_stated,
    asked_noun,
    asked_part,
    asks_nothing,
    set_aside,
    topic_terms,
    without_the_guide,
)
from .answer.status import asks_status, only_planned
from .citations import number_sources
from .identity import GuideIdentity, guide_identity
from .schema import Answer, Chunk, Hit
from .search.acronyms import expand
from .search.analysis import analyze, fold
from .search.embed import Embedder, load_embedder
from .search.index import Index, chunk_index_text, open_index
from .search.retrieve import Retrieval, Retriever
from .search.spelling import Speller
from .search.synonyms import Synonyms
from .settings import Settings
from .text import citation_pieces, last_end_mark
from .wording import (
    ENGLISH_PREFACE,
    abstention,
    acronym_meaning,
    fallback_note,
    guide_meta,
    helpful_refusal,
)

if TYPE_CHECKING:
    from .answer.extractive import Candidate
    from .answer.llm import LLMAnswerer

ANSWERER = "extractive"
NEARBY_COVERAGE = 0.34  # idf-weighted share of the question's terms a "nearby" sentence needs
TYPED_TOPIC_SHARE = 0.6  # of the question's topic terms, in the passage that states the number


@dataclass(frozen=True)
class _Turn:
    """What the stages before the answer found for one message."""

    text: str  # the question as typed, cleaned
    lang: str
    query: str  # standalone form, used for retrieval
    retrieval: Retrieval
    candidates: list[Candidate]  # the sentences chosen for the answer
    timings: dict[str, float]
    started: float
    answer_started: float
    analysis: Analysis
    signals: dict[str, float]


# Share of a question's focus (idf-weighted) the guide uses, from which a refusal points to
# the guide's contacts rather than listing what the guide covers (« règles comptables d'un
# PTCE ? » vs « la recette de la carbonade ? »).
def _asking(core: str) -> str:
    """The part of a question that asks: its sentences with « ? », or what follows its last
    colon (« On veut monter un pôle… : quelle forme juridique… ? »)."""
    part = asked_part(core)
    head, colon, tail = part.rpartition(":")
    return tail.strip() if colon and "?" in tail and len(tail) > 20 else part


ON_TOPIC = 0.5
LONG_SLACK = 0.02  # card minimum lowered by this much for a long message (`_long`)
ENGLISH_SLACK = 0.04  # and for a question in English (dev: 0.02 and 0.04 change no French one)
LONG_WORDS = 45  # words from which a message is long


def _with_intros(lines) -> list[str]:
    """The card's French lines, a list's items each with the line that introduces them
    (« Deux projets sont à l'étude : » goes with « - une Maison des Artistes… »)."""
    out, intro = [], ""
    for line in lines:
        out.append(f"{intro} {line.fr}" if line.bullet else line.fr)
        intro = intro if line.bullet else line.fr
    return out


def _long(core: str) -> bool:
    return len(core.split()) >= LONG_WORDS


# « qui a rendu l'AMI permanent ? », « par qui ? », « who renewed it? »: someone who did
# something (not « qui peut déposer un dossier ? », who may)
WHO = re.compile(
    r"(?:^|[.?!]\s*)(?:et\s+)?qui\s+(?!peut|peuvent|doit|doivent|est\s+concern|est-ce\s+qui\s+(?:peut|peuvent|doit|doivent))|\bpar qui\b|"
    r"\bc['’]est qui\b(?!\s+(?:qui\s+)?(?:peut|peuvent|doit|doivent))|"
    r"\bqui est-ce\b(?!\s+qui\s+(?:peut|peuvent|doit|doivent))|\bwho (?:is|was) (?:he|she)\b|"
    r"^\W*who\s+(?!can|may|is eligible)|\bby whom\b|\bquel(?:le)? (?:[ée]lue?|ministre|personne)\b",
    re.I,
)
# Helped, funded or carried by whom: an organisation (« l'agglo s'est fait aider par qui ? »
# is the RTES and the Labo de l'ESS, not the élu quoted)
_HELPED_BY = re.compile(
    r"\b(?:aid|accompagn|appuy|soutenu|financ|subventionn|port|conseill|épaul|epaul)\w*"
    r"\s+par qui\b|"
    r"\bqui (?:l['’]|les? |la )?(?:a|ont|avait|avaient) (?:aid|accompagn|appuy|soutenu|financ|"
    r"subventionn|conseill|épaul|epaul)\w*",
    re.I,
)
# The user's own region: another one when their introduction says so (« Je travaille pour la
# Région Grand Est. Notre région a-t-elle… »); the guide speaks of Hauts-de-France.
# (« chez nous », « de notre côté », « here »: where the user is, when their introduction names
# another region)
_OUR_REGION = re.compile(
    r"\b(?:(?:notre|nos|our)\s+r[ée]gions?|chez nous|de notre c[ôo]t[ée]|ici|over here|here)\b",
    re.I,
)
_SUBJECT = re.compile(r"\b(?:ptces?|ess|p[ôo]les? territoria\w*|[ée]conomie sociale)\b", re.I)


@dataclass
class Pipeline:
    settings: Settings
    embedder: Embedder
    index: Index
    retriever: Retriever
    cards: CardIndex | None = None
    llm: LLMAnswerer | None = None  # set when settings.llm names a backend
    # The guide's "plus d'informations" addresses and the chunk that gives them.
    contacts: list[tuple[Chunk, str]] = field(default_factory=list)
    answerability: AnswerabilityModel | None = None
    known_terms: frozenset[str] = frozenset()  # stems the guide and the cards use
    paraphrases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # cards/paraphrases.yaml
    synonyms: Synonyms = field(default_factory=Synonyms)  # cards/synonyms.yaml
    speller: Speller | None = None  # mends misspelt French words before a question is read

    @classmethod
    def load(
        cls, settings: Settings, *, embedder: Embedder | None = None, progress: bool = True
    ) -> Pipeline:
        embedder = embedder or load_embedder(settings, progress=progress)
        index = open_index(
            settings, embedder, build_if_needed=settings.auto_build, progress=progress
        )
        llm = None
        if settings.llm:
            from .answer.llm import load_answerer

            llm = load_answerer(settings)
        cards = CardIndex.load(
            indexed_cards(load_cards(settings.cards_dir), index.chunks)
            if settings.use_cards
            else [],
            embedder,
            settings.index_dir,
            index.manifest.get("embedding_model", ""),
            tuple(chunk.text for chunk in index.chunks),
        )
        retriever = Retriever(index, embedder, settings)
        model = AnswerabilityModel.load(
            settings.index_dir / ANSWERABILITY_FILE, index.manifest.get("embedding_model", "")
        )
        known = frozenset(retriever.idf).union(*cards.terms)
        contacts = find_contacts(index.chunks)
        paraphrases = load_paraphrases(settings.cards_dir)
        synonyms = Synonyms.load(settings.cards_dir) if settings.use_cards else Synonyms()
        speller = Speller(retriever.vocabulary.union(synonyms.words, *cards.words))
        return cls(
            settings, embedder, index, retriever, cards, llm, contacts, model, known, paraphrases,
            synonyms, speller,
        )  # fmt: skip

    def ask(
        self, question: object, history: list[dict[str, str]] | None = None, *, mode: str = "hybrid"
    ) -> Answer:
        """Answer one message. Raises UserError for input that is not a usable question."""
        if self.llm is not None:
            *_, answer = self._stream(question, history, mode, incremental=False)
            return answer
        turn = self._prepare(question, history, mode)
        return turn if isinstance(turn, Answer) else self._extractive(turn)

    def stream(
        self, question: object, history: list[dict[str, str]] | None = None, *, mode: str = "hybrid"
    ) -> Iterator[str | Answer]:
        """Text deltas of the answer as it is written, then the final `Answer`, whose text is
        the deltas joined. With an LLM, a delta is one or more sentences that passed the
        verifier; closing the generator stops the model. Raises UserError (at the first
        step) for input that is not a usable question."""
        return self._stream(question, history, mode, incremental=True)

    def _stream(
        self, question: object, history: object, mode: str, *, incremental: bool
    ) -> Iterator[str | Answer]:
        failures: list[str] = []
        turn = self._prepare(question, history, mode, failures)
        if isinstance(turn, Answer):  # a card's answer streams like an extractive one
            yield from [turn.answer] if turn.abstained else citation_pieces(turn.answer)
            yield turn
        elif self.llm is None or failures:
            answer = self._extractive(turn)
            if failures:
                answer = self._with_note(answer, failures[0], turn.lang, ())
            yield from citation_pieces(answer.answer)
            yield answer
        else:
            yield from self._llm_answer(turn, incremental)

    def _prepare(
        self, question: object, history: object, mode: str, failures: list[str] | None = None
    ) -> Answer | _Turn:
        """Clean, guard, resolve, retrieve, match cards and score; an `Answer` when the turn
        ends there (injection, a name the guide never mentions, a card that answers, a
        question the guide does not answer: no LLM call in any of those)."""
        s = self.settings
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        text = clean_question(question, max_chars=s.max_question_chars)
        history = clean_history(history, s.max_history_turns)
        lang = "en" if looks_english(text) or ENGLISH_ASKED.search(text) else "fr"
        meta = {"model": ANSWERER, "index_version": self.index.version}
        if is_injection(text):
            timings["total"] = _ms(t0)
            message = abstention("injection", lang, [], guide=self.guide)
            return Answer(message, True, (), timings, text, "injection", **meta)

        if lang == "fr" and self.speller is not None:  # « comant un departemnt peu financé… »
            text = self.speller.mend(text)
            history = [
                {**t, "content": self.speller.mend(t["content"])}
                if t["role"] == "user" and not looks_english(t["content"])
                else t
                for t in history
            ]
        topic = resolve_topic(
            text, history, self.cards.names if self.cards is not None else frozenset()
        )
        # the users' words for the guide's words (« la campagne » -> « rural »)
        counted = topic.analysis.counted  # « how many projects » counts « projets »
        if counted:
            counted = next(iter(self.synonyms.focus((counted,))), counted)
        analysis = replace(
            topic.analysis,
            focus=self.synonyms.focus(topic.analysis.focus, self._known),
            asked=self.synonyms.focus(topic.analysis.asked, self._known),
            counted=counted,
        )
        topic = replace(topic, asked=self.synonyms.focus(topic.asked, self._known))
        if not history and asks_nothing(analysis):  # « Peux-tu m'aider ? », « merci »
            timings["total"] = _ms(t0)
            message = abstention("no_question", lang, [], guide=self.guide)
            return Answer(message, True, (), timings, text, "no_question", **meta)
        unknown = unknown_entities(  # names in what the user tells of their situation do not count
            without_context(asked_part(analysis.core), analysis.wants),
            self._vocabulary,
            names=lang == "fr",
        )
        unknown += [m.group(0) for m in OTHER_REGIONS.finditer(analysis.core)]
        if _OUR_REGION.search(analysis.core):  # « Je suis à la Région Grand Est. Notre région… »
            unknown += [m.group(0) for m in OTHER_REGIONS.finditer(analysis.context)]
        unknown = list(dict.fromkeys(unknown))
        if unknown:
            timings["total"] = _ms(t0)
            message = abstention("unknown_entity", lang, [], unknown, guide=self.guide)
            return Answer(message, True, (), timings, text, "unknown_entity", **meta)

        if about_the_guide(analysis.core) and self.index.chunks:
            guide = self.guide.doc_id or self.index.chunks[0].doc_id
            first = min(self.index.chunks, key=lambda c: (c.doc_id != guide, c.start))
            numbers, sources = number_sources([Hit(first, 1.0)], [first.title])
            said = guide_meta(lang, first.title, first.publisher, first.date, f"[{numbers[0]}]")
            timings["total"] = _ms(t0)
            return Answer(said, False, sources, timings, text, "", **meta, method="extractive")

        acronyms = meanings_asked(analysis.core, analysis.text)  # « que veut dire ESS ? »
        spelled = [spelled_form(a, self.index.chunks) for a in acronyms]
        if len(acronyms) == 1 and spelled[0] is not None:
            acronym, (chunk, words) = acronyms[0], spelled[0]
            numbers, sources = number_sources([Hit(chunk, 1.0)], [words])
            said = acronym_meaning(lang, acronym, words, f"[{numbers[0]}]")
            timings["total"] = _ms(t0)
            return Answer(said, False, sources, timings, text, "", **meta, method="extractive")

        # What is searched with: not what the question sets aside (« à part ACTE, la région a
        # d'autres leviers ? ») unless nothing would be left, nor the guide named as the
        # source (« le guide en donne-t-il la liste ? »)
        searched = set_aside(topic.query)
        searched = searched if analyze(searched) else topic.query
        query = self.synonyms.query(without_the_guide(searched, analysis.core))
        if self.llm is not None and failures is not None:
            query = self._rewrite(text, history, failures) or query
        timings["resolve"] = _ms(t0)
        t = time.perf_counter()
        retrieval = self.retriever.search(query, s.top_k, mode=mode)
        timings["retrieve"] = _ms(t)
        t = time.perf_counter()
        candidates = extractive.score_candidates(
            self.retriever.sentences(retrieval), self.retriever.idf, analysis.core, query, analysis
        )
        if acronyms and not any(spelled):
            # « COORACE ça veut dire quoi ? »: the guide names it, never spells it out
            timings["answer"] = _ms(t)
            timings["total"] = _ms(t0)
            unspelled = replace(analysis, wants="spelled" if len(acronyms) == 1 else "spelled_many")
            message, sources = self._refusal(lang, unspelled, candidates)
            return Answer(message, True, sources, timings, query, "wrong_type", **meta)
        matches, card = [], None
        if s.use_cards and mode == "hybrid":
            vector = retrieval.query_vector
            part = _asking(analysis.core)
            if part != analysis.core:  # « On a une vieille école… Il y a un précédent ? »
                part = without_the_guide(with_antecedent(analysis.core, part), analysis.core)
                asked = self.embedder.embed_queries([expand(self.synonyms.query(part))])[0]
                vector = (vector + asked) / 2
            matches = self.cards.match(vector, analysis)
            # a long message sits further from a card's short phrasings than a short question
            minimum = s.min_card_score - (LONG_SLACK if _long(analysis.core) else 0.0)
            # an English question sits further from cards phrased mostly in French
            minimum -= ENGLISH_SLACK if lang == "en" else 0.0
            card = choose_card(matches, analysis, topic, minimum, self.cards)
            if card is None and part != analysis.core:
                # the situation told first may blur the question: the asking part alone
                # (with the sentence it points at, when it points back)
                alone = self.cards.match(asked, analysis)
                card = choose_card(alone, analysis, topic, minimum, self.cards)
                matches = alone if card is not None else matches
        chosen = extractive.select(candidates, s.max_sentences, wants=analysis.wants)
        signals = self._signals(analysis, candidates, chosen, matches, card, retrieval)
        answers = self._answers(signals, calibrated=bool(matches), carded=card is not None)
        if card is None and self.cards is not None and matches:
            # « l'Ecopôle d'Audruicq est-il une SCIC ? »: passages that never name it do not say
            named = names_asked(analysis, self.cards)
            answers = answers and named <= _folded_words(" ".join(c.text for c in chosen))
        if answers and card is None and matches:
            # the guide answers, the passages say so; a card as close in meaning that uses too
            # few of the question's words was held back — it answers better than passages
            card = choose_card(matches, analysis, topic, minimum, self.cards, words=False)
        if answers and asks_status(analysis.core):
            # « la Maison des Artistes a ouvert quand finalement ? »: the guide only shows it
            # as planned — it cannot say what became of it
            said = _with_intros(card.lines) if card else [c.text for c in chosen]
            if only_planned(said, set(analysis.asked or analysis.focus), self._weight):
                answers, analysis = False, replace(analysis, wants="status")
        if not answers or about_own_authority(analysis.core):  # « notre Département a-t-il… »
            timings["answer"] = _ms(t)
            timings["total"] = _ms(t0)
            message, sources = self._refusal(lang, analysis, candidates)
            typed_only = signals["asked_known"] and not signals["typed"]
            reason = "wrong_type" if typed_only else "low_support"
            return Answer(message, True, sources, timings, query, reason, **meta, signals=signals)
        if card is not None:
            try:
                text_out, sources = compose_card(
                    card, lang, self.index.chunks, wants=analysis.wants,
                    counted=analysis.counted, weight=self._weight,
                    # a follow-up's own words say which part of the card it wants now
                    focus=self._lead_focus(card, topic.asked or analysis.asked)
                    or analysis.focus,
                    asked=asked_noun(analysis.core),
                    who=bool(WHO.search(asked_part(analysis.core)))
                    and not _HELPED_BY.search(asked_part(analysis.core)),
                )  # fmt: skip
            except QuoteNotIndexed:  # cannot happen with cards checked at load; decline safely
                message, sources = self._refusal(lang, analysis, candidates)
                return Answer(message, True, sources, timings, query, "low_support", **meta)
        if card is not None:
            timings["answer"] = _ms(t)
            timings["total"] = _ms(t0)
            meta["model"] = "card"
            return Answer(
                text_out, False, sources, timings, query, "", **meta,
                method="card", card=card.id, signals=signals,
            )  # fmt: skip
        return _Turn(text, lang, query, retrieval, chosen, timings, t0, t, analysis, signals)

    def _signals(
        self,
        analysis: Analysis,
        candidates: list[extractive.Candidate],
        chosen: list[extractive.Candidate],
        matches: list[CardMatch],
        card: Card | None,
        retrieval: Retrieval,
    ) -> dict[str, float]:
        """What the answerability model reads (see `answerability.FEATURES`)."""
        if card is not None:
            said = " ".join([card.topic, card.text("fr"), *card.phrasings])
            if looks_english(analysis.core):  # its English answer uses the question's words
                said = f"{said} {card.text('en')}"
            typed = answers_type(
                analysis.wants, f"{card.topic}\n{card.text('fr')}", analysis.counted
            )
        else:
            said = " ".join(c.text for c in chosen)
            typed = answers_type(analysis.wants, said, analysis.counted) and self._typed_on_topic(
                analysis, chosen
            )
        stated = f"{card.topic}\n{card.text('fr')}" if card is not None else said  # no phrasings
        # (« quel montant, et quand est la prochaine relève ? » asks a date to come as well)
        when = analysis.wants == "date" or asks_for("date", asked_part(analysis.core))
        published = self.guide.date if when else ""
        typed = typed and years_stated(analysis.core, stated, published)
        typed = typed and figure_of_year(analysis, stated)  # « combien de lauréats en 2016 ? »
        typed = typed and details_stated(analysis.core, stated)  # « quelles dépenses… ? »
        typed = typed and places_stated(analysis, stated)  # « combien de PTCE dans l'Oise ? »
        typed = typed and amount_of_stated(analysis.wants, analysis.core, stated)  # « l'enveloppe »
        # « sur quels critères… »: what is asked for is a word the guide never uses
        english = looks_english(analysis.core)  # its words are not the guide's French ones
        asked = asked_noun(analysis.core) if analysis.wants not in TYPED and not english else ""
        asked_known = (
            not asked
            or self._known(asked)
            # « de quel coin ? »: a user's word for one of the guide's (« territoire »)
            or any(t != asked and self._known(t) for t in self.synonyms.focus((asked,)))
            # (« quelle journée d'échanges ? »: a word of a phrase users say for the guide's)
            or any(asked in user for user, _ in self.synonyms.found(analyze(analysis.core)))
        )
        focus = set(analysis.focus)
        have = set(analyze(expand(said)))
        best = matches[0] if matches else None
        dense_top = max(retrieval.hits, key=lambda h: h.dense or -1.0, default=None)
        lexical_top = max(retrieval.hits, key=lambda h: h.lexical or -1.0, default=None)
        return {
            "support": extractive.support(candidates) if candidates else 0.0,
            "focus_in_answer": self._weighted_share(focus, have.__contains__),
            "focus_known": self._weighted_share(focus - CUE_TERMS or focus, self._known),
            "key_in_answer": float(self._key_in(focus - CUE_TERMS or focus, have)),
            "card_dense": best.dense if best else 0.0,
            # (a long message's situation dilutes its words: the sentences that ask may not)
            "card_lexical": max(
                best.lexical, self.cards.share(best.card, analysis.asked) if analysis.asked else 0.0
            )
            if best
            else 0.0,
            "typed": float(typed and asked_known),
            "asked_known": float(asked_known),
            "agreement": float(
                dense_top is not None and lexical_top is not None and dense_top is lexical_top
            ),
        }

    def _weight(self, term: str) -> float:
        """A term's idf in the guide's sentences; a word the guide never uses weighs most."""
        return self.retriever.idf.get(term, self._top_idf)

    @cached_property
    def _vocabulary(self) -> frozenset[str]:
        """The corpus's words and the users' words the synonyms give for them (« SSE »)."""
        return self.retriever.vocabulary | self.synonyms.words

    @cached_property
    def _top_idf(self) -> float:
        return max(self.retriever.idf.values(), default=1.0)

    def _weighted_share(self, terms: set[str], present) -> float:
        """idf-weighted share of `terms` for which `present(term)` holds (1.0 for none):
        a rare word of the question weighs more than a common one."""
        weights = {t: self._weight(t) for t in terms}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if present(t)) / total if total else 1.0

    def _key_in(self, terms: set[str], have: set[str]) -> bool:
        """Is the question's rarest term (a word the guide never uses counts as the rarest)
        in the answer, or a misspelling of one of its words? « les critères de sélection de
        l'AMI » is not answered by a passage on the AMI that never says « critères »."""
        if not terms:
            return True
        rarest = max(map(self._weight, terms))
        keys = [t for t in terms if self._weight(t) >= rarest - 1e-9]
        pool = sorted(have)
        return any(
            k in have or (len(k) >= 5 and difflib.get_close_matches(k, pool, n=1, cutoff=0.85))
            for k in keys
        )

    def _lead_focus(self, card: Card, asked: tuple[str, ...]) -> tuple[str, ...]:
        """What the sentence that asks is about, in the guide's words, when a line of the
        card uses it (« où je peux la lire ? » uses none: the topic carried over decides)."""
        asked = self.synonyms.focus(asked, self._known)
        return asked if any(line_terms(line) & set(asked) for line in card.lines) else ()

    def _known(self, term: str) -> bool:
        """A term the guide or the cards use, or a misspelling of one (« montnat »)."""
        if term in self.known_terms:
            return True
        return len(term) >= 6 and bool(
            difflib.get_close_matches(term, self._known_list, n=1, cutoff=0.85)
        )

    @cached_property
    def _known_list(self) -> list[str]:
        return sorted(self.known_terms)

    def _typed_on_topic(self, analysis: Analysis, chosen: list[extractive.Candidate]) -> bool:
        """An amount, a date… answers only when its passage is about the question's topic:
        « le montant de l'AMI de la Somme » is not answered by the State AMI's 100 000 euros."""
        if analysis.wants not in TYPED:
            return True
        topic = topic_terms(analysis.core)
        if looks_english(analysis.core) or not topic:
            # English words: the guide's words for them; « et le montant ? »: the topic
            # carried from the question before
            topic = frozenset(t for t in analysis.focus if t in self.known_terms) - CUE_TERMS
        if not topic:
            return True
        # and the rarest of them the guide uses must be near the figure: « Somme » for
        # « combien de temps dure l'AMI de la Somme ? », not the State AMI's two years
        known = [t for t in topic if t in self.known_terms]
        rarest = max(map(self._weight, known), default=0.0)
        keys = {t for t in known if self._weight(t) >= rarest - 1e-9}  # ties: any of them
        for c in chosen:
            if answers_type(analysis.wants, c.text):
                have = set(analyze(expand(chunk_index_text(c.chunk))))
                if len(topic & have) / len(topic) < TYPED_TOPIC_SHARE:
                    continue
                if not keys or keys & set(analyze(expand(self._lead_up(c.row)))):
                    return True
        return False

    def _lead_up(self, row: int, before: int = 2) -> str:
        """The text of sentence `row` and of up to `before` sentences before it in its chunk."""
        sentences = self.index.sentences
        chunk = sentences[row].chunk
        first = row
        while first > 0 and row - first < before and sentences[first - 1].chunk == chunk:
            first -= 1
        text = self.index.chunks[chunk].text
        return text[sentences[first].start : sentences[row].end]

    def _answers(
        self, signals: dict[str, float], *, calibrated: bool = True, carded: bool = False
    ) -> bool:
        """The calibrated decision (`answerability`, fitted with cards matched), or, with no
        fitted model or no cards (the baselines), a card that passed its gates or the support
        threshold; an answer of the wrong type (a year for an amount) never answers."""
        if not signals["typed"]:
            return False
        if self.answerability is not None and calibrated:
            return self.answerability.answers(signals)
        return carded or signals["support"] >= self.settings.min_support

    def _refusal(
        self, lang: str, analysis: Analysis, candidates: list[extractive.Candidate]
    ) -> tuple[str, tuple]:
        """The guide does not say; the nearest sentence it does say; where to ask. Cited."""
        cited, quotes = [], []
        addresses = [address for _, address in self.contacts]
        # The sentence most about the question's topic that does not state the kind of
        # answer asked for (the State AMI's amount is not "nearby" the Somme AMI's amount).
        nearby = next(
            (
                c
                for c in candidates[:8]
                if 30 <= len(c.text) <= 260
                and c.coverage >= NEARBY_COVERAGE  # about the question, not one shared word
                and not extractive.dangling(c.text)
                and not any(a in c.text for a in addresses)
                and not (analysis.wants in TYPED and answers_type(analysis.wants, c.text))
            ),
            None,
        )
        on_topic = (
            bool(_SUBJECT.search(analysis.core))
            or self._weighted_share(set(analysis.focus), self._known) >= ON_TOPIC
        )
        if nearby is None and analysis.wants not in TYPED and not on_topic:
            return abstention("low_support", lang, [], guide=self.guide), ()  # what it covers
        if nearby is not None:
            cited.append(Hit(nearby.chunk, nearby.score))
            quotes.append(extractive.clean_sentence(nearby.text))
        for chunk, address in self.contacts:
            cited.append(Hit(chunk, 0.0))
            quotes.append(address)
        numbers, sources = number_sources(cited, quotes)
        near = (quotes[0], f"[{numbers[0]}]") if nearby is not None else None
        ask = None
        if self.contacts:
            marks = "".join(
                f"[{n}]" for n in dict.fromkeys(numbers[len(numbers) - len(addresses) :])
            )
            ask = (", ".join(addresses), marks)
        return helpful_refusal(lang, analysis.wants, near, ask), sources

    def _extractive(self, turn: _Turn) -> Answer:
        chosen = turn.candidates
        body, sources = extractive.compose(chosen, turn.retrieval)
        if turn.lang == "en":  # no English card: say the passages are the guide's French
            body = f"{ENGLISH_PREFACE}\n\n{body}"
        timings = turn.timings
        timings["answer"] = _ms(turn.answer_started)
        timings["total"] = _ms(turn.started)
        meta = {"model": ANSWERER, "index_version": self.index.version}
        return Answer(
            body, False, sources, timings, turn.query, "", **meta,
            method="extractive", signals=turn.signals,
        )  # fmt: skip

    def _rewrite(self, text: str, history: list[dict[str, str]], failures: list[str]) -> str:
        """The LLM's standalone question for a turn with history ("" to keep `resolve`'s)."""
        if not any(t["role"] == "user" for t in history):
            return ""
        from .answer.llm import LLMError

        try:
            return self.llm.rewrite(text, history) or ""
        except LLMError as exc:
            failures.append(exc.kind)  # the model is failing: do not wait for it twice
            return ""

    def _llm_answer(self, turn: _Turn, incremental: bool) -> Iterator[str | Answer]:
        """The LLM's answer, verified sentence by sentence as it streams; the extractive
        answer with a note when the model fails or nothing it says is supported."""
        from .answer.llm import LLMError
        from .answer.verify import verify
        from .citations import to_source

        sources = tuple(to_source(i + 1, h) for i, h in enumerate(turn.retrieval.hits))
        timings, lang = turn.timings, turn.lang
        raw, shown, error = "", "", ""
        mark = -1  # where the last sentence end not yet verified is in `raw`
        t = time.perf_counter()
        checks = {"question": turn.text, "paraphrases": self.paraphrases}
        deltas = self.llm.stream(turn.query, sources, self.guide)
        try:
            for delta in deltas:
                timings.setdefault("first_token", _ms(t))
                end = last_end_mark(delta)  # a delta that may complete a sentence
                mark = len(raw) + end if end >= 0 else mark
                raw += delta
                # A sentence is known to be over once the next one starts (or its line ends).
                if incremental and mark >= 0 and (raw[mark:].strip() or raw[mark - 1] == "\n"):
                    mark = -1
                    partial = verify(raw, sources, lang=lang, final=False, **checks).text
                    if len(partial) > len(shown) and partial.startswith(shown):
                        yield partial[len(shown) :]
                        shown = partial
        except LLMError as exc:
            error = exc.kind
        finally:
            deltas.close()
        timings["llm"] = _ms(t)
        checked = verify(raw, sources, lang=lang, final=not error, **checks)
        if not error and not checked.ok:
            error = "malformed" if not re.search(r"\w{2}", raw) else "unsupported"
        timings["answer"] = _ms(turn.answer_started)
        if checked.ok:
            text = checked.text
            notes = checked.notes
            if error:  # cut short: keep what was verified, say so
                note = fallback_note(error, lang, interrupted=True)
                text, notes = f"{text}\n\n{note}", (note, *notes)
            if text.startswith(shown) and len(text) > len(shown):
                yield text[len(shown) :]
            timings["total"] = _ms(turn.started)
            meta = {"model": self.llm.name, "index_version": self.index.version}
            yield Answer(
                text, False, checked.sources, timings, turn.query, "", **meta,
                notes=notes, method="llm", signals=turn.signals,
            )  # fmt: skip
            return
        answer = self._with_note(self._extractive(turn), error, lang, checked.notes)
        yield from citation_pieces(answer.answer)
        yield answer

    @staticmethod
    def _with_note(answer: Answer, why: str, lang: str, notes: tuple[str, ...]) -> Answer:
        """The extractive answer with a visible note saying why the LLM's was not used."""
        note = fallback_note(why, lang)
        return replace(answer, answer=f"{answer.answer}\n\n{note}", notes=(note, *notes))

    @cached_property
    def guide(self) -> GuideIdentity:
        """The guide the answers come from, as its front matter names it (`identity`)."""
        return guide_identity(self.index)


def _folded_words(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in re.findall(r"[^\W\d_]+", text))


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
