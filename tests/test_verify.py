"""The verifier: citations checked, every sentence's facts found in the passages it cites."""

import pytest

from assistant.schema import Source
from assistant.verify import missing_facts, names, numbers, verify

FINANCEMENT = (
    "La commune verse une subvention de 3 000 euros par an au jardin. "
    "Cette aide est limitée à 40 % des dépenses."
)
GOUVERNANCE = (
    "Le jardin est géré par une association loi 1901. "
    "Les adhérents élisent un bureau chaque année en mars."
)
SCIC = (
    "Un jardin peut devenir une Société Coopérative d'Intérêt Collectif (SCIC). "
    "La Région Hauts-de-France peut alors entrer au capital."
)
SOURCES = (
    Source(1, "jardins", "Guide des jardins partagés", "Financement", "", FINANCEMENT, 0.9),
    Source(2, "jardins", "Guide des jardins partagés", "Gouvernance", "", GOUVERNANCE, 0.8),
    Source(3, "jardins", "Guide des jardins partagés", "Statut SCIC", "", SCIC, 0.7),
)


def test_supported_answer_is_kept_as_written():
    text = "La commune verse 3 000 € par an [1]. Cette aide est plafonnée à 40 % des dépenses [1]."
    v = verify(text, SOURCES)
    assert v.ok and v.text == text and v.notes == ()
    assert [s.n for s in v.sources] == [1] and v.sources[0].doc_id == "jardins"
    assert v.sources[0].quote  # the passage sentence that supports it, for highlighting


def test_sources_are_renumbered_in_order_of_first_citation():
    text = "Une SCIC est possible [3]. Le jardin est géré par une association loi 1901 [2]."
    v = verify(text, SOURCES)
    assert (
        v.text == "Une SCIC est possible [1]. Le jardin est géré par une association loi 1901 [2]."
    )
    assert [(s.n, s.section) for s in v.sources] == [(1, "Statut SCIC"), (2, "Gouvernance")]


@pytest.mark.parametrize("bad", ["[0]", "[9]", "[4]"])
def test_out_of_range_citations_are_removed_and_recorded(bad):
    v = verify(f"Le jardin est géré par une association [2]{bad}.", SOURCES)
    assert v.ok and v.text == "Le jardin est géré par une association [1]."
    assert any(bad in note for note in v.notes)


def test_a_list_citation_keeps_its_valid_numbers():
    v = verify(
        "La commune verse 3 000 euros et une association loi 1901 gère le jardin [1, 9, 2].",
        SOURCES,
    )
    assert v.ok and v.text.endswith("[1][2].")
    assert any("[9]" in n for n in v.notes)


def test_labelled_citations_are_read():
    v = verify("Le jardin est géré par une association [Passage 2].", SOURCES)
    assert v.text == "Le jardin est géré par une association [1]." and v.sources[0].n == 1


def test_an_invented_amount_is_replaced_by_the_passage_sentence():
    v = verify("La commune verse 5 000 euros par an au jardin [1].", SOURCES)
    assert v.ok and "5 000" not in v.text
    assert v.text == "La commune verse une subvention de 3 000 euros par an au jardin. [1]"
    assert v.replaced == 1 and "5 000" in v.notes[0]


def test_an_invented_percentage_is_caught():
    v = verify("La subvention peut aller jusqu'à 50 % des dépenses [1].", SOURCES)
    assert "50 %" not in v.text and any("50" in n for n in v.notes)


def test_a_number_that_is_not_a_percentage_in_the_passage_is_caught():
    # 3 000 is in the passage, but as an amount, not "3 000 %"
    assert missing_facts("La part est de 3 000 % [1].", FINANCEMENT) == ["3 000"]


def test_a_fact_from_another_passage_is_caught_when_the_wrong_one_is_cited():
    v = verify("Le jardin est géré par une association loi 1901 [1].", SOURCES)
    assert "1901 [" not in v.text and any("1901" in n for n in v.notes)


def test_an_invented_body_is_caught():
    v = verify("La Région Occitanie peut entrer au capital d'une SCIC [3].", SOURCES)
    assert "Occitanie" not in v.text and any("Occitanie" in n for n in v.notes)


def test_an_invented_month_is_caught():
    v = verify("Les adhérents élisent un bureau chaque année en avril [2].", SOURCES)
    assert "avril" not in v.text and any("avril" in n for n in v.notes)


def test_a_sentence_that_shares_little_with_the_passage_is_dropped():
    v = verify(
        "Le jardin a reçu 12 prix en 2020 [2]. Il est géré par une association [2].", SOURCES
    )
    assert v.text == "Il est géré par une association [1]." and v.dropped == 1


def test_no_citation_at_all_is_not_ok():
    v = verify("La commune verse 3 000 euros par an. Cette aide est limitée.", SOURCES)
    assert not v.ok and v.text == "" and v.sources == ()


def test_only_invalid_citations_is_not_ok():
    assert not verify("Le jardin est géré par une association [0]. Voilà [9].", SOURCES).ok


def test_empty_or_garbage_reply_is_not_ok():
    for reply in ["", "   ", "[1]", "<|im_end|>", "\n\n- \n"]:
        assert not verify(reply, SOURCES).ok, reply


def test_a_sentence_borrows_the_citation_that_follows_it_on_its_line():
    v = verify("Le jardin est géré par une association. Elle relève de la loi 1901 [2].", SOURCES)
    # "relève" is not in the passage: the second sentence goes, the first borrows its [2].
    assert v.text == "Le jardin est géré par une association [1]."
    v = verify(
        "Le jardin est géré par une association. Les adhérents élisent un bureau [2].", SOURCES
    )
    assert (
        v.text == "Le jardin est géré par une association [1]. Les adhérents élisent un bureau [1]."
    )


def test_borrowed_citations_are_checked_too():
    v = verify("Le jardin existe depuis 1997. Il est géré par une association [2].", SOURCES)
    assert "1997" not in v.text and v.dropped == 1


def test_reasoning_is_not_part_of_the_answer():
    v = verify(
        "<think>Il verse 9 000 € [1]. Hmm.</think>La commune verse 3 000 euros [1].", SOURCES
    )
    assert v.text == "La commune verse 3 000 euros [1]." and v.notes == ()
    assert verify("<think>La commune verse 3 000 euros [1]. Et", SOURCES, final=False).text == ""


def test_prompt_debris_is_removed_silently():
    reply = (
        "<passages>\n[1] Guide des jardins partagés > Financement\n"
        "La commune verse 3 000 euros par an [1].\n</passages>\n"
        "[2] Gouvernance > Statut SCIC"
    )
    v = verify(reply, SOURCES)
    assert v.text == "La commune verse 3 000 euros par an [1]." and v.notes == ()


def test_a_short_sentence_is_dropped_rather_than_replaced():
    v = verify("Le jardin Gouvernance [1].", SOURCES)
    assert not v.ok and v.replaced == 0


def test_a_sentence_unrelated_to_its_passage_is_dropped():
    v = verify("Cette idée est excellente pour tous les territoires [1].", SOURCES)
    assert not v.ok and v.dropped == 1 and "excellent" in v.notes[0]
    paraphrase = (
        "Un jardin peut devenir une SCIC, et la Région Hauts-de-France entrer au capital [3]."
    )
    assert verify(paraphrase, SOURCES).text == paraphrase.replace("[3]", "[1]")


def test_instruction_echoes_are_removed():
    v = verify(
        "Il faut un numéro [n] après chaque phrase. Le jardin a une association [2].", SOURCES
    )
    assert v.text == "Le jardin a une association [1]." and v.notes == ()


def test_repeated_sentences_are_folded():
    one = "Le jardin est géré par une association [2]."
    v = verify(f"{one} {one}\n{one}", SOURCES)
    assert v.text == "Le jardin est géré par une association [1]."


def test_markdown_lists_become_sentences():
    v = verify(
        "- **Financement** : 3 000 euros par an [1]\n- Gestion : une association [2]", SOURCES
    )
    assert v.text == "Financement : 3 000 euros par an [1] Gestion : une association [2]"


def test_english_answers_check_numbers_and_acronyms():
    ok = verify("The town pays the garden 3,000 euros a year [1].", SOURCES, lang="en")
    assert ok.text == "The town pays the garden 3,000 euros a year [1]."
    bad = verify("The garden can become an SCOP [3].", SOURCES, lang="en")
    assert not bad.ok and any("SCOP" in n for n in bad.notes)


def test_notes_are_in_the_answer_language():
    assert "removed" in verify("The garden [9].", SOURCES, lang="en").notes[0]
    assert "retirée" in verify("Le jardin [9].", SOURCES).notes[0]


def test_partial_verification_only_grows():
    """Streaming: the verified text of any prefix is a prefix of the final verified text."""
    reply = (
        "Le jardin est géré par une association loi 1901 [2]. La commune verse 5 000 euros "
        "par an [1][9]. Une SCIC est possible [3]. Elle date de 2019. La Région Hauts-de-France "
        "peut entrer au capital [3].\n- Les adhérents élisent un bureau en mars [2]\n- Elle entre au "
        "capital [3]."
    )
    final = verify(reply, SOURCES).text
    shown = ""
    for end in range(len(reply) + 1):
        partial = verify(reply[:end], SOURCES, final=False).text
        assert final.startswith(partial), (reply[:end], partial)
        assert partial.startswith(shown)
        shown = partial
    assert shown and len(shown) < len(final)  # the unfinished last sentences wait


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3 000 euros", [("3000", False, "3 000")]),
        ("100000€ et 100 000 euros", [("100000", False, "100000"), ("100000", False, "100 000")]),
        ("1,5 million", [("1.5", False, "1,5")]),
        ("40 % et 60%", [("40", True, "40"), ("60", True, "60")]),
        (
            "loi n° 2014-856 du 31 juillet",
            [("2014", False, "2014"), ("856", False, "856"), ("31", False, "31")],
        ),
        ("en 2021 100 projets", [("2021", False, "2021"), ("100", False, "100")]),
    ],
)
def test_numbers_are_normalised(text, expected):
    assert numbers(text) == expected


def test_names_are_capitalised_words_and_acronyms():
    found = names("La Région Hauts-de-France et l'ESS soutiennent les PTCE [1].")
    assert found == ["Région", "Hauts-de-France", "ESS", "PTCE"]
    assert names("PTCE et Région", capitalised=False) == ["PTCE"]
    assert names("Cette aide est limitée.") == []


def test_names_match_without_accents_or_case():
    assert missing_facts("La region Hauts-De-France [3].", SCIC) == []
    assert missing_facts("Les SCICs [3].", SCIC) == []
