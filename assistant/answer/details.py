"""Details of a scheme the guide may or may not give: which expenses are eligible, how a grant
is paid, booked or taxed, how to apply, a minimum number of members, funding again after a
first grant. A question on one of them is answered only by a text that states that detail,
not by the scheme's amount or rate (« quelles dépenses sont éligibles ? » is not answered by
« limitée à 50 % des dépenses éligibles »).

    details_stated("Quelles dépenses sont éligibles à ACTE ?", "limitée à 50 % des dépenses
    éligibles")  -> False
"""

from __future__ import annotations

import re

# Details of a scheme a question may ask for (« quelles dépenses sont éligibles ? », « versée
# en une fois ou en plusieurs tranches ? », « sur quelle plateforme déposer le dossier ? »,
# « on l'impute en fonctionnement ? »), each with what an answer giving it must say: a rate
# « de 50 % des dépenses éligibles » does not say which expenses are.
_DETAILS = [
    (  # which expenses are eligible
        re.compile(
            r"\b(?:quel(?:le)?s?|which|what)\s+(?:sont\s+les\s+)?(?:d[ée]penses|frais|co[ûu]ts|"
            r"charges|expenses|costs)(?:\s+\w+)?\s+(?:sont\s+|are\s+)?(?:[ée]ligibles?|eligible|"
            r"pris\w* en (?:charge|compte))"
            # « lesquelles de ces dépenses sont éligibles ? », « dépenses éligibles liste »
            r"|\blesquel\w*\s+(?:(?:de\s+ces|des|de\s+vos|de\s+nos|parmi\s+les)\s+)?"
            r"(?:d[ée]penses|frais|co[ûu]ts)"
            r"|\bd[ée]penses?\s+[ée]ligibles?\s+(?:liste|list)\b|\bliste\s+(?:des\s+)?d[ée]penses?\s+"
            r"[ée]ligibles?\b|\b(?:is|are)\b[^?]{0,40}\ban? eligible\s+(?:expense|cost)\b"
            # « l'investissement matériel est-il pris en compte ? »
            r"|\b(?:salaires?|mat[ée]riel|v[ée]hicules?|investissements?|prestations?)\b.{0,60}"
            r"\bpris\w* en (?:compte|charge)"
            r"|\b(?:d[ée]penses?|expenses|costs)\s+(?:[ée]ligibles?|eligible)\b.{0,100}\b(?:salaires?|"
            r"mat[ée]riel|v[ée]hicules?|investissements?|fonctionnement|prestations?|frais|"
            r"salar(?:y|ies)|equipment|vehicles?|staff)"
            r"|\b(?:salaires?|mat[ée]riel|v[ée]hicules?|prestations?|frais|salar(?:y|ies)|equipment|"
            r"vehicles?)\b.{0,100}\b(?:d[ée]penses?|expenses|costs)\s+(?:[ée]ligibles?|eligible)"
            r"|\bliste des d[ée]penses\b|\blist of (?:eligible )?(?:expenses|costs)\b"
            # « ACTE prend-il en charge l'achat de bâtiments ? »
            r"|\bprend\w*(?:-(?:t-)?(?:il|elle|ils|elles))?\s+en charge\s+(?:l['’]achat|les?\s+"
            r"(?:achats?|salaires?|investissements?|travaux|loyers?|frais))\b"
            # « les dépenses d'investissement sont-elles éligibles ? »
            r"|\bd[ée]penses?\s+d['’]\w+\s+(?:sont|seraient|est|serait)(?:-(?:elles|elle))?\s+"
            r"(?:[ée]ligibles?|pris\w* en (?:compte|charge))",
            re.I,
        ),
        re.compile(
            r"\b(?:sont|est|seront)\s+(?:[ée]ligibles?|pris\w* en charge)\b|d[ée]penses [ée]ligibles\s*"
            r"(?::|comprennent|incluent|sont)",
            re.I,
        ),
    ),
    (  # how a grant is paid
        re.compile(
            r"\bvers[ée]e?s?\s+(?:d['’]un coup|à la signature|sur (?:plusieurs|\d))|"
            r"\ben (?:une seule fois|une fois|plusieurs fois|plusieurs tranches)|\btranches?\b|"
            r"\bacomptes?\b|\b[ée]ch[ée]ancier|\b[ée]tal[ée]e?s? sur|\bpaid (?:in|out|up ?front)|"
            r"\binstal?lments?\b|payment schedule",
            re.I,
        ),
        re.compile(r"\bvers(?:[ée]|ement)|\btranche|\bacompte|\binstal?lment", re.I),
    ),
    (  # how it is booked
        re.compile(
            r"\bcomptabilis\w*|\bimput\w*|\bsection (?:de )?(?:fonctionnement|investissement)|"
            r"fonds d[ée]di[ée]s|produits constat[ée]s|\baccounting\b|\bbook(?:ed|keeping)\b",
            re.I,
        ),
        re.compile(r"\bcomptab|\bimput", re.I),
    ),
    (  # a minimum number of members: a threshold, not how many a PTCE happens to have
        re.compile(
            r"\bnombre (?:minimum|minimal|requis)\b|\bseuil minimal de (?:membres|structures)\b|"
            r"\bminimum d(?:e\s+|['’]\s*)(?:membres|structures|partenaires|acteurs|entreprises)|"
            r"\bcombien d(?:e\s+|['’]\s*)(?:membres|"
            r"structures|partenaires|acteurs)\b[^?.]{0,40}\b(?:au minimum|minimum|faut-il|requis)|"
            r"\bminimum number\b|\bat least how many\b",
            re.I,
        ),
        re.compile(r"\bau moins\b|\bminimum\b|\bat least\b", re.I),
    ),
    (  # funding again after a first grant
        re.compile(
            # (asked, not told: « c'est épuisant de tout redemander chaque année » is not)
            r"\b(?:peut|pourra|pourrait|pouvons|peut-on|peut-il|peut-elle|pouvons-nous|peuvent|"
            r"peuvent-ils|peuvent-elles|possible de)\b[^?.]{0,40}"
            r"\b(?:[êe]tre refinanc\w*|redemander|red[ée]poser|un second dossier|une deuxi[èe]me "
            r"(?:subvention|aide|fois|demande|dossier))|"
            r"\b(?:can|could|may) (?:we|it|they|a project) (?:apply again|reapply|re-apply|get a "
            r"second (?:grant|round))",
            re.I,
        ),
        re.compile(
            r"\b(?:peut|peuvent|pourra) (?:[êe]tre )?(?:refinanc|renouvel)|\brenouvelable|"
            r"\bune seule fois\b",
            re.I,
        ),
    ),
    (  # how it is taxed (not « EPCI à fiscalité propre »)
        re.compile(
            r"\bTVA\b|\bVAT\b|\bfiscalit[ée] (?:des|du|applicable)|\br[ée]gime fiscal|"
            r"\bimp[ôo]ts? sur|\bassujetti\w*|\btax(?:ation)? (?:treatment|rules|regime)|"
            r"\bsubject to (?:VAT|tax)",
            re.I,
        ),
        re.compile(r"\bTVA\b|\bVAT\b|r[ée]gime fiscal|\bimp[ôo]t", re.I),
    ),
    (  # how to apply
        re.compile(
            r"\bsur quelle plateforme|\bquelles? pi[èe]ces\b|\bdossier[- ]type|"
            r"\bcomment (?:on\s+)?(?:candidate|candidater|postuler|d[ée]poser)|"
            r"\bo[ùu] (?:d[ée]poser|candidater|postuler)|\bhow (?:to|do we|can we|do i) apply|"
            r"\bapplication (?:form|platform|portal)",
            re.I,
        ),
        re.compile(r"plateforme de d[ée]p[ôo]t|dossier de candidature|\bcandidat|formulaire", re.I),
    ),
]


def details_stated(core: str, answer: str) -> bool:
    """A question on a detail of a scheme (which expenses are eligible, how the grant is paid,
    booked or taxed, how to apply) is answered only by a text that gives that detail."""
    return all(not asked.search(core) or said.search(answer) for asked, said in _DETAILS)
