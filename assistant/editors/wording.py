"""Every sentence the editors' loop shows to readers and editors, in one place."""

from __future__ import annotations

EMAIL_MASK = "[e-mail]"
PHONE_MASK = "[téléphone]"


def privacy_notice(retention_days: int) -> str:
    """The line under the chat box and in the widget."""
    return (
        "Pour améliorer le guide, les questions restées sans réponse et les avis négatifs sont "
        f"conservés {retention_days} jours, sans adresse IP ni identifiant ; "
        "e-mails et numéros de téléphone sont masqués."
    )


# The feedback API's refusals (one sentence each, nothing stored).
FEEDBACK_MALFORMED = (
    "L'avis est mal formé : envoyez la question (texte), l'objet renvoyé par `ask`, "
    "« up » ou « down » et un commentaire facultatif (texte)."
)
FEEDBACK_RATING = "La note doit être « up » ou « down »."


def feedback_too_long(field: str, limit: int) -> str:
    return f"Le champ « {field} » de l'avis est trop long ({limit} caractères au plus)."


FEEDBACK_TOO_MANY_SOURCES = "L'avis cite trop de sources pour être une réponse de `ask`."

# Editors' commands and admin page.
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
