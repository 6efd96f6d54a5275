"""Users' words for the guide's words: query rewriting, focus terms, and the file's check."""

from __future__ import annotations

from assistant.search.synonyms import Synonyms, check, read
from assistant.settings import PROJECT_ROOT

MAPPING = {
    "rural": ("campagne", "milieu rural"),
    "entrer au capital": ("prendre des parts",),
}


def test_the_guide_word_is_added_to_the_query():
    s = Synonyms.from_mapping(MAPPING)
    assert s.query("ça marche à la campagne ?") == "ça marche à la campagne ? rural"
    assert s.query("et en milieu rural ?") == "et en milieu rural ?"  # already the guide's
    assert s.query("Peut-on prendre des parts ?").endswith("entrer au capital")


def test_the_guide_word_stands_for_the_user_word_in_the_focus():
    s = Synonyms.from_mapping(MAPPING)
    assert s.focus(("campagn", "march")) == ("march", "rural")
    assert s.focus(("campagn",), known=lambda t: t == "campagn") == ("campagn", "rural")
    assert s.focus(("prendr", "part", "scic")) == ("scic", "entrer", "capital")


def test_check_flags_a_guide_word_the_guide_does_not_use():
    assert check({"rural": ("campagne",)}, "Les territoires ruraux et le milieu rural.") == []
    found = check({"périurbain": ("banlieue",), "rural": ("le",)}, "le milieu rural")
    assert len(found) == 2 and "périurbain" in found[0] and "« le »" in found[1]


def test_the_project_synonyms_pass_the_check():
    from assistant.answer.cards import guide_text
    from assistant.corpus.load import load_corpus

    mapping = read(PROJECT_ROOT / "cards" / "synonyms.yaml")
    assert mapping and check(mapping, guide_text(load_corpus(PROJECT_ROOT / "corpus"))) == []


def test_a_guide_word_written_twice_is_refused_not_half_read(tmp_path):
    import pytest

    from assistant.errors import UserError

    path = tmp_path / "synonyms.yaml"
    path.write_text("rural: [campagne]\nurbain: [ville]\nrural: [countryside]\n", encoding="utf-8")
    with pytest.raises(UserError, match="« rural » a deux listes"):
        read(path)
    path.write_text("rural: [campagne, countryside]  # one list\nurbain: [ville]\n", "utf-8")
    assert read(path) == {"rural": ("campagne", "countryside"), "urbain": ("ville",)}


def test_english_users_words_reach_the_guide_s_french_words():
    s = Synonyms.from_mapping(read(PROJECT_ROOT / "cards" / "synonyms.yaml"))
    assert s.query("who runs it?").endswith("porté")
    assert "rencontre" in s.query("This guide follows up on a meeting: where was it held?")
    # « compétitivité » is no competition between members (« concurrence »)
    assert "concurrence" not in s.query("un pôle de compétitivité, c'est pareil ?")


def test_the_guide_s_title_as_users_spell_it():
    s = Synonyms.from_mapping(read(PROJECT_ROOT / "cards" / "synonyms.yaml"))
    assert "RepèreESS" in s.query("ce Points de RepèrESS, il est sorti d'où ?")
