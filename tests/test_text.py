"""The one sentence splitter and Markdown stripper (`assistant.text`), on the guide's tricky
cases: every stage (chunking, answering, verifying, rendering, streaming, evaluation) uses it."""

from __future__ import annotations

import pytest

from assistant.text import (
    citation_pieces,
    clean_sentence,
    is_list_item,
    last_end_mark,
    line_sentences,
    loose_sentences,
    mark_spans,
    markdown_to_plain,
    plain,
    sentence_spans,
    sentences,
    strip_marks,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an ellipsis inside a parenthesis, then a lower-case word: one sentence
        (
            "Les fonds (FSE, FEDER, SRDEII...) peut-on les mobiliser ? Oui.",
            ["Les fonds (FSE, FEDER, SRDEII...) peut-on les mobiliser ?", "Oui."],
        ),
        ("Le schéma (SRDEII...) peut aider.", ["Le schéma (SRDEII...) peut aider."]),
        # bold: a sentence may open in bold, and end inside it
        (
            "Une phrase. **Le PTCE** coopère. **Une définition.** Elle suit.",
            ["Une phrase.", "**Le PTCE** coopère.", "**Une définition.**", "Elle suit."],
        ),
        # bullets: each line is a sentence, its marker kept in the span
        (
            "Deux leviers :\n- Aider au fonctionnement.\n• Animer le réseau. Et plus.",
            ["Deux leviers :", "- Aider au fonctionnement.", "• Animer le réseau.", "Et plus."],
        ),
        # abbreviations and numbers do not end a sentence
        (
            "Points de RepèrESS n°10. L'art. 9 de la loi. M. Dupont et Mme Durand. Voir p. 12.",
            [
                "Points de RepèrESS n°10.",
                "L'art. 9 de la loi.",
                "M. Dupont et Mme Durand.",
                "Voir p. 12.",
            ],
        ),
        (
            "La subvention va de 15 000 à 60 000 €. 7 associations.",
            ["La subvention va de 15 000 à 60 000 €.", "7 associations."],
        ),
        # « art. », « p. », « n. » are abbreviations before a number only
        (
            "Artisans d'Art. La Ville suit. Voir art. 9 et p. 12.",
            ["Artisans d'Art.", "La Ville suit.", "Voir art. 9 et p. 12."],
        ),
        # « etc. » ends a sentence before a capital, not before a lower-case word
        (
            "Formation, conseil, etc. Le PTCE (emploi, etc.) coopère.",
            ["Formation, conseil, etc.", "Le PTCE (emploi, etc.) coopère."],
        ),
        # URLs keep their dots; the full stop after one ends the sentence
        (
            "Voir www.rtes.fr et https://www.lelabo-ess.org/ptce. La CRESS aussi.",
            ["Voir www.rtes.fr et https://www.lelabo-ess.org/ptce.", "La CRESS aussi."],
        ),
        # a numbered item's « 1. » is not a sentence
        ("1. Premier point. Suite.\n2) Second", ["1. Premier point.", "Suite.", "2) Second"]),
        # closing quotes stay with their sentence
        ("“Il dit oui.” Puis non.", ["“Il dit oui.”", "Puis non."]),
        # a quotation closed by a spaced « » » keeps its attribution (as in the guide)
        (
            "« L'union fait la force. » - F. Theret, élu.",
            ["« L'union fait la force. » - F. Theret, élu."],
        ),
        ("Le plan A. Puis J. Dupont.", ["Le plan A. Puis J. Dupont."]),  # initials: the price
        ("", []),
        ("  \n\n ", []),
    ],
)
def test_sentences_on_the_guides_tricky_cases(text, expected):
    assert sentences(text) == expected


def test_citation_markers_stay_with_their_sentence():
    text = "Première phrase. [1] Une « citation » ! [2][3] Art. 9 [4]. Sans point [5] Suite.\n[1]"
    assert sentences(text) == [
        "Première phrase. [1]",
        "Une « citation » ! [2][3]",
        "Art. 9 [4].",
        "Sans point [5]",
        "Suite.",
        "[1]",
    ]
    # a marker in the middle of a sentence does not end it
    assert sentences("La Région [1] et l'État [2] financent.") == [
        "La Région [1] et l'État [2] financent."
    ]


def test_spans_are_offsets_into_the_text():
    text = "  Une phrase.  Une autre.\n- Un point"
    spans = sentence_spans(text, offset=100)
    assert spans == [(102, 113), (115, 125), (126, 136)]
    assert [text[a - 100 : b - 100] for a, b in spans] == sentences(text)


def test_line_sentences_are_plain_with_their_line_numbers():
    text = "# Titre\nUne **phrase**.  [1] Art. 9 de la loi [2]. M. Dupont préside [3]\n- point [1]\n1. numéroté"
    assert line_sentences(text) == [
        (0, "Titre"),
        (1, "Une phrase. [1]"),
        (1, "Art. 9 de la loi [2]."),
        (1, "M. Dupont préside [3]"),
        (2, "point [1]"),
        (3, "numéroté"),
    ]


def test_markdown_marks_are_stripped_in_one_place():
    assert strip_marks("- **Pôle** : `code` __x__") == "Pôle : code x"
    assert strip_marks("> Une citation\n## Titre\n• puce\n2. numéro") == (
        "Une citation\nTitre\npuce\nnuméro"
    )
    assert strip_marks("voir <https://rtes.fr>") == "voir <https://rtes.fr>"
    assert markdown_to_plain("voir <https://rtes.fr> et [le Labo](https://labo.org)") == (
        "voir https://rtes.fr et le Labo"
    )
    assert plain("- **Pôle**\u00a0:\n  suite ") == "Pôle : suite"


def test_mark_spans_are_what_markdown_to_plain_drops():
    text = "- **Pôle** voir <https://a.fr> et [b](https://b.fr)\n> citée"
    dropped = set()
    for a, b in mark_spans(text):
        dropped.update(range(a, b))
    kept = "".join(ch for i, ch in enumerate(text) if i not in dropped)
    assert kept == markdown_to_plain(text)


def test_clean_sentence_is_the_quoted_form():
    assert clean_sentence("- **Le PTCE**  coopère") == "Le PTCE coopère."
    assert clean_sentence("« Il dit oui »") == "« Il dit oui »"
    assert clean_sentence("Vraiment ?") == "Vraiment ?"


def test_list_items():
    assert all(map(is_list_item, ["- a", "  * b", "• c", "1. d", "12) e"]))
    assert not any(map(is_list_item, ["**gras**", "-moins", "2025. Un an", "Texte"]))


def test_streaming_helpers():
    text = "Un. [1] Deux. [2]\n- Trois. [1]"
    assert citation_pieces(text) == ["Un. [1]", " Deux. [2]", "\n- Trois. [1]"]
    assert "".join(citation_pieces(text)) == text
    assert last_end_mark("La Région verse") == -1
    assert last_end_mark("verse. La") == len("verse.")
    assert last_end_mark("[1]\nLa") == len("[1]\n")


def test_loose_sentences_for_messages_typed_without_capitals():
    assert loose_sentences("je suis élue. comment financer ?  Merci") == [
        "je suis élue.",
        "comment financer ?",
        "Merci",
    ]
    assert loose_sentences("2 communes; 3 EPCI. fin", ".!?;") == ["2 communes;", "3 EPCI.", "fin"]


@pytest.mark.parametrize(
    ("sentence", "leans"),
    [
        ("Il est issu d'une démarche de recherche-action. [1]", True),
        ("Créateur de liens, il met en relation les collectivités.", True),
        ("Les collectivités contribuent au développement de ces démarches. [1]", True),
        ("Ce dispositif est à destination des EPCI.", True),
        ("En 2022, le Conseil Départemental de la Somme a lancé un AMI.", False),
        ("Il existe plusieurs formes de soutien.", False),
        ("Ce guide fait suite à la rencontre du 15 novembre 2022.", False),
        ("**Le RTES** réunit près de 200 collectivités. [1]", False),
    ],
)
def test_one_rule_says_what_may_lead_an_answer(sentence, leans):
    from assistant.evaluation.metrics import dangling_opening
    from assistant.text import dangling

    assert dangling(sentence) is leans
    assert dangling_opening(sentence) is leans  # the evaluation uses the same rule


def test_en_standing_for_what_came_before_dangles():
    from assistant.text import dangling

    assert dangling("Une convention pluriannuelle d'objectifs en est un exemple.")
    assert not dangling("Le PTCE en est à ses débuts.")
