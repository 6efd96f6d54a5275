"""The kinds of answer a question wants, and whether a text states one.

`wants_of` reads the kind from the question's words (« combien de… » a count, « quel
montant » an amount, « qui préside » a person…); `answers_type` says whether a text states
an answer of that kind: an amount needs a number with € or euros, a date a year or a month,
a count a number of the thing counted, a contact an e-mail, a phone number or a web address.

    >>> wants_of("Combien de communes ont un PTCE ?")
    'count'
    >>> answers_type("count", "En 2021, les communes ont signé.", "commun")
    False
"""

from __future__ import annotations

import re

from ..search.analysis import analyze

# « combien y a-t-il de PTCE ? », « combien existe-t-il de… », « combien compte-t-on de… »
_THERE_ARE = r"(?:y a[- ]t[- ]il|existe[- ]t[- ]il|compte[- ]t[- ]on|en existe[- ]t[- ]il|en a[- ]t[- ]il)\s+"


_WANTS: list[tuple[str, re.Pattern[str]]] = [
    (
        "person",  # a named person, or someone to contact: a name or a way to reach them
        re.compile(
            r"\b(?:personne [àa] (?:contacter|joindre|appeler)|nom de la personne|"
            r"(?:qui est|quel est|nom du|nom de la) (?:le |la )?r[ée]f[ée]rent\w*|contact person|"
            r"qui (?:pr[ée]side|dirige)|"
            # « La CRESS, qui la préside ? » (not « la collectivité qui la préside peut-elle… »)
            r"(?:^|(?<=[.?!,:;]\s)|(?<=\bet\s))qui (?:la |le |les |l['’])(?:pr[ée]side|dirige)|"
            # « qui dois-je appeler…, vous avez un nom et un numéro ? »
            r"qui (?:dois-je|doit-on|faut-il|puis-je|peut-on) appeler|"
            r"un nom (?:et|ou) (?:un )?num[ée]ro|(?:avoir|donner|vous avez|avez-vous) un nom\b(?! d(?:e\b|['’]))|"
            r"comment s['’]appelle(?:nt)? (?:le |la |les |l['’])(?:animat\w*|responsable\w*|"
            r"coordinat\w*|salari\w*|charg[ée]e?s? de mission|directeur|directrice)|"
            # « quel est le nom de l'animateur du PTCE d'Amiens ? »
            r"nom d(?:e l['’]|u |e la )(?:animat\w*|responsable|directeur|directrice|pr[ée]sident\w*|"
            r"coordinat\w*|r[ée]f[ée]rent\w*|charg[ée]e? de mission|technicien\w*|contact|"
            r"interlocut\w*|chercheu\w*|auteur\w*|autrice\w*)|"
            r"(?:qui est|nom du|nom de la|comment s['’]appelle) (?:le|la|les|son|sa) "
            r"(?:pr[ée]sident|pr[ée]sidente|directeur|directrice)s? "
            r"(?:de|du|d['’])|who (?:chairs|heads)|"
            # who holds a post now, or after someone: the guide, of March 2025, cannot say
            # (a question's own « qui », not a relative one: « le dispositif qui remplace… »)
            r"(?:^|(?<=[.?!,:;]\s)|(?<=\bet\s))qui (?:a succ[ée]d[ée]|succ[èe]de|a remplac[ée]|remplace)|"
            r"(?:aujourd['’]hui|actuellement|maintenant),? (?:qui est|c['’]est qui)|"
            r"(?:^|(?<=[.?!,:;]\s)|(?<=\bet\s))qui est [^?.!]{0,80}"
            r"\b(?:actuellement|aujourd['’]hui|en ce moment)(?=\s*\?)|"
            # « c'est toujours Marlène Schiappa qui… ? » (a person's name, not « la Région »)
            r"c['’]est toujours (?-i:[A-ZÀ-Þ])\w+ (?-i:[A-ZÀ-Þ])\w+ qui|who is still in charge|"
            # « c'est toujours elle qui a l'ESS ? », « qui occupe ce poste actuellement ? »
            r"c['’]est toujours (?:elle|lui) qui (?:a l['’]ESS|est (?:ministre|secr[ée]taire|en charge|"
            r"au gouvernement)|occupe)|qui occupe (?:ce|le|son|cet|cette) (?:poste|fonction)|"
            r"(?:^|(?<=[.?!,:;]\s)|(?<=\bet\s)|(?<=\bsinon\s))c['’]est qui (?:le|la) (?:ministre|"
            r"secr[ée]taire|pr[ée]sident\w*)|"
            r"(?:^|(?<=[.?!,:;]\s)|(?<=\bet\s))qui est (?:aujourd['’]hui|actuellement|maintenant|en ce moment)|"
            r"(?:ministre|secr[ée]taire d['’][ée]tat|pr[ée]sident\w*|directeur|directrice) "
            r"(?:actuel\w*|en poste|d['’]aujourd['’]hui)|"
            # « et aujourd'hui, c'est quel ministre qui… ? », « quelle présidente actuellement ? »
            r"(?:aujourd['’]hui|actuellement|maintenant),? c['’]est quel(?:le)? (?:ministre|"
            r"secr[ée]taire|pr[ée]sident\w*|directeur|directrice)|"
            r"quel(?:le)? (?:ministre|secr[ée]taire d['’][ée]tat|pr[ée]sident\w*|directeur|directrice)"
            r"\b[^?.!]{0,60}\b(?:aujourd['’]hui|actuellement|en ce moment)|"
            r"who (?:is|are) (?:now|currently|the current)|who succeeded|who replaced)\b",
            re.I,
        ),
    ),
    (
        "phone",  # « le numéro de la CRESS », not « le numéro 10 des Points de RepèrESS »
        re.compile(
            r"\b(?:t[ée]l[ée]phone|phone|num[ée]ro de t[ée]l\w*|"
            r"(?:quel est (?:le|son)|son|leur|le) num[ée]ro(?!\s*\d)(?! d['’]\w*article))\b",
            re.I,
        ),
    ),
    ("postal", re.compile(r"\b(?:adresse postale|postal address|code postal)\b", re.I)),
    ("email", re.compile(r"\b(?:e-?mail|courriel|adresse (?:e-?)?mail|mail)\b", re.I)),
    (
        "contact",
        # « l'adresse du site », not « à qui s'adresse ACTE ? »
        re.compile(
            # « qui contacter ? », « un contact », not « avant de contacter qui que ce soit »
            r"\b(?:contacts?|contact (?:person|details)|interlocut\w*|comment (?:les |le |la )?joindre|"
            r"reach|adresse du site|website|quel site)\b"
            r"|\b(?:qui|comment|où|whom?|how)\b[^.?!]{0,25}\bcontact\w*"
            r"|\bcontact\w*\s+(?:pour|for|about)\b"
            r"|\b(?:les|le|la|l['’]|vous|lui|leur|them|him|her)\s*contact\w*"  # « les contacter »
            r"|(?<!s['’])\badresse\b",
            re.I,
        ),
    ),
    (
        "percentage",
        re.compile(
            r"\b(?:pourcentage|taux|percent\w*|quelle (?:est (?:la )?)?part|what share|rates?|"
            # « détenir plus de la moitié du capital ? »: a share, as a limit
            r"(?:plus|moins) (?:de la moiti[ée]|d['’]un (?:tiers|quart))|more than half)\b|%",
            re.I,
        ),
    ),
    (
        "duration",
        re.compile(
            r"\b(?:combien (?:d['’]ann[ée]es|de mois|de temps|de semaines)|pendant combien|"
            r"sur combien d['’]ann[ée]es|quelle (?:est (?:la )?)?dur[ée]e|dur[ée]e (?:de|d['’]|du|des)\b|"
            r"dure(?:nt)? combien|how long|for how many years|(?:sur )?quelle p[ée]riode|"
            r"dur[ée]e (?:max\w*|min\w*|totale)|(?:max\w*|min\w*) duration)\b",
            re.I,
        ),
    ),
    (
        "amount",
        re.compile(
            r"\b(?:montants?|quelle somme|somme d['’]argent|quel budget|combien (?:d['’]argent|"
            r"d['’]euros|ça (?:rapporte|co[uû]te)|touche|verse|finance|donne|apporte)|"
            r"(?:touch|re[çc]u|vers|pay|co[uû]t|financ|rapport|donn|attribu)\w*\s+combien(?!\s+d(?:e\b|['’]))|how much|amount|"
            r"combien\b(?!\s+d(?:e\b|['’]))(?=.*\b(?:donn|vers|touch|financ|pai|pay|co[uû]t|rapport|subvention|attribu|"
            r"argent|re[çc]oi|re[çc]ue?s?|obtenue?s?|euros?))|"
            r"euros?|€|plafond|enveloppe|cotisations?|tarifs?|fees?|"
            # what a post pays (« quel salaire prévoir ? »), not whether it may be funded
            r"(?:quel(?:le)?s?|combien|what|typical|average)\W+(?:\w+\W+){0,2}(?:salaires?|"
            r"salar(?:y|ies)|wages?|r[ée]mun[ée]rations?)|(?:salaires?|salar(?:y|ies)|wages?) "
            r"(?:moyens?|typiques?|bruts?|nets?|annuels?|typical|average|range)|"
            # « le budget du RTES », not « on n'a pas le budget pour une réhabilitation »
            r"(?:quel|son|sa|leur|its|the) (?:annual )?budget|"
            r"le budget (?:annuel |total |global )?(?:de|du|des|d['’])|"
            r"budget (?:annuel|total|global|moyen)|quel(?:le)? est (?:le|son|leur) budget|"
            r"quel est (?:le|son|leur) chiffre d['’]affaires|"
            r"what (?:is|was|are) (?:the|its|their) (?:annual )?turnover)\b",
            re.I,
        ),
    ),
    (
        "deadline",  # a date by which to do something: not the year something happened
        re.compile(
            r"\b(?:d[ée]lais?|[ée]ch[ée]ances?|deadlines?|date limite|dates limites|"
            r"jusqu['’]à quand|avant quelle date|by when|due date)\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            # « quand » asks for a date at the start or the end of a question, not as a
            # conjunction (« quand une commune soutient un PTCE, que peut-elle faire ? »)
            # (« qd », as users type it in a hurry)
            r"^\W*(?:et\s+)?(?:c['’]est\s+)?(?:quand|qd)\b|\b(?:quand|qd)\s*(?:est-ce|\?|$)|"
            r"\bquand et o[ùu]\b|"
            # « …, et quand a lieu la prochaine relève ? » (not « et quand on candidate, … »)
            r"(?:,|\bet)\s+quand\s+(?!(?:on|je|j['’]|nous|vous|il|elle|ils|elles|une?|les?|la|l['’]|"
            r"c['’]|ce|cette|ces|notre|nos|votre|vos|mon|ma|mes|leurs?|m[êe]me|bien)\b)"
            r"(?=[^,?]*\?)|"  # (the question ends there: not « et quand Anima…, que faire ? »)
            r"\b(?:quelle ann[ée]e|en quelle|depuis quand|quel mois|date|dates|"
            r"what year|which month|what month|since when|à partir de quand)\b|^\W*when\b",
            re.I,
        ),
    ),
    (
        "count",
        re.compile(
            r"\b(?:combien (?:"
            + _THERE_ARE
            + r")?(?:de|d['’])|(?:quel|le) nombre (?:total )?(?:de|d['’])|"
            r"how many|(?:the|what) number of)\b|^\W*nombre(?: total)?(?: d(?:e\b|['’])|\s+\w)"
            r"|\bnb\b(?=\s+\w)"  # « nb salariés ptce anima »
            r"|\bnombre (?:minimum|maximum|minimal|maximal|min|max) d(?:e\b|['’])",
            re.I,
        ),
    ),
    # "combien ?" alone, « capital max ? »: some number
    (
        "quantity",
        re.compile(r"\b(?:combien|max|maxi|maximum|maximal|mini|minimum|minimal)\b", re.I),
    ),
    (
        "example",  # « un précédent ? », « il y a déjà eu un cas ? », « le guide cite-t-il un PTCE… »
        re.compile(
            # « un cas concret », « du concret », not « des actions concrètes »
            r"\b(?:exemples?|(?:cas|exemples?|du|un|une|des) concr[eè]t(?:e|s|es)?\b|concrets? \?|"
            r"illustr\w*|examples?|instance|pr[ée]c[ée]dents?|"
            r"(?:un|des) cas\b|d[ée]j[àa] (?:eu|fait|vu)|cite[- ]t[- ](?:il|elle) (?:un|une|des))\b",
            re.I,
        ),
    ),
    (
        "list",
        re.compile(
            r"\b(?:quel(?:le)?s (?:sont|raisons|fa[çc]ons|moyens|leviers|piliers|dimensions|"
            r"crit[èe]res|[ée]tapes|acteurs|exemples|ptce|p[ôo]les|"
            # the members of a set: « quelles communes de la MEL soutiennent un PTCE ? »
            r"communes|villes|collectivit[ée]s|structures|associations|entreprises|membres|"
            r"d[ée]partements|r[ée]gions|intercommunalit[ée]s|agglos|partenaires)\b|"
            r"lesquel(?:le)?s|liste|"
            r"[ée]num[ée]r\w*|"
            r"what are the|which are the|(?:which|what) (?:ptces|local authorities|councils|"
            r"municipalities|towns|members|organi[sz]ations|partners)|list)\b",
            re.I,
        ),
    ),
]


def asks_for(kind: str, text: str) -> bool:
    """Does `text` ask, among other things maybe, for this kind of answer (« quel est le
    montant, et quelle est la prochaine date ? » asks for a date too)?"""
    return any(k == kind and p.search(text) for k, p in _WANTS)


_WHEN_CLAUSE = re.compile(
    r"^\W*(?:quand|qd|lorsqu['’]|when)\b[^,?]*,\s*(?=(?:que|qu['’]|comment|quel\w*|qui|où|pourquoi|"
    r"est-ce|peut|doit|faut|how|what|which|who|can|should)\b)",
    re.I,
)


# « combien de raisons et lesquelles ? » asks for the list; « combien de participants et
# quelles collectivités ? » asks for a count, and for something else besides.
_AND_WHICH = re.compile(
    r"\bet (?:lesquel\w*|quel(?:le)?s?\s+(?:sont|étaient|[- ]?(?:ils|elles)\b))", re.I
)


def wants_of(text: str) -> str:
    """The kind of answer asked for: the first that matches in `_WANTS` order."""
    for kind, pattern in _WANTS:
        if (
            kind == "date"
            and _WHEN_CLAUSE.match(text)
            and not pattern.search(_WHEN_CLAUSE.sub("", text, count=1))
        ):
            continue  # « Quand une commune soutient un PTCE, que peut-elle faire ? »
        if pattern.search(text):
            if kind == "count" and _AND_WHICH.search(text):
                return "list"  # "combien de raisons et lesquelles ?"
            return kind
    return ""


_YEAR = r"\b(?:19|20)\d{2}\b"


_MONTH = (
    r"\b(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|"
    r"d[ée]cembre|january|february|march|april|may|june|july|august|september|october|"
    r"november|december)\b"
)


NUMBER_WORD = (
    r"\b(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|vingtaine|two|three|four|five|six)\b"
)


TYPED: dict[str, re.Pattern[str]] = {
    # An amount: euros; a share of the expenses (« limitée à 50% ») also says how much.
    "amount": re.compile(r"\d[\d  .,]*\s*(?:€|euros?\b|k€|m€|%)|€\s*\d", re.I),
    "percentage": re.compile(r"\d\s*%|\bpour ?cent\b|\bpercent\b", re.I),
    "date": re.compile(  # (« association loi 1901 » names a law, not a date)
        rf"(?<!loi ){_YEAR}|{_MONTH}|(?:\b\d+|{NUMBER_WORD})\s*(?:ans|mois|jours|years|months)\b",
        re.I,
    ),
    # A count is a number that is not a year, an amount, a percentage or a "n°3".
    "count": re.compile(
        rf"(?<![n°\d])(?<!n° )\b(?!(?:19|20)\d{{2}}\b)\d[\d  ]*\b(?!\s*(?:€|euros?|%|\d))"
        rf"|{NUMBER_WORD}",
        re.I,
    ),
    # A person to contact or name: the guide must give a way to reach them.
    "person": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\b0\d(?:[ .]?\d{2}){4}\b"),
    "phone": re.compile(r"\b0\d(?:[ .]?\d{2}){4}\b|\+33\s?\d"),
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    # A postal address: a street and a postcode.
    "postal": re.compile(r"\b\d{5}\b.*\b[A-ZÀ-Þ]|\b\d+,?\s+(?:rue|avenue|boulevard|place)\b", re.I),
    # A deadline: « avant le 15 mars », « jusqu'au 30 juin », « date limite ».
    "deadline": re.compile(
        rf"\b(?:avant le|jusqu['’]au|au plus tard le|date limite|d['’]ici le|by|until|before)\s+"
        rf"(?:\d{{1,2}}(?:er)?\s+)?{_MONTH}",
        re.I,
    ),
    "duration": re.compile(
        rf"(?:\b\d+|{NUMBER_WORD})\s*(?:ans|années|mois|semaines|jours|years|months)\b", re.I
    ),
    # "combien ?" with nothing said of what: a number that is not a year or a "n°".
    "quantity": re.compile(
        rf"(?<![n°\d])(?<!n° )\b(?!(?:19|20)\d{{2}}\b)\d[\d  ]*|{NUMBER_WORD}", re.I
    ),
    "contact": re.compile(
        r"[\w.+-]+@[\w-]+\.[\w.]+|\b0\d(?:[ .]?\d{2}){4}\b|\bwww\.[\w-]+\.\w+|https?://", re.I
    ),
}


# Words that say which kind of answer is wanted, not what it is about.
CUE_TERMS = frozenset(
    analyze(
        "durée dure durent temps pendant durant période années ans mois longtemps s'appelle préside président présidente directeur "
        "montant montants budget euros euro plafond enveloppe pourcentage taux part date "
        "dates délai échéance année quand nombre combien contact contacter téléphone mail courriel "
        "adresse joindre personne nom interlocuteur référent amount much many when deadline year "
        "percentage rate number phone email"
    )
)


COUNTED = re.compile(
    r"\b(?:combien|nombre|nb|how many|number of)\s+(?:" + _THERE_ARE + r")?"
    r"(?:(?:minimum|maximum|minimal|maximal|min|max|total)\s+)?"
    r"(?:de\s+|d['’]\s*|of\s+)?(?:(?:local|public|different|main|small|large|petite?s|"
    r"grande?s|diff[ée]rente?s)\s+)?(\w+)",  # « how many local authorities »: authorities
    re.I,
)


# What users count and the words the guide counts them with: « combien de PTCE ? » is
# answered by « 2 dynamiques naissantes », « combien d'adhérents ? » by « 200 collectivités ».
_COUNTED_AS = [
    frozenset(analyze(words))
    for words in (
        "ptce pôle pôles dynamique dynamiques projet projets initiative initiatives",
        "projet projets lauréat lauréats dossier dossiers",
        "adhérent adhérents membre membres collectivité collectivités",
        "structure structures organisation organisations organisme organismes membre membres "
        "acteur acteurs association associations entreprise entreprises partenaire partenaires",
        "exemple exemples example examples",
    )
]


def counted_as(counted: str) -> frozenset[str]:
    """The stems that count as the thing counted (itself and its kin)."""
    kin = [group for group in _COUNTED_AS if counted in group]
    return frozenset({counted}.union(*kin))


EXAMPLE_WORDS = frozenset(analyze("exemple exemples example examples"))


# Words nearly every head names (« PTCE = Pôles Territoriaux… : », « Soutenir un PTCE
# par : »): a list under them is of something else, unless a number says it is of them.
_SUBJECT_TERMS = frozenset(analyze("ptce pôle pôles"))


# What a list is of, whatever its line says: « combien de piliers ? » is answered by the four
# dimensions, « combien de façons… ? » by the ways listed.
_LIST_NOUNS = frozenset(
    analyze(
        "raison raisons façon façons manière manières moyen moyens levier leviers pilier piliers "
        "dimension dimensions critère critères étape étapes possibilité possibilités forme "
        "formes lettre lettres mot mots ways reasons pillars steps criteria letters"
    )
)


# (« la liste des projets », « le nombre de projets »: what is listed, not a complement)
_COMPLEMENT = re.compile(
    r"(?<!\bliste )(?<!\bnombre )(?<!\bensemble )\b(?:du|de la|de l['’]|des|d['’])\s*[\w-]+", re.I
)


def _lists(head: str, kin: frozenset[str]) -> bool:
    """Does a list's introducing line (or title) say it lists things of `kin`? (« les
    étapes du projet : » lists steps: a word after « du », « de la », « des » qualifies
    another.)"""
    head = _COMPLEMENT.sub(" ", head)
    terms = analyze(head)
    counted = [i for i, t in enumerate(terms) if t in kin]
    return any(
        terms[i] not in _SUBJECT_TERMS
        or (i > 0 and re.fullmatch(rf"\d+|{NUMBER_WORD}", terms[i - 1], re.I))
        for i in counted
    )


def answers_type(wants: str, text: str, counted: str = "", *, exact: bool = False) -> bool:
    """Does `text` state the kind of answer asked for? An amount needs a number with € or
    euros, a percentage a %, a date a year, a month or a duration, a count a number that is
    not one of those, a contact an e-mail, a phone number or a web address. A list answers
    a count. Kinds with no type (a definition, an example…) always pass. `exact`: a count is
    of the thing counted itself, not of its kin (« 15 lauréats », not « 108 projets »)."""
    pattern = TYPED.get(wants)
    if pattern is None:
        return True
    kin = ({counted} if exact else counted_as(counted)) if counted else frozenset()
    if wants == "count" and len(re.findall(r"(?m)^- ", text)) >= 2:
        # a list of the things counted: its introducing line, or the title, names them
        # (the title only when no line introduces the list: « Qui peut déposer un projet
        # ACTE » lists who may apply, « est à destination : », not projects to count)
        heads = re.findall(r"(?m)^(.*):\s*(?:\[\d+\])*\s*\n- ", text) or [text.split("\n", 1)[0]]
        # a list of examples counts the examples, not all there are (« combien de PTCE en
        # Hauts-de-France ? » is not answered by the six the guide cites)
        heads = [
            h for h in heads if EXAMPLE_WORDS.isdisjoint(analyze(h)) or counted in EXAMPLE_WORDS
        ]
        if (not counted or counted in _LIST_NOUNS) and heads or any(_lists(h, kin) for h in heads):
            return True
    if wants == "count" and counted:
        # "combien de communes" is answered by a number of communes: « 200 collectivités »,
        # « 2 dynamiques naissantes », not « deux saisons d'appels à projets » nor « six PTCE
        # cités en exemple »
        if counted not in EXAMPLE_WORDS:
            text = "\n".join(
                line for line in text.splitlines() if EXAMPLE_WORDS.isdisjoint(analyze(line))
            )
        return any(
            kin & set(analyze(text[m.end() : m.end() + 40])[:2]) for m in pattern.finditer(text)
        )
    return bool(pattern.search(text))
