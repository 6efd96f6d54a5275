"""What a question asks, read without a model: its core, the user's context, the actor it
is about, the kind of answer it wants, and its focus terms.

    analyse("Bonjour, je suis chargé de mission dans une CC de 9 000 habitants dans l'Oise. "
            "Peut-on déposer un dossier ACTE ?")
      -> core "Peut-on déposer un dossier ACTE ?", context "Bonjour, je suis chargé …",
         actor "epci", wants "", focus ("depos", "dossi", "acte", …)

The context (who the user is, the size of their town) is kept apart so that its names and
numbers never make the assistant refuse, and so that retrieval looks for the question, not
for the user's introduction. Everything here is pure.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from ..search.acronyms import expand, typed_acronyms
from ..search.analysis import STOP_WORDS, analyze, fold
from ..text import loose_sentences
from .kinds import COUNTED, CUE_TERMS, NUMBER_WORD, wants_of

# Who the user is or where they work: a sentence that says so, with no question in it.
SELF = re.compile(
    r"^\s*(?:bonjour|bonsoir|salut|hello|hi|merci|madame|monsieur)\b"
    r"|\b(?:je suis|j['’]ai|je travaille|je m['’]occupe|nous sommes|on est|nous avons|on a|"
    r"notre|nos|mon|ma|mes|chez nous|dans ma|dans notre|i am|i['’]m|we are|we['’]re|our|my|"
    r"i work|we have|je dirige|je pilote|j['’]anime|je g[èe]re|je repr[ée]sente|je bosse|"
    r"je d[ée]couvre|je d[ée]bute|je fais un stage|j['’]effectue un stage|stagiaire|"
    r"on bosse|ici|charg[ée]e? de mission|technicien(?:ne)?|agent de d[ée]veloppement|dgs|"
    r"maire (?:de|d['’])|[ée]lue? (?:à|de|d['’]|dans)|conseill[eè]re? (?:municipal|communautaire|"
    r"d[ée]partemental|r[ée]gional)\w*|(?:directeur|directrice|tr[ée]sori[eè]re?|pr[ée]sident|"
    r"pr[ée]sidente|responsable|g[ée]rante?|coordinat(?:eur|rice)|salari[ée]e?|b[ée]n[ée]vole|"
    r"conseill(?:er|[eè]re)|adjointe?)"
    r" (?:d['’]une?|de la|du|des|à|au|aux|en charge|de l['’]))\b",
    re.I,
)
_INTERROGATIVE = re.compile(
    r"\b(?:comment|pourquoi|quel|quelle|quels|quelles|quoi|qui|quand|combien|où|est-ce|"
    r"peut-on|peut-elle|peut-il|peuvent-ils|doit-on|faut-il|y a-t-il|existe-t-il|"
    r"how|what|which|who|when|why|where|can|could|should|is there|are there|do|does)\b",
    re.I,
)
# A clause that opens on a question word (« : à quelle date il a été reconnu »)
_CLAUSE_ASKS = re.compile(
    r"(?:^|[:;,]\s*)(?:(?:[àa]|de|d['’]|dans|sur|pour|par|en|depuis|avec)\s+)?"
    r"(?:quel(?:le)?s?|combien|quand|pourquoi)\b",
    re.I,
)
# questions listed after a colon, with no « ? » (« j'ai besoin de trois infos : à quelle
# date…, quelle structure le porte… »)
_LISTS_ASKED = re.compile(
    r"[:;]\s*(?:(?:[àa]|de|d['’]|dans|sur|pour|par|en|depuis|avec)\s+)?"
    r"(?:quel(?:le)?s?|combien|quand|pourquoi|comment|o[ùu]|qui)\b",
    re.I,
)
# "une commune de 12 000 habitants", "9 000 hab.": the size of the user's town.
POPULATION = re.compile(
    r"\b\d[\d  .,]*\s*(?:habitant\.?e?\.?s?|hab\b\.?|inhabitants?|residents?)", re.I
)
# Places a Hauts-de-France user names when saying where they are.
HOME_PLACES = frozenset(
    [
        "aisne",
        "nord",
        "oise",
        "pas-de-calais",
        "somme",
        "hauts-de-france",
        "picardie",
        "nord-pas-de-calais",
        "lille",
        "amiens",
        "arras",
        "beauvais",
        "laon",
        "valenciennes",
        "dunkerque",
        "calais",
        "boulogne-sur-mer",
        "roubaix",
        "tourcoing",
        "lens",
        "douai",
        "cambrai",
        "compiègne",
        "saint-quentin",
        "soissons",
        "abbeville",
        "béthune",
        "maubeuge",
        "saint-omer",
        "creil",
        "senlis",
        "noyon",
        "château-thierry",
        "hirson",
        "chauny",
        "avesnois",
        "cambrésis",
        "valenciennois",
        "boulonnais",
        "calaisis",
        "audomarois",
        "ternois",
        "montreuillois",
        "thiérache",
        "vimeu",
        "santerre",
        "soissonnais",
        "laonnois",
        "noyonnais",
        "clermontois",
        "beauvaisis",
        "flandre",
        "flandres",
        "hainaut",
        "artois",
        "gohelle",
        "douaisis",
        "dunkerquois",
        "lensois",
        "arrageois",
        "sambre",
        "ponthieu",
        "marquenterre",
        "vermandois",
        "valois",
    ]
)

# Regions of France the guide, about Hauts-de-France, says nothing of.
OTHER_REGIONS = re.compile(
    r"\b(?:grand[- ]est|occitanie|bretagne|normandie|[îi]le[- ]de[- ]france|auvergne|rh[ôo]ne[- ]alpes|"
    r"nouvelle[- ]aquitaine|provence|paca|c[ôo]te d['’]azur|bourgogne|franche[- ]comt[ée]|"
    r"centre[- ]val de loire|pays de la loire|corse|alsace|lorraine|champagne|guadeloupe|"
    r"martinique|guyane|(?-i:La Réunion)|mayotte)\b",
    re.I,
)

ACTORS: dict[str, re.Pattern[str]] = {
    # Intercommunalities first: "communauté de communes" is not about a commune.
    "epci": re.compile(
        r"\b(?:epci|intercommunalit\w*|interco\w*|communaut[ée]s? (?:de communes|d['’]agglom\w*|"
        r"urbaine)|agglo\w*|cc|(?-i:CA|CU)|m[ée]tropole|intermunicipal\w*|inter-municipal\w*)\b",
        re.I,
    ),
    "departement": re.compile(
        r"\b(?:d[ée]partement\w*|department\w*|conseil d[ée]partemental|cd\d*|county|counties)\b",
        re.I,
    ),
    # « dans la région », « en région », « notre région »: a place, not the Région
    "region": re.compile(
        r"(?<!dans la )(?<!dans ma )(?<!dans notre )(?<!\ben )(?<!\bnotre )(?<!\bma )"
        # « une collectivité de la région », « des PTCE de la région »: where, not who
        r"(?<!collectivit[ée] de la )(?<!collectivit[ée]s de la )(?<!ptce de la )"
        r"(?<!acteurs de la )(?<!structures de la )(?<!projets de la )(?<!villes de la )"
        r"\b(?:r[ée]gion\w*|conseil r[ée]gional)\b",
        re.I,
    ),
    "commune": re.compile(
        # « la politique de la ville » is a policy, not the town
        r"\b(?:communes?|municipal\w*|mairies?|maires?|(?<!politique de la )villes?|villages?|"
        r"town\w*|cit(?:y|ies)|municipalit\w*)\b",
        re.I,
    ),
    "etat": re.compile(
        r"\b(?:(?<!en )(?<!bon )(?<!mauvais )[ée]tat\b(?! des lieux)|minist[èe]re\w*|gouvernement|"
        r"national\w*|state|government)\b",
        re.I,
    ),
}


# Words of a question that say what kind of answer it wants, not what it is about.
_GENERIC = frozenset(
    analyze(
        "ptce pôle pôles territorial territoriaux coopération économique guide dit parle "
        "question savoir voudrais aimerais souhaite besoin svp merci bonjour expliquer exactement "
        "concrètement faire peux pouvez pourriez possible quoi chose choses rôle auprès envers "
        "concernant fait font si via comme doit dois devons plutôt dis dire aujourd'hui "
        "actuellement façon façons manière manières moyen moyens différent différents différentes "
        "genre genres sorte sortes type types quelque quelques déjà plus voudrions voulons "
        "mention mentions mentioned cite cited cites list listed lists named described "
        "say says said explain explained talk talks given bosse bosser bossent bossez "
        "play plays role roles veut veulent voulez vouloir plusieurs monde "
        "définit définissent désigne désignent signifie signifient "
        "voudraient souhaitons souhaiterions aimerions envisageons exemple exemples example examples "
        "mien mienne miens miennes nôtre nôtres vôtre vôtres jouer joue jouent après selon "
        "but buts purpose "  # « dans quel but ? » asks why; English « but » joins clauses
        "ok okay thanks thank "
        "exactly precisely basically defined define defines"
    )
)


@dataclass(frozen=True)
class Analysis:
    text: str  # the message as typed (cleaned)
    core: str  # the question, the user's introduction removed
    context: str  # what the user said about themselves ("" when nothing)
    actor: str  # commune | epci | departement | region | etat | "" (named in the question)
    wants: str  # person | phone | email | contact | percentage | duration | amount | date |
    #              count | quantity | example | list | ""
    focus: tuple[str, ...]  # stems of what the question is about
    context_actor: str = ""  # the actor the user says they work for, in their introduction
    counted: str = ""  # "combien de communes ?": the stem of what is counted ("commune")
    asked: tuple[str, ...] = ()  # the focus of the question sentence alone, when `core` has more


# "…me demande si / comment / à quelles…": an indirect question, the rest is what is asked.
_INDIRECT = re.compile(
    r"\b(?:me demande(?:nt)?|se demande(?:nt)?|nous demande(?:nt)?|nous demandons|"
    r"voudrai[st] savoir|aimerai[st] savoir|"
    r"veu[tx] savoir|veulent savoir|voudraient savoir|"
    r"souhaite savoir|souhaiterai[st] savoir|cherche à savoir|wonders?|would like to know|"
    r"asks? me|"
    # « notre service juridique demande quelle est la durée… »
    # (a verb, not « nous avons fait une demande quand… »)
    r"(?<!\bune )(?<!\bla )(?<!\bma )(?<!\bsa )(?<!\bde )(?<!notre )(?<!votre )(?<!cette )"
    r"demande(?:nt)?(?=\s+(?:quel(?:le)?s?|comment|combien|o[ùu]|quand|pourquoi|[àa] partir))"
    # (« on me demande de réunir des documents » is asked to do, not a question)
    r")\s+(?!d(?:e\s+|['’])(?!savoir))(?:si\s+|s['’](?=il)|de\s+(?=savoir))?(?=\w)",
    re.I,
)


# Words of a question that asks nothing of its own: « Je lui dis quoi ? », « Que faire ? »
_FRAME = frozenset(
    analyze(
        "dis dire dit faire fais fait répondre réponds conseilles conseillez penses pensez "
        "avis idée idées suggestion what say do think advice"
    )
)
# A question that leans on the sentence before it: « Est-ce possible ? », « Is that allowed? »
_LEANS = re.compile(
    r"^\W*(?:est-ce(?! qu)|c['’]est (?:possible|pr[ée]vu|permis|autoris[ée]|envisageable|"
    r"faisable|une? )|cela|ça|is (?:this|that|it)|does (?:this|that|it)|can (?:this|that|it)|"
    r"would (?:this|that|it)|(?:il|elle|ils|elles)(?! (?:y a|faut|existe|est possible)\b)|"
    r"(?:it|they)(?! (?:is|are) (?:possible|there)\b))\b",
    re.I,
)
# What the user heard or read of something: the topic, not who they are (« J'ai entendu que
# la Somme l'avait déjà fait. Combien de projets ? »).
_HEARSAY = re.compile(
    r"\b(?:j['’]ai (?:entendu|lu|vu|appris|cru comprendre)|on m['’]a (?:dit|parl[ée]|expliqu[ée])|"
    r"il para[îi]t|i (?:heard|read))\b",
    re.I,
)
# A sentence that says what the user wants to do (kept in the question), not who they are.
_NEED = re.compile(
    r"\b(?:veu\w+|voul\w+|voudr\w+|souhait\w+|aimer\w+|cherch\w+|envisag\w+|"
    r"r[ée]fl[ée]chi\w+|projet(?:te|tons|tez)|(?:a|ai|avons) (?:le|un) projet|besoin|dois|doit|devons|devrai\w*|want\w*|"
    r"would like|plan(?:ning)? to|need to|have to|"
    r"looking for)\b",
    re.I,
)


_PRONOUN_ONLY = re.compile(r"\W*(?:je|j['’]|on|nous|i|we)?\s*$", re.I)  # « Je me demande si … »


_TRAILING_SUBJECT = re.compile(r"\s*\b(?:et|mais)?\s*(?:on|nous|je)$", re.I)  # « … et on »
# Who someone is, by their job (not « notre », « on a »: those may tell a situation).
_ROLE = re.compile(
    r"\b(?:je suis|i am|i['’]m|charg[ée]e? de mission|technicien(?:ne)?|agent de d[ée]veloppement|"
    r"dgs|maire (?:de|d['’])|[ée]lue? (?:à|de|d['’]|dans)|conseill[eè]re? |directeur|directrice|"
    r"pr[ée]sidente?|responsable|coordinat(?:eur|rice)|adjointe? |vice-pr[ée]sidente?)",
    re.I,
)
THIN = 2  # topic words a question has of its own when it leans on the user's situation


def _thin(question: str) -> bool:
    """« Il y a un précédent dans la région ? », « Le guide cite-t-il un PTCE créé pour
    ça ? »: too few topic words of its own to be asked alone."""
    return len(topic_terms(question) - _AROUND) <= THIN


def _empty(question: str) -> bool:
    """« Vous avez l'info ? », « Qu'en pensez-vous ? »: no topic word of its own."""
    return not topic_terms(question) - _AROUND - _FRAME - _NOTHING_ASKED


_NOTHING_ASKED = frozenset(
    analyze("info infos information informations réponse réponses piste pistes précision")
)


def _situation(sentence: str) -> bool:
    """Does the sentence say something about the user's situation (« on a une vieille école
    vide », « nos structures sont mal identifiées »), beyond who and where they are (« je
    suis maire d'une commune de 500 habitants ») ?"""
    rest = POPULATION.sub(" ", SELF.sub(" ", sentence))
    rest = " ".join(w for w in re.split(r"\s+", rest) if fold(w) not in _ROLE_WORDS)
    rest = re.sub(
        r"\b(?:dans|de|du|des|en|à)\s+(?:l['’]|la\s+|le\s+|les\s+)?[A-ZÀ-ÖØ-Þ][\w'’-]*", " ", rest
    )
    for pattern in ACTORS.values():
        rest = pattern.sub(" ", rest)
    return len(topic_terms(rest) - _AROUND) > THIN


# Words that say what the user's job is (« je viens de prendre un poste de chargée de
# mission ESS »), not what their situation is.
_ROLE_WORDS = frozenset(
    fold(w)
    for w in [
        "poste",
        "postes",
        "viens",
        "vient",
        "venons",
        "prendre",
        "pris",
        "prise",
        "arrivé",
        "arrivée",
        "nouveau",
        "nouvelle",
        "nouvellement",
        "recruté",
        "recrutée",
        "recrutés",
        "depuis",
        "service",
        "direction",
        "équipe",
        "mission",
        "chargé",
        "chargée",
        "élu",
        "élue",
        "élus",
        "travaille",
        "travaillons",
        "bosse",
        "ess",
        "économie",
        "sociale",
        "solidaire",
    ]
)
# Words around a question's topic, not part of it: where, who asks, what kind of answer.
_AROUND = frozenset(
    analyze(
        "région hauts-de-france hdf territoire local locale locaux coin guide cite cité citer "
        "exemple exemples cas précédent précédents déjà existe existent bonjour merci"
    )
)


_ASKS_US = re.compile(
    r"\b(?:nous|me|m['’]|lui|leur) (?:a |ont )?demand\w*\s+((?:si|s['’]|sur|quel\w*|comment|où|"
    r"combien|pourquoi|quand|qui|ce que|ce qu['’])\b.*)",
    re.I,
)


_OPENS_ASKING = re.compile(
    r"\s*(?:(?:dans|sur|pour|avec|par|de|à|en) )?(?:quel|quelle|quels|quelles|comment|pourquoi|"
    r"combien|où|si |s['’]il|est-ce)\b",
    re.I,
)


def _asking(sentence: str) -> str:
    """What a sentence asks: all of it when it has « ? », the reported question of « L'agglo
    nous demande sur quel texte… » (not who asks: « une collectivité de l'Aisne »), or ""."""
    if "?" in sentence or _LISTS_ASKED.search(sentence):
        return sentence
    m = _ASKS_US.search(sentence)
    if m:
        return m.group(1)
    m = _INDIRECT.search(sentence)  # « Mon DGS veut savoir dans quelle fourchette… »
    if m:
        return sentence[m.end() :]
    # what an indirect question became once its asker was set aside: « Dans quelle
    # fourchette la Région pourrait nous aider. »
    return sentence if _OPENS_ASKING.match(sentence) else ""


def asked_part(core: str) -> str:
    """The sentences of `core` that ask (« Je suis trésorière d'une SCOP qui porte le projet.
    Le reste doit venir d'où ? » -> the second), or all of it when none or all do."""
    sentences = loose_sentences(core)
    # « L'agglo nous demande sur quel texte repose la notion de PTCE. » asks too
    asking = [a for a in map(_asking, sentences) if a]
    if len(asking) > 1:  # « … veut savoir dans quelle fourchette… Vous avez l'info ? »
        asking = [a for a in asking if not _empty(a)] or asking
    trimmed = asking != sentences  # a sentence left out, or the one who asks
    return " ".join(asking) if asking and trimmed else core


def split_context(text: str) -> tuple[str, str]:
    """(core, context): sentences that introduce the user and ask nothing go to the context;
    "je suis élue d'une commune, comment … ?" loses its introductory clause."""
    parts = loose_sentences(text)
    # Who the user is goes to the context (before or after the question); what they want
    # to do stays in the question.
    # (what their situation is — « notre PTCE est en quartier prioritaire » — stays asked)
    context = [
        p
        for p in parts
        if "?" not in p
        and SELF.search(p)
        and not _NEED.search(p)
        and not _situation(p)
        and not _HEARSAY.search(p)
        and not _INDIRECT.search(p)  # « Mes élus me demandent à quoi sert ACTE : … »
    ]
    core = [p for p in parts if p not in context]
    if not core:
        context, core = [p for p in context if p != parts[-1]], [parts[-1]]
    whole = {}  # (clause taken off, rest) -> the sentence as written
    for _ in range(3):  # « Je suis élu et je découvre le sujet : c'est quoi… ? »: two clauses
        first = core[0]
        if not SELF.search(first):
            break
        # "je suis … dans l'Oise, comment …" -> the clause from the interrogative on;
        # "chargé de mission dans une CC : nos élus veulent …" -> from the colon on.
        for m in re.finditer(r"[,:;]\s*|\s+et\s+(?=(?:nous|on|je|j['’])\s)", first):
            head, rest = first[: m.start()], first[m.end() :]
            if _INDIRECT.search(head) or _CLAUSE_ASKS.search(head):
                # « Mes élus me demandent à quoi sert ACTE : … », « j'ai besoin de trois infos
                # sur Emergence Hénin-Carvin : à quelle date…, quelle structure… »: it asks
                stripped = False
                break
            # « … : nos élus veulent », « Chargé de mission à la Région, je dois … »
            opens = m.group(0).strip()[:1] in (":", ";", "e") or re.match(
                r"(?:je|j['’]|nous|on|i|we)\b", rest, re.I
            )
            introduces = opens and SELF.search(head) and not _NEED.search(head)
            # « Élue d'une commune de 4 500 habitants près d'Arras, le RTES regroupe… »: a
            # role and nothing of a situation before the comma
            only_who = m.group(0)[0] == "," and _ROLE.search(head) and not _situation(head)
            if (
                introduces
                or (only_who and len(rest.split()) >= 2)
                or _INTERROGATIVE.match(rest)
                or re.match(
                    r"(?:est-ce|peut-on|y a-t-il|qu['’]est-ce|que\b|qu['’]|c['’]est (?:quoi|qui|o[uù]|"
                    r"combien|comment)|[çc]a (?:sert|marche|consiste))",
                    rest,
                    re.I,
                )
            ):
                context.append(head)
                core[0] = rest[0].upper() + rest[1:]
                whole[head, core[0]] = first
                stripped = True
                break
        else:  # no clause to take off
            stripped = False
        if not stripped:
            break
    if context and (
        _LEANS.match(core[0])
        or set(analyze(" ".join(core))) <= _FRAME
        or (_thin(" ".join(core)) and _situation(context[-1]))
    ):
        # « … nos élus veulent aider un PTCE à acheter du matériel. Est-ce prévu ? »: the
        # question points at the sentence before it, which is what is asked about.
        need = context.pop()
        # « Chargé de mission dans une CC … : nos élus… », « Chargé de mission à la Région, je… »
        m = re.search(r"^[^:,]*\s?[:,]\s*", need)
        if (need, core[0]) in whole and not m:
            # the clause goes back where it was written, with its comma: « qd on est une
            # commune, que faire ? » asks no date
            core[0] = whole[need, core[0]]
        elif (
            m
            and SELF.search(m.group(0))
            and not _NEED.search(m.group(0))
            and not _INDIRECT.search(m.group(0))
        ):
            context.append(m.group(0).strip(" :"))
            need = need[m.end() :]
            core.insert(0, need)
        else:
            core.insert(0, need)
    joined = " ".join(core)
    m = _INDIRECT.search(joined)
    if m and (SELF.search(joined[: m.start()]) or _PRONOUN_ONLY.match(joined[: m.start()])):
        # « mon président me demande à quelles étapes … » -> « à quelles étapes … »
        head, rest = joined[: m.start()].strip(" ,"), joined[m.end() :].strip()
        rest = rest[:1].upper() + rest[1:]
        # the reported question still asks: « … se demande si notre agglo devrait adhérer au
        # RTES. Avant de… » -> « Notre agglo devrait adhérer au RTES ? Avant de… »
        said = loose_sentences(rest)
        # (a reported « si » only: « … demande comment … » asks already; « on me demande de… »
        # asks nothing)
        asks = re.search(r"\bsi\s*$|s['’]$", m.group(0), re.I)
        if asks and said and not said[0].rstrip().endswith("?"):
            rest = rest.replace(said[0], said[0].rstrip().rstrip(".!…") + " ?", 1)
        if _situation(head):  # « on a une vieille école et on se demande si … »: both asked
            joined = f"{_TRAILING_SUBJECT.sub('', head)}. {rest}"
        else:
            if not _PRONOUN_ONLY.match(head):
                context.append(head)
            joined = rest
    return joined, " ".join(context)


# Names of the guide that hold an actor's word: the PTCE « Une ville idéale » is no town, the
# « Région d'Audruicq » no Région
_NAMES_NOT_ACTORS = re.compile(r"\b(?:une )?ville id[ée]ale\b|\br[ée]gion d['’]audruicq\b", re.I)


def actor_of(text: str) -> str:
    """The level of local authority (or the State) the text is about, "" when none."""
    found = []
    rest = _NAMES_NOT_ACTORS.sub(" ", text)
    for actor, pattern in ACTORS.items():
        m = pattern.search(rest)
        if m:
            found.append((m.start(), actor))
            rest = pattern.sub(" ", rest)
    return min(found)[1] if found else ""


def topic_terms(text: str) -> frozenset[str]:
    """What the question is about, as typed (no acronym expansion), less the words that
    say which kind of answer it wants: « le montant de l'AMI de la Somme » -> {ami, somm}."""
    return frozenset(analyze(text)) - _GENERIC - CUE_TERMS


def focus_terms(text: str) -> tuple[str, ...]:
    """Stems of the question's topic words (question words, generic words and misspelt
    question words — « coment », « pourkoi » — removed); a word the user quotes is kept
    (« le "Pôle" de PTCE »)."""
    quoted = set(analyze(" ".join(m.group() for m in _QUOTED.finditer(text))))
    text = _SO.sub(" ", text)  # « sous quelle forme du coup ? »: « du coup » is a link word
    return tuple(
        dict.fromkeys(
            t
            for t in analyze(expand(text))
            if t in quoted or (t not in _GENERIC and not _misspelt_stop_word(t))
        )
    )


_QUOTED = re.compile(r"«[^»]{1,40}»|\"[^\"]{1,40}\"|“[^”]{1,40}”")
_SO = re.compile(r"\bdu coup\b|\bsous (?=(?:quelle|quel|une|la) forme)", re.I)


@lru_cache(maxsize=4096)
def _misspelt_stop_word(term: str) -> bool:
    return len(term) >= 4 and bool(difflib.get_close_matches(term, _STOP_FOLDED, n=1, cutoff=0.85))


_STOP_FOLDED = sorted({fold(w) for w in STOP_WORDS if len(w) >= 4})


# The noun a question asks for: « sur quels critères… » -> critères.
_ASKED = re.compile(
    r"\b(?:quels?|quelles?|which|what)\s+"
    # (« quels sont précisément les acteurs… »: an adverb is not what is asked for)
    r"(?:(?:sont|est)\s+(?:(?:pr[ée]cis[ée]ment|exactement|concr[èe]tement|donc|alors|vraiment|"
    r"au juste)\s+)?)?"
    r"(?:tou(?:te)?s\s+)?(?:les\s+|le\s+|la\s+|l['’])?"
    r"([^\W\d_][\w’'-]*)",
    re.I,
)
# Asked-for nouns that say how, not what: « quelle forme de soutien ? », « quel texte de loi ? ».
_GENERIC_ASKED = frozenset(
    analyze(
        "texte textes type types sorte sortes genre genres forme formes façon façons manière "
        "manières moyen moyens chose choses élément éléments point points aspect aspects exemple "
        "exemples kind kinds sort way ways seuil seuils minimum maximum "
        # what a thing is like, not a thing of its own: « quelles sont les caractéristiques
        # d'un PTCE ? », « les conditions pour bénéficier d'ACTE ? »
        "caractéristique caractéristiques spécificité spécificités particularité particularités "
        "atout atouts avantage avantages domaine domaines modalité modalités condition "
        "conditions enjeu enjeux vocation vocations finalité finalités effet effets impact impacts "
        "retombée retombées base bases fondement fondements solution solutions alternative "
        "alternatives option options piste pistes possibilité possibilités démarche démarches"
    )
)


_CUES = sorted(CUE_TERMS)


def asked_noun(core: str) -> str:
    """The stem of the noun the question asks for (« sur quels critères… » -> "criter"), ""
    when there is none or it is generic (« quelle forme… », « quels sont les trois… »)."""
    m = _ASKED.search(core)
    if not m or re.fullmatch(NUMBER_WORD, m.group(1), re.I):
        return ""
    stems = analyze(m.group(1))
    if not stems or stems[0] in _GENERIC_ASKED | _GENERIC | CUE_TERMS:
        return ""
    # a misspelt cue (« quelle anee ») asks for a kind of answer, not for a thing
    return "" if difflib.get_close_matches(stems[0], _CUES, n=1, cutoff=0.75) else stems[0]


# What an amount is asked of, when it is not a grant to one project: « la cotisation », « le
# budget du RTES », « le montant total de l'enveloppe »; the answer must speak of that very
# thing (« quelle enveloppe chacun ? » asks for the grant each one got: no qualifier).
_AMOUNT_OF = re.compile(
    r"\b(?:budgets?|cotisations?|adh[ée]sions?|salaires?|tarifs?|prix|co[uû]ts?|"
    r"chiffres? d['’]affaires|fees?|membership|salar(?:y|ies)|turnover)\b",
    re.I,
)
_AMOUNT_SCOPE = [  # (asked, said): a total is not one grant, a yearly sum not a one-off one
    (re.compile(r"\b(?:total\w*|global\w*|in total)\b", re.I),
     re.compile(r"\b(?:total\w*|global\w*|au total|en tout)\b", re.I)),
    (re.compile(r"\b(?:annuel\w*|chaque année|par an|per year|yearly|annual\w*)\b", re.I),
     re.compile(r"\b(?:annuel\w*|chaque année|par an|/an)\b", re.I)),
]  # fmt: skip


def amount_of_stated(wants: str, core: str, answer: str) -> bool:
    """For an amount asked of a budget, a fee, a salary…, or a total or yearly sum, does the
    answer speak of it? « Quel est le montant total de l'enveloppe ACTE ? » is not answered
    by the grant to one project (15 000 to 60 000 €)."""
    if wants not in ("amount", "quantity"):
        return True
    core = asked_part(core)  # « je prépare le bilan annuel. Quel montant… ? »: not a yearly sum
    asked = {fold(m.group(0)) for m in _AMOUNT_OF.finditer(core)}
    said = {fold(m.group(0)) for m in _AMOUNT_OF.finditer(answer)}
    if asked and not asked & said:
        return False
    return all(not a.search(core) or s.search(answer) for a, s in _AMOUNT_SCOPE)


_THE_REGION = re.compile(r"\b(?:(?:en|des|dans les|in)\s+)?(?:hauts[- ]de[- ]france|hdf)\b", re.I)


# What the question sets aside: « au-delà des subventions ACTE, … », « autre chose que… »
_ASIDE = re.compile(
    r"\b(?:au[- ]del[àa] d(?:e |u |es |['’])|en dehors d(?:e |u |es |['’])|hormis |"
    r"(?:à|a(?! part of\b)) part (?!enti[èe]re?s?\b)|autres? (?:chose )?que |pas seulement |besides |"
    r"apart from |other than |except )[^,;:?.]*",
    re.I,
)


# The source the question cites, not what it asks about: « d'après la publication du RTES et
# de la CRESS », « ce que le guide RTES-CRESS dit du collectif amiénois » (not « la rencontre
# dont ce document est issu », which asks about the guide).
_SOURCE = re.compile(
    r"\b(?:d['’]apr[èe]s|selon|dans|ce que|qu['’]est-ce que|que|according to|in|"
    r"que (?:dit|disent|indique|raconte|pr[ée]voit))\s+"
    r"(?:(?:le|la|ce|cette|votre|leur|the|this)\s+)?(?:guide|publication|document|fiche|"
    r"brochure)(?:\s+(?:r[ée]gionale?|commune|conjointe|n°\s*10))?"
    r"(?:\s+(?:du\s+RTES(?:\s+et\s+de\s+la\s+CRESS(?:\s+Hauts-de-France)?)?|"
    r"de\s+la\s+CRESS(?:\s+et\s+du\s+RTES)?|RTES\s*[-/&]\s*(?:et[- ])?CRESS|"
    r"CRESS\s*[-/&]\s*(?:et[- ])?RTES|RTES (?:et[- ])?CRESS|CRESS (?:et[- ])?RTES))?",
    re.I,
)


def set_aside(text: str) -> str:
    """`text` less what it sets aside (« Au-delà des subventions ACTE, comment… » -> «  ,
    comment… ») and the source it cites (« d'après la publication du RTES ») : those words
    are not what the question is about."""
    return _SOURCE.sub(" ", _ASIDE.sub(" ", text))


_EXAMPLE_KIN = frozenset(analyze("ptce pôle pôles projet projets exemple exemples cas"))
_CITED = re.compile(r"\b(?:cit[ée]\w*|exemples?|examples?|mentionn\w*|mentioned)\b", re.I)


# « … ? in english pls », « en anglais stp »: how to answer, not what is asked.
# (after the question's own « ? », in brackets, or with « answer / réponds »: not « Is the
# guide available in English? »)
ENGLISH_ASKED = re.compile(
    r"(?:(?<=[?!.,(])|(?<=[?!.,(]\s))\s*\(?\s*(?:(?:answer|reply|r[ée]ponds?|r[ée]pondez)\s+)?"
    r"(?:in english|en anglais|english)"
    r"(?:\s*(?:please|pls|plz|stp|svp|s['’]il (?:te|vous) pla[îi]t))?\s*\)?[\s.!?]*$"
    r"|^\s*(?:answer|reply|r[ée]ponds?|r[ée]pondez)(?:[- ](?:moi|me))?\s+(?:in english|en anglais)"
    r"\s*[:,.-]?\s*",
    re.I,
)


# « D'accord. Et ce pôle… ? », « ok merci, et pour une commune ? »: the reply to the last
# answer, then the question
ACKNOWLEDGED = re.compile(
    r"^\W*(?:(?:d['’]accord|ok(?:ay)?|merci|super|parfait|tr[èe]s bien|entendu|ah|great|"
    r"thanks|thank you|got it|i see)\b[\s,.!]*)+",
    re.I,
)


_THE_GUIDE = re.compile(
    r"\b(?:ce|le|du|this|the|votre|your)\s+(?:guide|document|doc|brochure)\b", re.I
)
_PUBLISHED = re.compile(
    r"\b(?:publi(?:[ée]\w*|cation\w*|er|shed|sher\w*)|[ée]dit\w*|r[ée]dig\w*|auteurs?|sorti|paru|titre|intitul\w*|title|"
    r"date de (?:publication|parution|sortie)|de quand date|authors?|authored|wrote|written|"
    r"released?)\b",
    re.I,
)


# The guide named as the source of what is asked (« Le guide en donne-t-il la liste ? »,
# « l'argumentaire du Points de RepèrESS », « en citant le guide RTES/CRESS »)
_AUTHORS = (
    r"(?:\s+(?:du\s+|de la\s+)?(?:RTES|CRESS)(?:\s*(?:[-/&]|et)\s*(?:la\s+|du\s+|de la\s+)?"
    r"(?:RTES|CRESS))?)"
)
_GUIDE_NAMED = re.compile(
    # this guide, by what users call it: « le guide (du RTES…) », « le Points de RepèrESS
    # (n°10) », « la fiche / publication / brochure du RTES et de la CRESS » — not « les
    # documents à fournir », « des guides », « le Points de RepèrESS n°3 », another one
    r"\b(?:(?:le|du|au|ce|cet)\s+guide\b" + _AUTHORS + r"?(?:\s+sur les ptce)?"
    r"|(?:(?:le|du|au|ce)\s+)?points? de rep[èe]r\w*ess\b(?!\s*(?:du RTES\s*)?n°\s*(?!10\b)\d)"
    + _AUTHORS
    + r"?(?:\s+n°\s*10\b)?"
    r"|(?:(?:la|le|cette|ce|du|de la)\s+)?(?:publication|fiche|brochure|document)"
    + _AUTHORS
    + r")",
    re.I,
)
GUIDE_NAMED_TOPIC = 3  # topic words left, from which the guide named is only the source


def without_the_guide(text: str, core: str) -> str:
    """`text` less the words that name the guide as the source, when the question is about
    something else (three topic words or more besides): « pouvez-vous me lister toutes les
    raisons que le Points de RepèrESS avance pour soutenir un PTCE ? » is about the reasons,
    not about the guide (« c'est quoi ce guide ? » keeps them)."""
    if about_the_guide(core) or not _GUIDE_NAMED.search(text):
        return text
    rest = _GUIDE_NAMED.sub(" ", text)
    if len(topic_terms(_GUIDE_NAMED.sub(" ", core))) < GUIDE_NAMED_TOPIC:
        return text
    return " ".join(rest.split())


def about_the_guide(core: str) -> bool:
    """A question on who published the guide, when, or its title, answered from its front
    matter (« qui peut bénéficier de l'AMI selon le guide ? » is not one)."""
    return bool(_THE_GUIDE.search(core) and _PUBLISHED.search(core)) and len(core) < 160


# Words that ask for help or an opinion without saying on what (« Peux-tu m'aider ? »,
# « Qu'en penses-tu ? », « Comment ça marche ? »)
_CHAT = frozenset(
    analyze(
        "aider aide aidez help penser penses pense conseiller conseilles conseil marche marcher "
        "fonctionne question questions expliquer explique expliquez neuf faire savoir dire "
        "parler besoin info infos information informations renseignement renseignements merci "
        "bonjour salut ok okay hello hi thanks thank think explain works know tell advice "
        "peux pouvez fait merci"
    )
)
_NAMED_WORD = re.compile(r"\b[A-ZÀ-Þ]{2,}\b|(?<=\w )[A-ZÀ-Þ][a-zà-ÿ]{2,}")


def asks_nothing(analysis: Analysis) -> bool:
    """A message that names no subject at all: no topic word beyond asking for help or an
    opinion, no name or acronym, no actor, no kind of answer, not the guide (« Peux-tu
    m'aider ? », « Qu'en penses-tu ? », « bonjour »). Read without a conversation: as a
    follow-up, « pourquoi ? » asks about what was said."""
    named = [w for w in _NAMED_WORD.findall(analysis.text) if not set(analyze(w)) <= _CHAT]
    return (
        set(analyze(analysis.text)) <= _CHAT  # every word, not only the topic's
        and not analysis.actor
        and not analysis.wants
        and not named  # (« OK » is no name)
        and not _THE_GUIDE.search(analysis.text)
        and not typed_acronyms(analysis.text)  # « ptce ? », « scic »
        and not _WHO_CAN.search(analysis.text)  # « Qui peut m'aider ? »: someone to contact
    )


_WHO_CAN = re.compile(r"\b(?:qui|who)\s+(?:peut|pourrait|can|could)\b", re.I)


def analyse(text: str) -> Analysis:
    text = ENGLISH_ASKED.sub("", text).strip() or text
    text = ACKNOWLEDGED.sub("", text) or text  # « D'accord. Et ce pôle… ? »
    core, context = split_context(text)
    m = COUNTED.search(core)
    counted = next(iter(analyze(m.group(1))), "") if m else ""
    # « combien de PTCE le guide cite-t-il ? »: examples (not « combien de membres compte le
    # PTCE cité en exemple ? »)
    if counted in _EXAMPLE_KIN and _CITED.search(core):
        counted = analyze("exemples")[0]
    # « 10 000 habitants » is context; « au-delà des subventions ACTE » is not what is asked
    about = _THE_REGION.sub(" ", POPULATION.sub(" ", set_aside(core)))
    ours = actor_of(context)
    # « Je suis DGS d'une CA. En quoi un PTCE peut aider notre politique… ? »: our CA
    # (« On nous dit que c'est la Région et les EPCI. Par quelles politiques un département
    # peut-il intervenir ? »: the département, named where it is asked)
    asking_part = asked_part(core)
    actor = actor_of(asking_part) if asking_part != core else ""
    actor = actor or actor_of(core) or (ours if _FIRST_PERSON.search(asking_part) else "")
    # « On a une vieille école vide. Il y a un précédent ? »: the sentence that asks says
    # which part of an answer comes first
    sentences = loose_sentences(about)
    asking = [a for a in map(_asking, sentences) if a]
    if len(asking) > 1:
        asking = [a for a in asking if not _empty(a)] or asking
    asked = focus_terms(" ".join(asking)) if len(sentences) > 1 else ()
    asked = asked if len(set(asked) - _AROUND) > THIN else ()  # « Ça a déjà été fait ? »: all
    return Analysis(
        text, core, context, actor, _wants_asked(core), focus_terms(about), ours, counted, asked,
    )  # fmt: skip


def _wants_asked(core: str) -> str:
    """The kind of answer the sentences that ask want (« Notre DSP arrive à échéance. Quelles
    modalités d'achat ? » asks no deadline), or, when they want none, the rest of the message
    (« Je cherche le montant d'ACTE. Vous avez ça ? »)."""
    asking = asked_part(core)
    if asking == core:
        return wants_of(core)
    # or else of what the message says beside them, less what the user tells of their own
    # situation (« Notre DSP arrive bientôt à échéance. »)
    told = [p for p in loose_sentences(core) if not SELF.search(p)]
    return wants_of(asking) or wants_of(" ".join(told))


_FIRST_PERSON = re.compile(
    # (« on sert à quoi ? » is the user; « peut-on déposer… ? » is anyone)
    r"\b(?:notre|nos|nous|(?<!-)on|je|j['’]|puis-je|dois-je|mon|ma|mes|our|we|us|i|my)\b",
    re.I,
)
