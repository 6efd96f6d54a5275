"""Every text template the assistant shows or sends, named, in one module.

The abstention messages are what a user reads when the guide has no answer; they say what
the guide does cover and point to the nearest sections found.
"""

from __future__ import annotations

from string import Template

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

ABSTAIN_LOW_SUPPORT = {
    "fr": Template(
        "Le guide « Points de RepèrESS n°10 » ne répond pas à cette question. "
        "Il traite de $topics.$nearest"
    ),
    "en": Template(
        'The guide ("Points de RepèrESS n°10", in French) does not answer this question. '
        "It covers $topics.$nearest"
    ),
}
NEAREST = {
    "fr": Template(" Sections les plus proches : $sections."),
    "en": Template(" Nearest sections: $sections."),
}
ABSTAIN_UNKNOWN = {
    "fr": Template(
        "Le guide « Points de RepèrESS n°10 » ne mentionne pas $entities : il ne peut donc pas "
        "répondre à cette question. Il traite de $topics."
    ),
    "en": Template(
        'The guide ("Points de RepèrESS n°10", in French) never mentions $entities, so it cannot '
        "answer this question. It covers $topics."
    ),
}
ABSTAIN_INJECTION = {
    "fr": Template(
        "Je ne peux pas changer de consignes : je réponds uniquement, avec des sources, à des "
        "questions sur le guide « Points de RepèrESS n°10 », qui traite de $topics."
    ),
    "en": Template(
        "I cannot change my instructions: I only answer, with sources, questions about the guide "
        '"Points de RepèrESS n°10", which covers $topics.'
    ),
}


def _quote(items: list[str], lang: str) -> str:
    return ", ".join(f"« {s} »" if lang == "fr" else f'"{s}"' for s in items)


def abstention(
    reason: str, lang: str, nearest_sections: list[str], entities: list[str] | None = None
) -> str:
    """The message shown when the assistant does not answer."""
    lang = lang if lang in ("fr", "en") else "fr"
    topics = GUIDE_TOPICS_EN if lang == "en" else GUIDE_TOPICS_FR
    if reason == "injection":
        return ABSTAIN_INJECTION[lang].substitute(topics=topics)
    if reason == "unknown_entity" and entities:
        return ABSTAIN_UNKNOWN[lang].substitute(entities=_quote(entities, lang), topics=topics)
    nearest = ""
    if nearest_sections:
        nearest = NEAREST[lang].substitute(sections=_quote(nearest_sections, lang))
    return ABSTAIN_LOW_SUPPORT[lang].substitute(topics=topics, nearest=nearest)
