"""Misspelt question words mended against the guide's words (assistant/search/spelling.py)."""

from __future__ import annotations

from assistant.search.spelling import Speller, french_word

GUIDE = frozenset({"departement", "animation", "subvention", "ami", "montant", "financer"})


def test_misspelt_words_become_the_guide_words_they_are_close_to():
    speller = Speller(GUIDE, lambda w: False)
    assert speller.mend("le montnat de la subvension") == "le montant de la subvention"
    assert speller.mend("un departemnt") == "un departement"


def test_glued_elisions_are_split_before_a_guide_word():
    speller = Speller(GUIDE, lambda w: False)
    assert speller.mend("lanimation de lami") == "l’animation de l’ami"


def test_names_french_words_and_far_words_stay_as_typed():
    speller = Speller(GUIDE, lambda w: w in {"prendre", "jour"})
    assert speller.mend("La Subvension") == "La Subvension"  # capitalised: maybe a name
    assert speller.mend("prendre un jour") == "prendre un jour"  # French in their own right
    assert speller.mend("la carbonade") == "la carbonade"  # close to nothing the guide says


def test_the_french_word_list_is_wordfreq():
    assert french_word("prétendre") and french_word("acheteur")
    assert not french_word("departemnt") and not french_word("subvension")
