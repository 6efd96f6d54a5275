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
    # a guide word that analyses to nothing would never stand for the users' words
    dead = check({"né": ("apparu",)}, "Le terme, né en 2009.")
    assert dead == ["synonyms.yaml: « né » n'a aucun mot porteur"]


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
    assert s.query("Which organisation is it led by?").endswith("porté")
    assert "rencontre" in s.query("This guide follows up on a meeting: where was it held?")
    # « compétitivité » is no competition between members (« concurrence »)
    assert "concurrence" not in s.query("un pôle de compétitivité, c'est pareil ?")


def test_the_guide_s_title_as_users_spell_it():
    s = Synonyms.from_mapping(read(PROJECT_ROOT / "cards" / "synonyms.yaml"))
    assert "RepèreESS" in s.query("ce Points de RepèrESS, il est sorti d'où ?")


# English users' words that share a stem with a common French word, each read and kept: a
# borrowing or a word of the same family (« conference », « conférence »), or a French word
# too rare in questions to mislead (« projection »).
_SAME_FAMILY = {
    "land", "location", "def", "project", "projects", "the state", "led by", "firms",
    "charities", "regeneration", "objective", "objectives", "legislation", "conference",
    "digital", "costs",
}  # fmt: skip


def test_no_english_users_word_is_a_french_word_of_another_meaning():
    """« competition » would add « concurrence » to every « pôle de compétitivité », « stages »
    to every intern's « je fais un stage »: an English user word must not stem like a common
    French word of another family (the list above was read, one by one)."""
    from wordfreq import top_n_list, zipf_frequency

    from assistant.search.analysis import analyze

    stems: dict[str, set[str]] = {}
    for word in top_n_list("fr", 30000):
        found = analyze(word)
        if zipf_frequency(word, "fr") >= 3.0 and len(found) == 1:
            stems.setdefault(found[0], set()).add(word)
    clashes = []
    for guide, said in read(PROJECT_ROOT / "cards" / "synonyms.yaml").items():
        for user in said:
            found = analyze(user)
            english = all(
                zipf_frequency(w, "en") > zipf_frequency(w, "fr")
                for w in user.split()
                if len(w) > 2
            )
            if len(found) != 1 or not english or found[0] in analyze(guide):
                continue
            # the word itself, borrowed (« building », « costs » / « cost »)
            own = {f for w in user.split() for f in (w, f"{w}s", w.rstrip("s"), w[:-2])}
            french = stems.get(found[0], set()) - own
            if french and user not in _SAME_FAMILY:
                clashes.append((guide, user, sorted(french)[:3]))
    assert clashes == []
