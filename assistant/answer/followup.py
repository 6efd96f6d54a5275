"""Follow-up resolution without an LLM: "et son montant ?" after a question about ACTE
becomes a standalone retrieval query that carries the earlier question's topic.

`resolve(question, history)` is pure. A message counts as a follow-up when there is an
earlier user turn and the message is short, opens with a connective ("et", "and", "what
about"…) or leans on a pronoun or demonstrative ("son", "ce dispositif", "it"…) without
naming a topic of its own. The resolved query is the earlier (resolved) user question, then
the new one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..citations import CITATION
from ..search.acronyms import typed_acronyms
from ..search.analysis import analyze, fold
from ..text import sentences
from ..wording import declines
from .kinds import TYPED, wants_of
from .question import ACKNOWLEDGED, ACTORS, HOME_PLACES, Analysis, analyse

_CONNECTIVE = re.compile(
    r"^\s*(et|and|mais|but|aussi|also|ou|or|what about|how about|quid|et pour|et si|et en|"
    r"et le|et la|et les|et son|et sa|et ses|et leur|et combien|et quand|et qui|et comment)\b",
    re.IGNORECASE,
)
_ANAPHORA = re.compile(
    r"\b(son|sa|ses|leur|leurs|il|elle|ils|elles|celui|celle|ceux|celles|celui-ci|celle-ci|"
    r"ce dispositif|cet ami|cette aide|ce projet|ce pôle|ce ptce|cette subvention|ce programme|"
    r"en|y|lui|its|it|their|they|this|that|these|those|them|lequel|laquelle|lesquels|lesquelles|"
    r"ça|cela|ceci|ce dernier|cette dernière|which one|which ones)\b"
    r"|\bc['’](?:était|étaient)\b"  # « c'était quel montant par projet ? »: what was said
    # « c'est porté par quelle structure ? », « c'est financé par qui ? »: what was said
    r"|\bc['’]est\s+(?:\w+[ée]e?s?)\s+par\b"
    r"|\b(?:l[àa][- ])?dedans\b"  # « pourquoi l'agglo s'est lancée là-dedans ? »
    r"|\bdu coup\b"  # « sous quelle forme du coup ? »
    r"|\bqu['’]est[- ]ce qui a été\b"  # « qu'est-ce qui a été financé concrètement ? »
    # an object pronoun before a verb: « où je peux la lire ? », « comment les contacter ? »
    r"|\b(?:la|le|les|l['’])\s*(?=\w+(?:er|ir|re)\b)"
    # or after its subject: « c'est quelle asso qui le porte ? », « on la contacte où ? »
    r"|\b(?:qui|on|je|j['’]|nous|vous|ne|n['’])\s+(?:la|le|les|l['’])\s*"
    r"(?!(?:ptce|pôle|projet|dispositif|département|région)\b)(?=[a-zàâçéèêëîïôûùüÿœ])",
    re.IGNORECASE,
)
# « sur quel projet exactement ? », « pour quel montant ? »: a short question that opens on a
# preposition asks about something already said
_ON_WHICH = re.compile(
    r"^\s*(?:sur|pour|avec|dans|par|de|à|en|on|for|with|in)\s+"
    r"(?:quel|quelle|quels|quelles|qui|quoi|combien|which|what|whom)\b",
    re.I,
)
_WHICH_ONE = re.compile(
    r"^\s*(?:(?:ok|d['’]accord|et|mais|and)[\s,]+)*(lequel|laquelle|lesquels|lesquelles|which one|"
    r"which ones)\b",
    re.I,
)  # (« et lesquels touchent à l'alimentation ? »)
_MAX_FOLLOWUP_TERMS = 4


# Words that ask for more on the topic at hand without naming one: « un cas concret dans la
# région ? », « des détails ? », « an example? »
_MORE_OF_IT = frozenset(
    analyze(
        "exemple exemples cas concret concrets concrète concrètes réel réels réelle réelles "
        "illustration précis précisément "
        "détail détails plus infos info information informations région hauts-de-france hdf "
        "chiffré chiffrés chiffre chiffres got amount amounts figure figures coin "
        "example examples instance concrete case cases detail details more region"
    )
)


def asks_which_one(question: str) -> bool:
    """« lequel travaille sur l'alimentation ? »: one of the things just listed."""
    return bool(_WHICH_ONE.match(question))


def is_followup(question: str) -> bool:
    question = ACKNOWLEDGED.sub("", question) or question
    terms = analyze(question)
    if _CONNECTIVE.match(question) or _WHICH_ONE.match(question):
        return True
    if terms and set(terms) <= _MORE_OF_IT:
        return True
    if len(terms) <= _MAX_FOLLOWUP_TERMS and (
        _ANAPHORA.search(question) or _ON_WHICH.match(question)
    ):
        return True
    # English says more words around its pronoun: « which authority launched the call that
    # got it started? »
    if len(terms) <= _MAX_ENGLISH_TERMS and _IT.search(question):
        return True
    # « les lauréats ont touché combien ? »: a figure asked of nothing named
    if (
        len(terms) <= _MAX_TYPED_TERMS
        and wants_of(question) in TYPED
        and not _NAMED.search(question)
        and not typed_acronyms(question) - {"PTCE"}  # « quel budget pour la cress ? » names it
    ):
        return True
    return len(terms) <= 1


_MAX_TYPED_TERMS = 3
_MAX_ENGLISH_TERMS = 6
_IT = re.compile(
    r"\b(?:it|its|they|them|their|this one|that one)\b(?!\s+(?:is|was)\s+(?:possible|true))",
    re.I,
)
# A name of its own: an acronym other than the subject's, or a capitalised word inside
_NAMED = re.compile(r"\b(?!PTCE)[A-Z]{2,}\b|(?<=\w )[A-ZÀ-Þ][a-zà-ÿ]+")


def _standalone(question: str, context: str) -> str:
    return f"{context} {question}" if context and is_followup(question) else question


def resolve(question: str, history: list[dict[str, str]] | None) -> str:
    """The standalone query to retrieve with (the question itself when it is not a follow-up).

    Earlier user turns are resolved in order first, so a chain of follow-ups keeps its topic.
    """
    context = ""
    for turn in history or []:
        content = str(turn.get("content", "")).strip() if isinstance(turn, dict) else ""
        if turn.get("role") == "user" and content:
            context = _standalone(content, context)
    return _standalone(question, context)


@dataclass(frozen=True)
class Topic:
    """The current question read against the conversation: what to retrieve with, and what
    the previous turn was about (its actor and focus carry over; its answer must not be
    given again)."""

    query: str  # standalone text for retrieval and card matching
    analysis: Analysis  # of the question, with the previous turn's actor and focus merged in
    followup: bool
    previous_answer: str = ""  # the last assistant message, citations and all
    earlier_answers: tuple[str, ...] = ()  # the assistant messages before that one
    asked: tuple[str, ...] = ()  # a follow-up's own focus terms (« quels projets à l'étude ? »)


# « le E de PTCE », « et le P alors ? » (after a question on the letters of PTCE): the word
# that letter stands for, as the guide spells it out
_LETTER = re.compile(r"\b(?i:le|la|the|letter|lettre)\s+[«\"'“]?\s*([PTCE])\s*[»\"'”]?(?![\w'’-])")
_LETTER_WORDS = (("P", "Pôle"), ("T", "Territorial"), ("C", "Coopération"), ("E", "Economique"))
_LETTER_TERMS = 6  # a question on a letter is short; a longer one asks more than that


def letter_word(question: str, context: str = "") -> str:
    """The word of PTCE a question asks about by its letter (« que veut dire le E de PTCE ? »,
    or « et le P ? » when `context` is about PTCE), or "" (« dans SCIC, que veut dire le
    C ? » is about another acronym)."""
    found = _LETTER.search(question)
    if (
        found is None
        or "ptce" not in fold(f"{question} {context}")
        or typed_acronyms(question) - {"PTCE"}
        or len(analyze(question)) > _LETTER_TERMS
    ):
        return ""
    return dict(_LETTER_WORDS)[found.group(1)]


def resolve_topic(
    question: str, history: list[dict[str, str]] | None, names: frozenset[str] = frozenset()
) -> Topic:
    """Like `resolve`, but by topic: the previous question's core (never its answer) is
    carried, the actor named now replaces the earlier one ("et pour une commune ?"), the
    kind of answer asked for is the current question's ("et le montant ?"). Of the previous
    answer, only the `names` (folded: « audruicq », « acte ») its opening states are carried,
    when the follow-up points back at it without naming a subject or an actor of its own."""
    current = analyse(question)
    turns = [t for t in history or [] if isinstance(t, dict)]
    asked = [str(t.get("content", "")) for t in turns if t.get("role") == "user"]
    answers = [str(t.get("content", "")) for t in turns if t.get("role") == "assistant"]
    word = letter_word(current.core, asked[-1] if asked else "")
    if word:  # a word of PTCE asked by its letter: that word, whatever was asked before
        spelled = f"le {word[0]} de PTCE, « {word} »"  # (« ok et le P alors ? »: no more)
        focus = tuple(analyze(word))
        # (quoted, as a card on that word quotes it in its title)
        current = replace(current, core=f"{current.core} (« {word} »)", focus=focus)
        return Topic(spelled, current, bool(asked), *_answers(answers), focus)
    if not asked or not is_followup(current.core):
        return Topic(current.core, current, False)
    previous = resolve_topic(asked[-1], _before_last_user(turns), names)
    before = previous.analysis
    now, then = _names(current.core), _names(previous.query)
    if now and then and not now & then:
        # « et le RTES, il sert à quoi ? » after the CRESS: a new subject, the same frame
        return Topic(current.core, current, True, *_answers(answers), current.focus)
    carried, focus = previous.query, before.focus
    # « on est éligibles en tant que CC ? » says who asks of the scheme asked about before,
    # not of whom (« et nous en tant que commune, on peut faire quoi ? » asks of communes)
    us = bool(_AS_US.search(current.core) and _ELIGIBLE.search(current.core))
    if current.actor and before.actor and current.actor != before.actor and not us:
        # « et pour une commune ? » after the intercommunalities: the earlier question is
        # now about the commune; the earlier actor's words are no longer its topic.
        named = ACTORS[current.actor].search(current.core)
        old = ACTORS[before.actor]
        dropped = set(analyze(" ".join(m.group(0) for m in old.finditer(carried))))
        carried = old.sub(named.group(0) if named else " ", carried)
        focus = tuple(t for t in focus if t not in dropped)
    merged = replace(
        current,
        actor=(before.actor if us else "") or current.actor or before.actor,
        focus=tuple(dict.fromkeys(current.focus + focus)),
    )
    if current.wants in ("count", "quantity") and not current.counted and before.counted:
        # « combien de projets en ont profité ? » then « et combien en Hauts-de-France ? »:
        # still projects
        merged = replace(merged, wants="count", counted=before.counted)
    told = ""
    if names and answers and not now and not current.actor and not asks_which_one(current.core):
        told = _told(answers[-1], f"{carried} {current.core}", names)
    if told:
        # « et elle en a fait quoi ? » after an answer opening on the Communauté de communes
        # de la Région d'Audruicq: what the answer was about, though the user never named it
        merged = replace(merged, focus=tuple(dict.fromkeys(merged.focus + tuple(analyze(told)))))
    if told and before.wants == "example" and _SUBJECT.search(current.core):
        # « y a un exemple ? », then « et elle en a fait quoi ? »: she is the example the
        # answer just named, not the question before
        carried = ""
    query = " ".join(p for p in (carried, told, current.core) if p)
    return Topic(query, merged, True, *_answers(answers), current.focus)


_SUBJECT = re.compile(r"\b(?:il|elle|ils|elles|they|it|he|she)\b", re.I)
_REGION = re.compile(r"\bHauts[- ]de[- ]France\b", re.I)  # the guide's region, said everywhere


def _told(answer: str, asked: str, names: frozenset[str]) -> str:
    """The names the first two sentences of `answer` state and the conversation's questions
    do not (« ACTE », « Audruicq »), as written, or ""."""
    if declines(answer):  # « Le guide ne donne pas ce montant. Il indique seulement… »
        return ""
    first = " ".join(sentences(answer.strip())[:2])
    first = _REGION.sub(" ", CITATION.sub(" ", first))
    known = _names(asked)
    out = []
    for m in _NAME.finditer(_PLACES.sub(" ", first)):
        word = m.group(0)
        if any(p.fullmatch(word) for p in ACTORS.values()):
            continue
        folded = fold(word)
        if folded not in names or folded in _NOT_NAMES or folded in known or word in out:
            continue
        out.append(word)
    return " ".join(out)


# The user saying what they are (« on est éligibles en tant que CC ? »): not a question about
# that kind of authority instead of the one asked about before
_AS_US = re.compile(
    r"\b(?:en tant que|on est|nous sommes|je suis|as an?|we are)\s+(?:une?\s+|la\s+|le\s+|l['’])?"
    r"(?:epci|interco\w*|communaut[ée]|agglo\w*|cc|ca|cu|commune|mairie|ville|d[ée]partement|"
    r"r[ée]gion|m[ée]tropole|municipality|council|county)\b",
    re.I,
)


_ELIGIBLE = re.compile(
    r"\b(?:[ée]ligibles?|eligible|(?:a-t-on|avons-nous|on a) droit|(?:peut-on|on peut|pouvons-nous) "
    r"(?:y )?(?:candidater|toucher|d[ée]poser|pr[ée]tendre|b[ée]n[ée]ficier)|can we apply)\b",
    re.I,
)


# A place asked about (« et en Hauts-de-France ? », « à Amiens ? »), not a name of the guide's
# (« l'AMI de la Somme », « le PTCE d'Amiens »)
_PLACES = re.compile(
    r"\b(?:en|à|a|dans|in|au|aux)\s+(?:le |la |les |l['’])?(?:"
    + "|".join(re.escape(p) for p in sorted(HOME_PLACES, key=len, reverse=True))
    + r")\b",
    re.I,
)


# What a message is about by name: an acronym (RTES, ACTE) or a capitalised word inside it.
_NAME = re.compile(r"\b[A-ZÀ-ÖØ-Þ]{3,}\b|(?:(?<=[\w,] )|(?<=['’]))[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’-]{2,}\b")


def _names(text: str) -> frozenset[str]:
    """Names in `text`, less the guide's subject and the actors (« la Région » switches the
    actor, not the subject: `resolve_topic` handles it)."""
    text = _PLACES.sub(" ", text)  # « et en Hauts-de-France ? »: the same question, of a place
    found = (m.group(0) for m in _NAME.finditer(text))
    names = {fold(n) for n in found if not any(p.fullmatch(n) for p in ACTORS.values())}
    return frozenset(names - _NOT_NAMES)


_NOT_NAMES = frozenset({"ptce", "ess"})  # the guide's subject, in every question


def _answers(answers: list[str]) -> tuple[str, tuple[str, ...]]:
    """(the last assistant message, the ones before it)."""
    return (answers[-1], tuple(answers[:-1])) if answers else ("", ())


def _before_last_user(turns: list[dict]) -> list[dict]:
    last = max(i for i, t in enumerate(turns) if t.get("role") == "user")
    return turns[:last]
