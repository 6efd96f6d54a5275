"""Decisions between retrieval and the answer: which card answers (if any), what in a
question is the user's own context, and where the guide says to ask for more.

Pure functions on the matches, the analysis and the index's chunks.
"""

from __future__ import annotations

import re

from ..schema import Chunk
from ..search.analysis import analyze, fold
from ..search.spelling import french_word
from ..text import markdown_to_plain, normalise_space
from .cardmatch import CardIndex, CardMatch
from .cards import Card, needed
from .compose import line_terms
from .details import details_stated
from .followup import Topic, asks_which_one
from .kinds import CUE_TERMS, TYPED, answers_type
from .question import (
    ACTORS,
    HOME_PLACES,
    POPULATION,
    SELF,
    Analysis,
    actor_of,
    asked_noun,
    asked_part,
    loose_sentences,
    set_aside,
    topic_terms,
    without_the_guide,
)

EXAMPLE_MARGIN = 0.02  # a general card this close to an example card is preferred
SWITCH_MARGIN = 0.05  # a card on the actor a follow-up switches to may be this much less close
ANTECEDENT_TERMS = 4  # a sentence that asks with this many topic words of its own needs none
TOPIC_SHARE = 0.6  # of the question's topic words, in a card chosen for the figure it states
TYPED_MARGIN = 0.07  # a card this close to the best one answers when only it states the figure
DENSE_ENOUGH = 0.95  # a message of several sentences this close to a phrasing: enough words
LEXICAL_RESCUE = 0.01  # a card this much less close that uses the question's words answers
MIN_LEXICAL = 0.2  # (chosen on the tune split) share of the question's focus terms a card must use (idf-weighted)
# A place named after a preposition: « dans l'Avesnois », « de Saint-Pol ».
_WHERE = re.compile(
    r"\b(?:dans|de|du|des|en|à|sur|près de)\s+(?:l['’]|la\s+|le\s+|les\s+)?"
    r"[A-ZÀ-ÖØ-Þ][\w'’-]*(?:[\s-][A-ZÀ-ÖØ-Þ][\w'’-]*)*"
)
_MORE_INFO = re.compile(r"(?<=plus d'informations sur )www\.[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.I)
_PLACE = re.compile(
    r"\b(?:" + "|".join(re.escape(p) for p in sorted(HOME_PLACES, key=len, reverse=True)) + r")\b",
    re.I,
)


# A name the user compares with, not what they ask about: « une chambre comme la CCI ».
_LIKE = re.compile(
    r"\b(?:comme|tel(?:le)?s? que|à la mani[èe]re d[eu']|such as|like)\s+(?:l['’]|la |le |les |un |une |the )?"
    r"[A-ZÀ-Þ][\w'’-]*"
)


def without_context(core: str, wants: str = "") -> str:
    """The question less what describes the user's situation: a town's population, the
    places of Hauts-de-France a user says they are in, the name of the local authority that
    asks what it can do (« la mairie de Fruges peut-elle… », « le Grand Reims peut-il… ») —
    unless the place is what is asked about (« combien de PTCE dans le Nord ? », « un
    exemple à Lens ? », « quelle subvention verse la commune de Perpignan ? »)."""
    core = _PERSON.sub(" ", POPULATION.sub(" ", core))  # « avec Mme Dupont, élue à Arras »
    core = _LIKE.sub(" ", core)  # « une chambre consulaire comme la CCI ? »: a comparison
    if SELF.search(core):  # « technicien dans une CC de l'Avesnois, … »: where the user is
        core = _WHERE.sub(" ", core)
    if wants in _ABOUT_PLACES:
        return core
    if _CAN.search(core) or SELF.search(core):  # what such an authority (ours) can do
        core = _AUTHORITY_NAME.sub(" ", core)
    return _PLACE.sub(" ", core)


_PERSON = re.compile(
    r"\b(?:Mmes?|Mlle|M\.|Mr\.?|Mrs\.?|Ms\.?|Madame|Monsieur|Dr\.?)\s+[A-ZÀ-ÖØ-Þ][\w'’-]*"
    r"(?:,\s*[^,?]*,)?"
)
_CAN = re.compile(
    r"\b(?:peu[tx]|peut-\w+|peuvent|pourr\w+|doi[st]|doivent|faut|comment|can|could|should|how)\b",
    re.I,
)
# What a place can be the point of: a count, a list, an example, someone to contact there.
_ABOUT_PLACES = frozenset(
    {"count", "list", "example", "person", "contact", "phone", "email", "postal"}
)
_NAME = r"[A-ZÀ-ÖØ-Þ][\w'’-]*(?:[\s-](?:(?:de|du|des|la|le|sur|en)[\s-])?[A-ZÀ-ÖØ-Þ][\w'’-]*)*"
# A local authority named: « la mairie de Fruges », « la CC du Pays de Lumbres », « le
# Grand Reims », « Dunkerque Grand Littoral », « Lille Métropole ».
_AUTHORITY_NAME = re.compile(  # the kind of authority in any case, its name capitalised
    r"\b(?i:mairie|ville|commune|communaut[ée] (?:de communes|d['’]agglom[ée]ration|urbaine)|"
    r"cc|ca|cu|agglo(?:m[ée]ration)?|m[ée]tropole|d[ée]partement|conseil d[ée]partemental|"
    r"pays|interco(?:mmunalit[ée])?|epci|pnr|parc naturel r[ée]gional)"
    rf"\s+(?i:de\s+(?:la\s+|l['’])?|du\s+|des\s+|d['’])?{_NAME}"
    rf"|\b(?i:le\s+|du\s+)?Grand[\s-]{_NAME}|{_NAME}\s+(?:M[ée]tropole|Agglo\w*|Grand Littoral)\b"
)


def years_stated(core: str, answer: str, published: str = "") -> bool:
    """Every year the question names is in the answer (« en 2023 » is not answered by 2021),
    and a question on what comes next (« la prochaine réunion ? ») is answered only by a year
    from `published` (the guide's date, "2025-03") on, not by a past one."""
    # a decade (« les années 2010 ») is stated by any year of it
    if not all(y in answer for y in re.findall(_YEAR, _DECADE.sub(" ", core))):
        return False
    if not all(re.search(rf"\b{d[:3]}\d\b", answer) for d in _DECADE.findall(core)):
        return False
    # (« je les rencontre la semaine prochaine. Il date de quand ? » asks no future date)
    if not (published[:4].isdigit() and _NEXT.search(asked_part(core))):
        return True
    # a date after the guide's own: « mars 2025 » is when it was written, not what comes next
    month = int(published[5:7]) if published[5:7].isdigit() else 12
    after = (int(published[:4]), month)
    for m in re.finditer(rf"(?:\b({'|'.join(_MONTHS)})\s+)?({_YEAR})", answer, re.I):
        said = (int(m.group(2)), _MONTHS.index(m.group(1).lower()) + 1 if m.group(1) else 0)
        if said > after if m.group(1) else said[0] > after[0]:
            return True
    return False


_MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


_YEAR = r"\b(?:19|20)\d{2}\b"
_DECADE = re.compile(r"(?<=\bann[ée]es )(?:19|20)\d0\b|\b(?:19|20)\d0(?=['’]?s\b)", re.I)
_NEXT = re.compile(
    r"\b(?:prochain\w*|[àa] venir|futur\w*|next|upcoming|forthcoming|future|will|"
    # a verb in the future tense (« ouvrira », « commenceront », « sera-t-il »), or about to
    r"[a-zéèêàâîôûç]+(?:era|eront|ira|iront)|(?:va|vont) (?:ouvrir|commencer|d[ée]marrer|"
    r"avoir lieu|[êe]tre)|ouvre quand|doi(?:t|vent)[- ](?:il|elle|ils|elles) (?:commencer|ouvrir)|"
    # « organisent-ils une nouvelle rencontre en 2025 ? »: one after the guide's (not « la
    # nouvelle édition de la charte », of 2021)
    r"(?:une|la|de|des) nouvelles? (?:rencontres?|sessions?))\b",
    re.I,
)


# A fact about the user's own authority, which the guide cannot know: « Notre Département
# a-t-il mis en place un dispositif… ? » — not what it may do (« a-t-il le droit de… »).
_OWN_FACT = re.compile(
    r"\b(?:notre|nos) (?:d[ée]partement|r[ée]gion|commune|ville|agglo\w*|communaut[ée]|"
    r"interco\w*|m[ée]tropole|collectivit[ée]|CC|EPCI|mairie)s?\b[^.?!]{0,60}?"
    # (« Notre commune a un vieux bâtiment. Y a-t-il un précédent ? » asks of others)
    r"(?<!\by )\b(?:a[- ]t[- ](?:il|elle)|avons[- ]nous|a d[ée]j[àa]|fait[- ](?:il|elle))\b"
    r"(?!\s+(?:le droit|la possibilit[ée]|int[ée]r[êe]t|la comp[ée]tence|besoin|les moyens)\b)",
    re.I,
)


def about_own_authority(core: str) -> bool:
    """Does the question ask what the user's own authority has done (which the guide cannot
    say), rather than what such an authority may do?"""
    return bool(_OWN_FACT.search(core))


def previous_card(answer: str, cards: CardIndex) -> Card | None:
    """The card whose answer the previous assistant message was (by its opening line)."""
    said = _plain(answer)
    if not said:
        return None
    opening = said[:60]
    for card in cards.cards:  # its typed line may have been moved first: any line counts
        for line in card.lines:
            for text in (line.fr, line.en):
                if _plain(text)[:60] == opening:
                    return card
    return None


def choose_card(
    matches: list[CardMatch],
    analysis: Analysis,
    topic: Topic,
    min_score: float,
    cards: CardIndex,
    *,
    words: bool = True,
) -> Card | None:
    """The card that answers, or None. A card answers when it matches at `min_score` or
    better and states the kind of answer asked for (an amount, a date…). A follow-up never
    gets the previous answer again; "un exemple ?" goes to the previous card's related cards."""
    before = previous_card(topic.previous_answer, cards) if topic.followup else None
    given = {before} if before is not None else set()
    if topic.followup:  # nor any answer given earlier in the conversation
        given |= {previous_card(a, cards) for a in topic.earlier_answers} - {None}
    earlier = set(given)
    if analysis.wants in TYPED:  # « et son montant ? »: the figure is in that card, moved first
        given = {c for c in given if not _states(c, analysis)}
    # « et ils ont quels projets à l'étude ? »: a line further down that card, moved first;
    # « il rassemble des acteurs de quel coin ? »: asked about what that card says
    asks = bool(_WH.search(analysis.core)) and analysis.wants not in ("example", "list")
    given = {c for c in given if not _says_further(c, topic.asked, cards, asks)}
    returns = earlier - given  # cards given before that may answer again
    pool = [m for m in matches if m.card not in given]
    if before is not None and analysis.wants == "example" and before.related:
        related = [m for m in pool if m.card.id in before.related]
        if related and related[0].score >= min_score - 0.05:
            return related[0].card
    # (a follow-up may have said it before: « ce Points de RepèrESS, il est sorti d'où ? » then
    # « c'était quand et où ? »)
    pool = [
        m
        for m in pool
        if needed(m.card, analysis.text) or (topic.followup and needed(m.card, topic.query))
    ]
    if topic.followup and asks_which_one(analysis.core):
        pool = _among_said(pool, topic.previous_answer, cards, min_score)
    pool = _naming(pool, analysis, cards, topic)
    if not pool or pool[0].score < min_score:
        return None
    if _names_missed(pool[0].card, analysis, cards):
        return None  # « le PTCE Anima a-t-il reçu ACTE ? »: no card says it of Anima
    if words and analysis.focus and not _lexical_enough(pool[0], analysis, cards):
        # close in meaning, but about something else (« règles comptables »), unless a card
        # just as close uses the question's words
        near = [m for m in pool[1:] if m.score >= pool[0].score - LEXICAL_RESCUE]
        rescue = next((m for m in near if _lexical_enough(m, analysis, cards)), None)
        if rescue is None:
            return None
        pool = [rescue, *(m for m in pool if m is not rescue)]
    card = _titled(pool, analysis, cards)
    switched = _actor_switched(analysis, topic)
    if switched and card.actor != switched:
        # « et pour une commune ? »: the question is the actor now; its card, when close
        own = next((m for m in pool if m.card.actor == switched), None)
        if (
            own is not None
            and own.score >= max(min_score, pool[0].score - SWITCH_MARGIN)
            and (not analysis.focus or _lexical_enough(own, analysis, cards))
            and not _names_missed(own.card, analysis, cards)
        ):
            card = own.card
    if analysis.wants == "example" and card.kind != "example":
        # « il y a un précédent ? »: an example card almost as close answers
        examples = [m for m in pool if m.card.kind == "example"]
        if examples and examples[0].score >= pool[0].score - EXAMPLE_MARGIN:
            card = examples[0].card
    elif card.kind == "example" and analysis.wants != "example":
        # An example illustrates; a card on the topic itself answers, when it matches as well
        # (and names what the question names in the example's title: « PTCE Anima
        # structure porteuse » is answered by the Anima card, not by the list of six PTCE).
        top = next(m.score for m in pool if m.card is card)
        # (named anywhere in the question: « j'ai lu que c'était arrivé à Hénin-Carvin. … ? »;
        # keeping an example is the cautious side here, as narrowing the pool to the names of
        # the sentences that ask is in `_naming`)
        named = names_asked(analysis, cards) | _rare_names(set_aside(analysis.core), cards)
        titled = named & _folded(card.topic)
        general = [
            m
            for m in pool
            if m.card.kind != "example"
            and m.card is not card
            and titled <= _folded(m.card.topic)
            # (« en quelle année ? »: the example states the year, the general card does not)
            and (analysis.wants not in TYPED or _states(m.card, analysis))
        ]
        if general and general[0].score >= top - EXAMPLE_MARGIN:
            card = general[0].card
    asked = topic.query  # the questions of the conversation so far
    returning = card is before or card in returns  # the figure is in a card already given
    if (
        topic.followup
        and analysis.wants in TYPED
        and not returning
        and not _own_topic(analysis.core, cards)  # « et le montant par projet ? »
        and not _on_topic(card, analysis, cards, asked)
    ):
        return None  # « et le montant ? » of the Somme's AMI is not the State's 100 000 euros
    if _states(card, analysis):
        return card
    # « l'aide de l'État dure combien de temps ? »: the card on funding in general does not
    # say; a card almost as close that states a duration, on the same topic, does (not the
    # State's AMI for « combien de temps dure l'AMI de la Somme ? »).
    top = pool[0].score
    return next(
        (
            m.card
            for m in pool[1:]
            if m.score >= max(min_score, top - TYPED_MARGIN)
            and (not analysis.focus or _lexical_enough(m, analysis, cards))
            and _on_topic(m.card, analysis, cards, asked)
            and not (pool[0].card.actor and m.card.actor not in ("", pool[0].card.actor))
            and _states(m.card, analysis)
        ),
        None,
    )


def _actor_switched(analysis: Analysis, topic: Topic) -> str:
    """The actor a follow-up asks about and nothing else (« et pour une commune ? », « et
    les départements ? »), or ""."""
    if not topic.followup:
        return ""
    own = actor_of(analysis.core)
    if not own:
        return ""
    rest = ACTORS[own].sub(" ", analysis.core)
    return own if not (set(analyze(rest)) - _SWITCH_WORDS) else ""


_SWITCH_WORDS = frozenset(analyze("alors aussi pareil même chose cas ok d'accord"))


def _lexical_enough(match: CardMatch, analysis: Analysis, cards: CardIndex) -> bool:
    """The card uses enough of the question's words; or, for a message of several sentences
    (the situation told around the question dilutes its words: « Qui peut faire partie d'un
    PTCE au sens de la loi ? Je préside une association à Tourcoing… »), enough of the words
    of the sentences that ask, or it is very close in meaning (`DENSE_ENOUGH`)."""
    return (
        match.lexical >= MIN_LEXICAL
        or (bool(analysis.asked) and cards.share(match.card, analysis.asked) >= MIN_LEXICAL)
        or (bool(analysis.asked) and match.dense >= DENSE_ENOUGH)
    )


def _own_topic(core: str, cards: CardIndex) -> frozenset[str]:
    """What a follow-up asks about of its own, less the words a quarter of the cards use:
    « et le montant par projet ? » names nothing that tells one scheme from another."""
    common = max(1, len(cards.cards) // 4)
    return frozenset(
        t for t in topic_terms(core) if sum(t in have for have in cards.terms) <= common
    )


TITLE_MARGIN = 0.02  # a card whose title names what is asked for may be this much less close
WHY_MARGIN = 0.04  # a card on why, for a question asking why support, may be this much less close
_WHY_SUPPORT = re.compile(
    # (to support, not « le soutien de l'État s'est arrêté », « Anima was supported »)
    r"\b(?:pourquoi|int[ée]r[êe]t (?:à|a|de|d['’]|pour)|why|arguments?)\b[^?.!]{0,60}"
    r"\b(?:soutenir|soutiendr\w+|travailler avec|appuyer|support)\b",
    re.I,
)
_WHY_TITLE = re.compile(r"\s*pourquoi\b", re.I)


def _titled(pool: list[CardMatch], analysis: Analysis, cards: CardIndex) -> Card:
    """The best card, or one almost as close whose title names the thing the question asks
    for when the best card's does not: « quelles sont les raisons de soutenir un PTCE ? » is
    answered by the six reasons, not by the six ways of supporting one."""
    best, top = pool[0].card, pool[0].score
    if _WHY_SUPPORT.search(asked_part(analysis.core)):
        # « pourquoi notre EPCI aurait intérêt à soutenir un PTCE ? »: the reasons, which the
        # guide gives for every level of authority, before the intercommunalities' role
        why = [m for m in pool if m.score >= top - WHY_MARGIN and _WHY_TITLE.match(m.card.topic)]
        if why:
            return why[0].card
    if best.actor and best.actor == analysis.actor:
        return best  # « par quels leviers un département… »: the départements' card
    # a word the question quotes, that a card's title quotes: « le mot « territorial » »
    quoted = set(analyze(" ".join(" ".join(m) for m in _QUOTED.findall(analysis.core))))
    common = max(1, len(cards.cards) // 4)  # « se disent « PTCE » »: every title says PTCE
    quoted = {t for t in quoted if sum(t in analyze(c.topic) for c in cards.cards) <= common}
    if quoted and not quoted <= _quoted_in(best.topic):
        for m in pool[1:]:
            if m.score >= top - QUOTED_MARGIN and quoted <= _quoted_in(m.card.topic):
                return m.card
    noun = asked_noun(analysis.core)
    if not noun or noun in analyze(best.topic):
        return best
    named = actor_of(asked_part(analysis.core))  # not the user's own, told before
    if named and best.actor == named:
        return best
    close = [m for m in pool[1:] if m.score >= top - TITLE_MARGIN]
    # « par quels leviers un département… ? »: the départements' card before the one whose
    # title names levers
    for m in close:
        if named and m.card.actor == named:
            return m.card
    return next((m.card for m in close if noun in analyze(m.card.topic)), best)


_QUOTED = re.compile(r"«\s*([^»]{1,40}?)\s*»|\"([^\"]{1,40})\"")
QUOTED_MARGIN = 0.04  # a card whose title quotes the word the question quotes


def _quoted_in(title: str) -> set[str]:
    return set(analyze(" ".join(" ".join(m) for m in _QUOTED.findall(title))))


WHICH_MARGIN = 0.05  # a card on one of the things just listed may be this much under min


def _among_said(
    pool: list[CardMatch], said: str, cards: CardIndex, min_score: float
) -> list[CardMatch]:
    """`pool` narrowed to the cards naming one of the things the previous answer named
    (« lequel travaille sur l'alimentation ? » after six PTCE: the Ecopôle alimentaire's)."""
    named = {fold(w) for w in re.findall(r"[^\W\d_]+", said)} & cards.names
    if not named:
        return pool
    among = [m for m in pool if cards.words[cards.cards.index(m.card)] & named]
    return among if among and among[0].score >= min_score - WHICH_MARGIN else pool


FURTHER_SHARE = 0.5  # of a follow-up's own focus (idf-weighted) a later card line must use


_WH = re.compile(
    r"\b(?:quel\w*|qui|où|quand|combien|lequel|laquelle|which|who|where|when|how many)\b", re.I
)


def _says_further(card: Card, asked: tuple[str, ...], cards: CardIndex, asks: bool = False) -> bool:
    """Does a line after the card's first say most of what the follow-up itself asks, more
    than its first line does (or any line, for a question on a detail: `asks`)? Then the
    card may answer again, that line first."""
    if not asked or len(card.lines) < 2:
        return False
    weight = {t: cards.idf.get(t, cards.top_idf) for t in asked}
    total = sum(weight.values())
    said = [sum(w for t, w in weight.items() if t in line_terms(line)) for line in card.lines]
    best = max(range(len(said)), key=lambda i: (said[i], -i))
    further = best > 0 and said[best] > said[0]
    return (further or asks) and said[best] >= FURTHER_SHARE * total


def _on_topic(card: Card, analysis: Analysis, cards: CardIndex, asked: str = "") -> bool:
    """The card is about the question's actor, or uses most of its topic words and the
    rarest of them — or, weighted by rarity, most of them and every name the conversation
    `asked` about (« et le montant ? » after « qui peut déposer un dossier ACTE ? »: ACTE's
    amount; after « l'AMI de la Somme », not the State AMI's)."""
    if card.actor and card.actor == analysis.actor:
        return True
    asking = asked_part(analysis.core)
    if asking != analysis.core and _THIS.search(asking):
        # « …compte sur l'ACTE de la Région. Combien peuvent-ils espérer au maximum ? »: what
        # the sentence before names, the question points at
        named = _rare_names(_told_before(analysis.core, asking), cards)
        if named & cards.words[cards.cards.index(card)]:
            return True
    # « et le montant ? »: the topic carried from the question before; a long message's
    # situation told first is not what it asks about
    topic = (
        _own_topic(asked_part(analysis.core), cards)
        or set(analysis.asked or analysis.focus) - CUE_TERMS
    )
    have = cards.terms[cards.cards.index(card)]
    if not topic:
        return True
    if len(topic & have) / len(topic) < TOPIC_SHARE:
        return False
    weight = {t: cards.idf.get(t, 0.0) for t in topic}
    rarest = max(topic, key=lambda t: (weight[t], t))  # « animation », not « commune »
    if rarest in have or rarest not in cards.idf:
        return True
    share = sum(w for t, w in weight.items() if t in have) / (sum(weight.values()) or 1.0)
    named = {fold(w) for w in re.findall(r"[^\W\d_]+", asked)} & cards.names
    return share >= TOPIC_SHARE and bool(named) and named <= cards.words[cards.cards.index(card)]


# A name in the question: an acronym, or a capitalised word inside the sentence.
_NAMED = re.compile(r"\b[A-ZÀ-ÖØ-Þ]{3,}\b|(?:(?<=[\w,] )|(?<=['’]))[A-ZÀ-ÖØ-Þ][\w'’-]{2,}")
NAME_MARGIN = 0.05  # a card naming what the question names may be this much less close


def _naming(
    pool: list[CardMatch], analysis: Analysis, cards: CardIndex, topic: Topic | None = None
) -> list[CardMatch]:
    """`pool` less the cards that miss a name of the question that a close card has:
    « le PTCE Anima regroupe combien de structures ? » is not answered by the Amiens PTCE's
    40 structures. Names no card uses (the user's town) and names many cards use (PTCE, ESS)
    change nothing. A follow-up on « il », « elle » that names nothing is about what the
    previous answer named (« il regroupe combien de structures ? » after the Amiens PTCE)."""
    if not pool:
        return pool
    # « au-delà d'ACTE »: not ACTE; « je conseille des porteurs à la CRESS. … ? »: not the CRESS
    asking = without_the_guide(asked_part(set_aside(analysis.core)), analysis.core)
    names = _rare_names(asking, cards)
    if not names and _THIS.search(asking):  # « Je rédige une fiche sur l'Ecopôle. Quels
        names = _rare_names(_told_before(analysis.core, asking), cards)  # acteurs dans ce pôle ? »
    if not names and topic is not None and topic.followup and _HE.search(analysis.core):
        names = _rare_names(markdown_to_plain(topic.previous_answer), cards)
    if not names:
        return pool
    top = pool[0].score
    naming = [
        m
        for m in pool
        if names <= cards.words[cards.cards.index(m.card)] and m.score >= top - NAME_MARGIN
    ]
    return naming or pool


# (not « il y a », « il faut », « il existe », which point at nothing said)
_HE = re.compile(
    r"(?<!y a-t-)(?<!faut-)(?<!existe-t-)(?<!agit-)"  # nor « y a-t-il », « faut-il »…
    r"\b(?:il|elle|ils|elles|it|they)\b(?!\s+(?:y a|faut|existe|s['’]agit|est possible))"
    r"|\b(?:dedans|là-dedans|chez eux)\b",  # « il y a combien de structures dedans ? »
    re.I,
)


# A word after these is a common noun, whatever the cards write capitalised.
_COMMON_NOUN = re.compile(r"quel(?:le)?s?|une?|cette|ce|ces", re.I)


def _common(word: str) -> bool:
    """A word so common in French that, typed in lower case, it is meant as a common noun
    (« pays », « mouvement », « environnement »), not as the name the cards capitalise."""
    from wordfreq import zipf_frequency  # loaded by `french_word` already, when it was needed

    return zipf_frequency(word.lower(), "fr", wordlist="small") >= COMMON_NOUN_ZIPF


COMMON_NOUN_ZIPF = 4.5
_PLACE_BEFORE = {"de la", "dans la"}


# What points back at something named before: « ce pôle », « il », « le composent »
_THIS = re.compile(
    r"\b(?:ce|cette|ces)\s+(?:p[ôo]le|ptce|projet|collectif|dispositif|structure|dynamique)s?\b"
    r"|(?<!y a-t-)(?<!faut-)(?<!existe-t-)\b(?:il|elle|ils|elles)\b(?!\s+(?:y a|faut|existe))"
    r"|\b(?:le|la|les)\s+(?=(?:composent|porte|portent|anime|animent|soutient|soutiennent|"
    r"accompagne|accompagnent|finance|financent)\b)",
    re.I,
)


_INTRO = re.compile(
    r"\W*(?:bonjour\W*)?(?:je suis|j['’]ai|nous sommes|on est|je travaille)\b", re.I
)


def with_antecedent(core: str, asking: str) -> str:
    """The sentences that ask, after the sentence they point back at when they name little
    of their own (« On m'a dit que la Région a un dispositif pour les PTCE. Comment
    s'appelle-t-il, et à qui s'adresse-t-il ? »)."""
    if asking == core or not _THIS.search(asking) or len(topic_terms(asking)) >= ANTECEDENT_TERMS:
        return asking
    before = _told_before(core, asking)
    return f"{before} {asking}" if before else asking


def _told_before(core: str, asking: str) -> str:
    """The sentence just before the first one that asks, unless it tells who the user is."""
    sentences = loose_sentences(core)
    first = next((i for i, s in enumerate(sentences) if s and s in asking), 0)
    before = sentences[first - 1] if first > 0 else ""
    return "" if _INTRO.match(before) else without_the_guide(set_aside(before), core)


def _rare_names(text: str, cards: CardIndex) -> set[str]:
    """The names `text` uses that only a few cards use: capitalised words and acronyms (not
    « un Département », a kind of authority), and words only ever capitalised in the cards
    typed in lower case (« le ptce de calais »; not « hauts » in « hauts-de-france »)."""
    names = {fold(n) for n in _NAMED.findall(text) if not _is_actor(n)}
    said = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text)
    typed = {  # (« quelle somme ? » asks for a sum, « de la somme » about the Somme)
        fold(w)
        for i, w in enumerate(said)
        if fold(w) in cards.names
        and not _is_actor(w)  # « notre EPCI », a kind of authority
        and not _COMMON_NOUN.fullmatch(said[i - 1] if i else "")
        and (not _common(w) or " ".join(said[max(0, i - 2) : i]).lower() in _PLACE_BEFORE)
    }
    names |= typed
    rare = max(1, len(cards.cards) // 4)
    return {n for n in names if 0 < sum(n in w for w in cards.words) <= rare}


def names_asked(analysis: Analysis, cards: CardIndex) -> frozenset[str]:
    """What the sentence that asks names that only a few cards name (« le PTCE Anima »,
    « l'Ecopôle d'Audruicq »), folded: words capitalised inside a sentence or acronyms, or
    words typed in lower case that are no French word (« anima »); not a place the user may
    live in, nor a kind of authority."""
    asking = without_the_guide(asked_part(set_aside(analysis.core)), analysis.core)
    typed = {fold(w) for w in _NAMED.findall(asking)}
    typed |= {  # (the frequency list is read only for a word the cards name)
        fold(w)
        for w in re.findall(r"[^\W\d_]+", asking)
        if fold(w) in cards.names and not french_word(w.lower())
    }
    typed -= {fold(w) for w in re.findall(r"[^\W\d_]+", asking) if _is_actor(w)}
    rare = max(1, len(cards.cards) // 4)
    names = {
        n
        for n in typed & cards.names
        if n not in _HOME and 0 < sum(n in w for w in cards.words) <= rare
    }
    return frozenset(names | _authority_asked(asking))


_CLAUSE_END = re.compile(r"[.?!;]|,\s*et\b")  # (not « Flandre et Lys », not an apposition)


def _authority_asked(asking: str) -> set[str]:
    """The name of a local authority the question asks a fact of (« le Département du Nord
    a-t-il un AMI ? » -> {"nord"}); not of one that asks what it can do (« la mairie de
    Fruges peut-elle… »), nor of the user's own — read in its own clause (« le Département
    du Nord a-t-il un dispositif, et comment y candidater ? » asks a fact of it)."""
    named = set()
    for m in _AUTHORITY_NAME.finditer(asking):
        start = max((p.end() for p in _CLAUSE_END.finditer(asking, 0, m.start())), default=0)
        end = next((p.start() for p in _CLAUSE_END.finditer(asking, m.end())), len(asking))
        clause = asking[start:end]
        if _CAN.search(clause) or SELF.search(clause):
            continue
        for word in re.findall(r"[A-ZÀ-ÖØ-Þ][^\W\d_]*", m.group(0)):  # « Béthune-Bruay »: both
            if not _is_actor(word) and fold(word) not in _WHOLE_REGION_WORDS:
                named.add(fold(word))
    return named


def _names_missed(card: Card, analysis: Analysis, cards: CardIndex) -> bool:
    """Does the question name something (`names_asked`) that `card` does not?"""
    names = names_asked(analysis, cards)
    return bool(names) and not names <= cards.words[cards.cards.index(card)]


def _folded(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in re.findall(r"[^\W\d_]+", text))


def _is_actor(word: str) -> bool:
    return any(a.fullmatch(word) for a in ACTORS.values())


_HOME = frozenset(fold(p) for p in HOME_PLACES)


def _states(card: Card, analysis: Analysis) -> bool:
    """Does the card state the kind of answer asked for (an amount, a date…), and every year
    the question names (« lequel est lauréat depuis 2023 ? »)?"""
    said = f"{card.topic}\n{card.text('fr')}"
    return (
        answers_type(analysis.wants, said, analysis.counted)
        and years_stated(analysis.core, said)
        and figure_of_year(analysis, said)
        and places_stated(analysis, said)
        and details_stated(analysis.core, said)
    )


def figure_of_year(analysis: Analysis, answer: str) -> bool:
    """For a figure asked of a year (« combien de lauréats en 2016 ? »), the answer states one
    of that year: a figure is of the year said last before it in its sentence, or, in a
    sentence naming none, of the years the sentence before names outside brackets (the 15
    lauréats of the AMI « lancé en mai 2021, après deux saisons (2013 et 2016) » are 2021's,
    not 2016's)."""
    years = set(re.findall(_YEAR, asked_part(analysis.core)))
    if not years or analysis.wants not in TYPED or analysis.wants in ("date", "deadline"):
        return True
    before: set[str] = set()  # the years of the last sentence that named some
    for sentence in re.split(r"(?<=[.!?;])\s+|\n", answer):
        marks = list(re.finditer(_YEAR, sentence))
        if not marks:
            if before & years and answers_type(analysis.wants, sentence, analysis.counted):
                return True
            continue
        for i, mark in enumerate(marks):
            start = 0 if i == 0 else mark.start()
            end = marks[i + 1].start() if i + 1 < len(marks) else len(sentence)
            if mark.group(0) in years and answers_type(
                analysis.wants, sentence[start:end], analysis.counted
            ):
                return True
        before = set(re.findall(_YEAR, _BRACKETS.sub(" ", sentence))) or {marks[0].group(0)}
    return False


_BRACKETS = re.compile(r"\([^)]*\)")


def places_stated(analysis: Analysis, answer: str) -> bool:
    """For a count, a list or a contact asked of a place (« combien de PTCE dans le
    Pas-de-Calais ? », « en France ? »), does the answer name that place? (Not the place the
    user says they are in.)"""
    if analysis.wants not in _ABOUT_PLACES or analysis.wants not in (*TYPED, "list"):
        return True
    asked = without_context(asked_part(analysis.core), analysis.wants)
    if _COUNTRY.search(asked) and not _COUNTRY_SAID.search(answer):
        return False  # « combien de PTCE en France ? » is not six PTCE of Hauts-de-France
    # the whole region is the guide's: « la CRESS Hauts-de-France » names no place of its own
    named = {fold(m.group(0)) for m in _PLACE.finditer(asked)} - _WHOLE_REGION
    said = {fold(m.group(0)) for m in _PLACE.finditer(answer)}
    # a town's own area is that town's (« le pôle du Calaisis » is Anima Grand Calais's)
    return named <= said | {area for area, town in _AREA_TOWN.items() if town in said}


# The areas named after their main town, as people of the region say them.
_AREA_TOWN = {
    fold(area): fold(town)
    for area, town in (
        ("calaisis", "calais"),
        ("valenciennois", "valenciennes"),
        ("cambrésis", "cambrai"),
        ("boulonnais", "boulogne-sur-mer"),
        ("audomarois", "saint-omer"),
        ("beauvaisis", "beauvais"),
        ("laonnois", "laon"),
        ("noyonnais", "noyon"),
        ("soissonnais", "soissons"),
    )
}


_COUNTRY = re.compile(
    r"\b(?:en France|dans toute la France|au niveau national|à l'échelle nationale|"
    r"in France|nationwide|across France)\b",
    re.I,
)
_COUNTRY_SAID = re.compile(r"(?<![-\w])France\b(?!-)|\bnationa(?:l|le|ux)\b", re.I)


_WHOLE_REGION = frozenset({"hauts-de-france", "hdf"})
_WHOLE_REGION_WORDS = _WHOLE_REGION | {"hauts", "france"}


def find_contacts(chunks: list[Chunk]) -> list[tuple[Chunk, str]]:
    """Where the guide says to find out more: (passage, address) for each "plus
    d'informations sur www…" it gives."""
    out = []
    for chunk in chunks:
        for m in _MORE_INFO.finditer(chunk.text):
            if m.group(0) not in (a for _, a in out):
                out.append((chunk, m.group(0)))
    return out


def _plain(text: str) -> str:
    return normalise_space(re.sub(r"\[\d+\]", "", markdown_to_plain(text))).casefold()
