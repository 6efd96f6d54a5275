"""Every sentence a person reads, in French and English, named, in one module.

Readers of the chat and the widget (refusals, notes, notices, labels, the greeting), users of
the CLI and the API (what is wrong with a question, a rating or the rate), and the guide's
editors (the digest, the admin page). What the language model is told is in `prompts`;
diagnostics for whoever runs the commands (a missing file, a bad setting) stay where they
are raised.

The guide is named from the corpus' own metadata (`identity.GuideIdentity`), never here:

    >>> from .identity import GuideIdentity
    >>> g = GuideIdentity("g", "Guide A — Tome 2", "Éditeur", "2024-05")
    >>> guide_reference(g)
    '« Guide A » (Éditeur, mai 2024)'
    >>> abstention("low_support", "fr", [], guide=g)[:48]
    'Le guide « Guide A » ne répond pas à cette quest'
"""

from __future__ import annotations

import re
from string import Template

from .identity import UNKNOWN_GUIDE, GuideIdentity

# ------------------------------------------------------------------ the guide, named

# What the guide covers, said when it does not answer. Content, not metadata: the front
# matter has no summary.
GUIDE_TOPICS_FR = (
    "ce qu'est un PTCE (loi ESS de 2014, article 9), pourquoi et comment les collectivités "
    "(région, département, intercommunalité, commune) les soutiennent, les financements "
    "(dispositif ACTE de la Région Hauts-de-France, AMI de l'État « PTCE émergents », AMI du "
    "Département de la Somme), les SCIC, le foncier et des exemples en Hauts-de-France"
)
GUIDE_TOPICS_EN = (
    "what a PTCE is (2014 French social economy law, article 9), why and how local authorities "
    "(region, département, intercommunality, municipality) support them, funding (the Hauts-de-France "
    "Region's ACTE scheme, the State's \"PTCE émergents\" call, the Somme Département's call), SCICs, "
    "land and examples in Hauts-de-France"
)
MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
}


def date_words(date: str, lang: str = "fr") -> str:
    """ "2025-03" reads "mars 2025" ("March 2025"); anything else is kept as it is."""
    year, _, month = date.partition("-")
    if month.isdigit() and 1 <= int(month) <= 12:
        return f"{MONTHS[_lang(lang)].split()[int(month) - 1]} {year}"
    return date


def guide_reference(guide: GuideIdentity, *, dated: bool = True) -> str:
    """ "« Name » (publisher, month year)", from the corpus' metadata; "" for an unknown guide."""
    if not guide.name:
        return ""
    details = [guide.publisher, date_words(guide.date) if dated else ""]
    inside = ", ".join(d for d in details if d)
    return f"« {guide.name} »" + (f" ({inside})" if inside else "")


def _named(guide: GuideIdentity, lang: str) -> str:
    """What follows "Le guide" / "The guide": its name (and, in English, that it is French)."""
    if lang == "en":
        return f' ("{guide.name}", in French)' if guide.name else " (in French)"
    return f" « {guide.name} »" if guide.name else ""


# ------------------------------------------------------------------ refusals

ABSTAIN_LOW_SUPPORT = {
    "fr": Template("Le guide$named ne répond pas à cette question. Il traite de $topics.$nearest"),
    "en": Template("The guide$named does not answer this question. It covers $topics.$nearest"),
}
NEAREST = {
    "fr": Template(" Sections les plus proches : $sections."),
    "en": Template(" Nearest sections: $sections."),
}
ABSTAIN_UNKNOWN = {
    "fr": Template(
        "Le guide$named ne mentionne pas $entities : il ne peut donc pas "
        "répondre à cette question. Il traite de $topics."
    ),
    "en": Template(
        "The guide$named never mentions $entities, so it cannot "
        "answer this question. It covers $topics."
    ),
}
NO_QUESTION = {
    "fr": Template(
        "Posez-moi une question sur le guide$named, qui traite de $topics. Par exemple : "
        "« Comment un département peut-il financer l'animation d'un PTCE ? »"
    ),
    "en": Template(
        "Ask me a question about the guide$named, which covers $topics. For example: "
        '"How can a département fund the facilitation of a PTCE?"'
    ),
}
ABSTAIN_INJECTION = {
    "fr": Template(
        "Je ne peux pas changer de consignes : je réponds uniquement, avec des sources, à des "
        "questions sur le guide$named, qui traite de $topics."
    ),
    "en": Template(
        "I cannot change my instructions: I only answer, with sources, questions about the guide"
        "$named, which covers $topics."
    ),
}


def _quote(items: list[str], lang: str) -> str:
    return ", ".join(f"« {s} »" if lang == "fr" else f'"{s}"' for s in items)


def abstention(
    reason: str,
    lang: str,
    nearest_sections: list[str],
    entities: list[str] | None = None,
    *,
    guide: GuideIdentity = UNKNOWN_GUIDE,
) -> str:
    """The message shown when the assistant does not answer."""
    lang = _lang(lang)
    topics = GUIDE_TOPICS_EN if lang == "en" else GUIDE_TOPICS_FR
    named = _named(guide, lang)
    if reason == "injection":
        if lang == "en":  # "about the guide "X", which covers"
            named = f' "{guide.name}"' if guide.name else ""
        return ABSTAIN_INJECTION[lang].substitute(named=named, topics=topics)
    if reason == "no_question":  # « Peux-tu m'aider ? »: what it can be asked
        return NO_QUESTION[lang].substitute(named=named, topics=topics)
    if reason == "unknown_entity" and entities:
        return ABSTAIN_UNKNOWN[lang].substitute(
            named=named, entities=_quote(entities, lang), topics=topics
        )
    nearest = ""
    if nearest_sections:
        nearest = NEAREST[lang].substitute(sections=_quote(nearest_sections, lang))
    return ABSTAIN_LOW_SUPPORT[lang].substitute(named=named, topics=topics, nearest=nearest)


def declines(answer: str) -> bool:
    """Is `answer` one of the assistant's refusals (the guide does not say, does not mention,
    or the user is invited to ask)? Its words are not what the conversation was about."""
    opening = answer.lstrip()[:160]
    said = [
        *NOT_IN_GUIDE.values(),
        *(t for kinds in NOT_IN_GUIDE_TYPED.values() for t in kinds.values()),
    ]
    return opening.startswith(tuple(said)) or bool(_DECLINE_OPENING.match(opening))


_DECLINE_OPENING = re.compile(
    r"(?:Le guide\b[^.]{0,80}\b(?:ne répond pas|ne mentionne pas)|The guide\b[^.]{0,80}\b"
    r"(?:does not answer|never mentions)|Posez-moi une question|Ask me a question|"
    r"Je ne peux pas changer|I cannot change)"
)


# A refusal that helps: one sentence saying the guide does not say it, the nearest thing it
# does say (cited), and where to ask (the guide's own "plus d'informations" addresses, cited).
NOT_IN_GUIDE = {
    "fr": "Le guide ne le précise pas.",
    "en": "The guide (in French) does not say.",
}
NOT_IN_GUIDE_TYPED = {
    "fr": {
        "amount": "Le guide ne donne pas ce montant.",
        "percentage": "Le guide ne donne pas ce pourcentage.",
        "date": "Le guide ne donne pas cette date.",
        "deadline": "Le guide ne donne pas de date limite ni de délai.",
        "count": "Le guide ne donne pas ce nombre.",
        "contact": "Le guide ne donne pas ce contact.",
        "person": "Le guide ne donne pas ce nom ni de personne à contacter.",
        "phone": "Le guide ne donne pas de numéro de téléphone.",
        "email": "Le guide ne donne pas d'adresse e-mail.",
        "postal": "Le guide ne donne pas d'adresse postale.",
        "duration": "Le guide ne donne pas cette durée.",
        "spelled": "Le guide ne développe pas ce sigle.",
        "spelled_many": "Le guide ne développe pas ces sigles.",
        "status": "Le guide ne dit pas ce qu'il en est advenu depuis.",
    },
    "en": {
        "amount": "The guide (in French) does not give this amount.",
        "percentage": "The guide (in French) does not give this percentage.",
        "date": "The guide (in French) does not give this date.",
        "deadline": "The guide (in French) gives no deadline.",
        "count": "The guide (in French) does not give this number.",
        "contact": "The guide (in French) does not give this contact.",
        "person": "The guide (in French) does not give this name or a person to contact.",
        "phone": "The guide (in French) gives no phone number.",
        "email": "The guide (in French) gives no e-mail address.",
        "postal": "The guide (in French) gives no postal address.",
        "duration": "The guide (in French) does not give this duration.",
        "spelled": "The guide (in French) does not spell out this acronym.",
        "spelled_many": "The guide (in French) does not spell out these acronyms.",
        "status": "The guide (in French) does not say what became of it since.",
    },
}
NEARBY = {
    "fr": Template("Il indique seulement : « $sentence » $cite"),
    "en": Template('It only says: "$sentence" $cite'),
}
ASK = {
    "fr": Template("Pour en savoir plus : $addresses $cite"),
    "en": Template("To find out more: $addresses $cite"),
}


def helpful_refusal(
    lang: str,
    wants: str = "",
    nearby: tuple[str, str] | None = None,
    ask: tuple[str, str] | None = None,
) -> str:
    """The guide does not say it; what it says nearby (sentence, citation); where to ask
    (addresses, citation)."""
    lang = _lang(lang)
    parts = [NOT_IN_GUIDE_TYPED[lang].get(wants) or NOT_IN_GUIDE[lang]]
    if nearby:
        parts.append(NEARBY[lang].substitute(sentence=nearby[0].rstrip("."), cite=nearby[1]))
    if ask:
        parts.append(ASK[lang].substitute(addresses=ask[0], cite=ask[1]))
    return " ".join(parts)


# ------------------------------------------------------------------ answers

# Questions about the document itself, answered from its front matter.
GUIDE_META = {
    "fr": Template("Le guide « $title » a été publié par $publisher, en $date. $cite"),
    "en": Template('The guide "$title" (in French) was published by $publisher in $date. $cite'),
}


# « Que veut dire ESS ? »: the acronym spelled out as the guide writes it.
ACRONYM_MEANING = {
    "fr": Template("« $acronym » signifie « $spelled » dans le guide. $cite"),
    "en": Template('"$acronym" stands for « $spelled » (French) in the guide. $cite'),
}


def acronym_meaning(lang: str, acronym: str, spelled: str, cite: str) -> str:
    return ACRONYM_MEANING[_lang(lang)].substitute(acronym=acronym, spelled=spelled, cite=cite)


def guide_meta(lang: str, title: str, publisher: str, date: str, cite: str) -> str:
    """ "Who published the guide, when": from the document's title, publisher and date
    ("2025-03" reads "mars 2025")."""
    lang = _lang(lang)
    return GUIDE_META[lang].substitute(
        title=title, publisher=publisher, date=date_words(date, lang), cite=cite
    )


# Before the French passages of an extractive answer to an English question.
ENGLISH_PREFACE = "The guide is in French; here is what it says (passages quoted as written):"

# Notes: what the verifier changed in an LLM answer, and why an answer fell back to the
# extractive one. The fallback note is also shown under the answer.
VERIFY_NOTES = {
    "fr": {
        "bad_citation": Template("Citation [$n] retirée : il n'y a pas de passage $n."),
        "uncited": Template("Phrase sans citation retirée : « $sentence »"),
        "repeated": Template("Phrase répétée retirée : « $sentence »"),
        "unrelated": Template(
            "Phrase retirée (sans rapport avec le passage cité $cited) : « $sentence »"
        ),
        "dropped": Template(
            "Phrase retirée ($missing absent du passage cité $cited) : « $sentence »"
        ),
        "replaced": Template(
            "Phrase remplacée par l'extrait du passage $cited ($missing absent) : « $sentence »"
        ),
    },
    "en": {
        "bad_citation": Template("Citation [$n] removed: there is no passage $n."),
        "uncited": Template("Sentence without a citation removed: “$sentence”"),
        "repeated": Template("Repeated sentence removed: “$sentence”"),
        "unrelated": Template("Sentence removed (unrelated to cited passage $cited): “$sentence”"),
        "dropped": Template("Sentence removed ($missing not in cited passage $cited): “$sentence”"),
        "replaced": Template(
            "Sentence replaced by the extract of passage $cited ($missing not in it): “$sentence”"
        ),
    },
}
FALLBACK_NOTE = {
    "fr": Template("Réponse extraite du guide telle quelle : $why."),
    "en": Template("Answer extracted from the guide as is: $why."),
}
INTERRUPTED_NOTE = {
    "fr": Template("Réponse interrompue : $why."),
    "en": Template("Answer cut short: $why."),
}
FALLBACK_WHY = {
    "fr": {
        "timeout": "le modèle de langue n'a pas répondu à temps",
        "connection": "le modèle de langue est injoignable",
        "rate_limit": "le modèle de langue refuse les requêtes pour le moment (limite atteinte)",
        "server": "le modèle de langue a renvoyé une erreur",
        "malformed": "la réponse du modèle de langue était inutilisable",
        "unsupported": "la réponse du modèle de langue ne s'appuyait sur aucun passage cité",
        "error": "le modèle de langue a échoué",
    },
    "en": {
        "timeout": "the language model did not answer in time",
        "connection": "the language model cannot be reached",
        "rate_limit": "the language model is refusing requests for now (rate limit)",
        "server": "the language model returned an error",
        "malformed": "the language model's reply was unusable",
        "unsupported": "the language model's reply was not supported by any cited passage",
        "error": "the language model failed",
    },
}


def verify_note(kind: str, lang: str, **fields: object) -> str:
    return VERIFY_NOTES[_lang(lang)][kind].substitute(**fields)


def fallback_note(why: str, lang: str, *, interrupted: bool = False) -> str:
    lang = _lang(lang)
    reason = FALLBACK_WHY[lang].get(why, FALLBACK_WHY[lang]["error"])
    return (INTERRUPTED_NOTE if interrupted else FALLBACK_NOTE)[lang].substitute(why=reason)


# ------------------------------------------------------------------ what is wrong with a question

QUESTION_NOT_TEXT = "La question doit être du texte."
QUESTION_BINARY = "La question contient des caractères binaires ; envoyez du texte."
QUESTION_EMPTY = "La question est vide : posez une question sur les PTCE."
QUESTION_NO_WORD = "La question ne contient aucun mot : posez une question sur les PTCE."


def question_too_long(length: int, max_chars: int) -> str:
    return f"La question est trop longue ({length} caractères ; {max_chars} au plus) : raccourcissez-la."


RATE_LIMITED = "Trop de questions à la suite : réessayez dans un instant."
UNEXPECTED = "Une erreur inattendue est survenue : réessayez dans un instant."
# The JSON API's answer to a body that is not a JSON object (`web/api.py`).
NOT_JSON = 'Envoyez un objet JSON, par exemple {"question": "Qu\'est-ce qu\'un PTCE ?"}.'


# ------------------------------------------------------------------ the chat and the widget

APP_TITLE = "Assistant PTCE"
EXAMPLE_QUESTIONS = (
    "Comment un département peut-il financer l'animation d'un PTCE ?",
    "Qu'est-ce qu'un PTCE ?",
    "Pourquoi un PTCE choisit-il la forme SCIC ?",
)


def greeting(guide: GuideIdentity) -> str:
    """The first words of an empty chat (unless the operator set `--greeting`)."""
    reference = guide_reference(guide, dated=False)
    return (
        "Bonjour ! Je réponds à vos questions sur les Pôles territoriaux de coopération "
        f"économique (PTCE) à partir du guide{' ' + reference if reference else ''}. "
        "Chaque réponse cite le guide : cliquez sur un numéro [1] pour lire le passage."
    )


def header(guide: GuideIdentity) -> str:
    """The line under the chat's title."""
    reference = guide_reference(guide)
    return (
        f"Réponses tirées du guide{' ' + reference if reference else ''}, "
        "avec le passage cité pour chaque phrase."
    )


CHECK_THE_PASSAGE = (
    "L'assistant ne répond qu'avec des phrases du guide. "
    "Vérifiez le passage cité avant de le reprendre."
)
CONVERSATION_LABEL = "Conversation"
QUESTION_LABEL = "Votre question"
QUESTION_PLACEHOLDER = "Posez votre question sur les PTCE…"
SEND = "Envoyer"
NEW_CONVERSATION = "Nouvelle conversation"
CONTINUE = "Pour continuer :"  # above the suggested follow-ups (a CSS `content`, injected)
COMMENT_LABEL = "Un commentaire ? (facultatif)"
COMMENT_LABEL_DOWN = "Qu'est-ce qui n'allait pas ? (facultatif)"
SEND_COMMENT = "Envoyer le commentaire"
CLOSE = "Fermer"
THANKS = "Merci pour votre avis."
THANKS_NOT_SAVED = "Merci ! (Votre avis n'a pas pu être enregistré.)"
COMMENT_SAVED = "Commentaire enregistré, merci."
COMMENT_NOT_SAVED = "Le commentaire n'a pas pu être enregistré."

# An answer's parts.
NO_ANSWER_TITLE = "Pas de réponse dans le guide"
SOURCES_TITLE = "Sources dans le guide"
OPEN_IN_GUIDE = "Ouvrir dans le guide"  # the link under a cited passage, to the app's /guide


def source_title(n: int, section: str) -> str:
    """The tooltip of a citation `[n]`."""
    return f"Source {n} : {section}"


def about_section(heading: str) -> str:
    """The question a suggested follow-up sends for a section whose heading is not a question."""
    return f"Que dit le guide sur « {heading} » ?"


def privacy_notice(retention_days: int) -> str:
    """The line under the chat box and in the widget."""
    return (
        "Pour améliorer le guide, les questions restées sans réponse et les avis négatifs sont "
        f"conservés {retention_days} jours, sans adresse IP ni identifiant ; "
        "e-mails et numéros de téléphone sont masqués."
    )


# ------------------------------------------------------------------ the feedback API

# Its refusals: one sentence each, nothing stored.
FEEDBACK_MALFORMED = (
    "L'avis est mal formé : envoyez la question (texte), l'objet renvoyé par `ask`, "
    "« up » ou « down » et un commentaire facultatif (texte)."
)
FEEDBACK_RATING = "La note doit être « up » ou « down »."
FEEDBACK_TOO_MANY_SOURCES = "L'avis cite trop de sources pour être une réponse de `ask`."


def feedback_too_long(field: str, limit: int) -> str:
    return f"Le champ « {field} » de l'avis est trop long ({limit} caractères au plus)."


# ------------------------------------------------------------------ the guide's editors

EMAIL_MASK = "[e-mail]"  # what replaces an e-mail address or a phone number in stored text
PHONE_MASK = "[téléphone]"
NO_ROWS = "Aucune question sans réponse ni avis négatif sur la période."
UNKNOWN_GROUP = "Aucun groupe « {group} » dans le digest : lancez `python -m assistant digest` pour voir les identifiants."
DRAFT_EXISTS = "Le brouillon {path} existe déjà : ajoutez --force pour le remplacer."
NO_SKLEARN = 'Le digest a besoin de scikit-learn : pip install -e ".[editors]".'
NO_MATPLOTLIB = (
    "Graphique PNG non produit : matplotlib n'est pas installé (pip install matplotlib)."
)
DIGEST_TITLE = "Questions sans réponse et avis négatifs"
ADMIN_REALM = "Assistant PTCE - redaction"  # HTTP headers are ASCII
ADMIN_UNAVAILABLE = "Le digest est indisponible pour le moment : réessayez plus tard."
ADMIN_UNAUTHORIZED = "Accès réservé à l'équipe éditoriale : jeton requis."


def _lang(lang: str) -> str:
    return lang if lang in ("fr", "en") else "fr"
