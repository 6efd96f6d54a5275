"""The wording: every sentence people read, the guide named from the corpus' metadata."""

import pytest

from assistant import wording
from assistant.corpus import load_corpus
from assistant.identity import UNKNOWN_GUIDE, GuideIdentity
from assistant.settings import PROJECT_ROOT

# The shipped guide, as its front matter names it.
(GUIDE_DOC,) = [d for d in load_corpus(PROJECT_ROOT / "corpus") if d.kind == "guide"]
GUIDE = GuideIdentity(
    GUIDE_DOC.doc_id, GUIDE_DOC.title, GUIDE_DOC.publisher, GUIDE_DOC.date, GUIDE_DOC.url
)


def test_the_shipped_guide_is_named_as_before():
    """Taken from the front matter, the refusals read word for word as when the name was
    written in the code."""
    fr, en = (wording.abstention("low_support", lang, [], guide=GUIDE) for lang in ("fr", "en"))
    assert fr.startswith("Le guide « Points de RepèrESS n°10 » ne répond pas à cette question.")
    assert en.startswith(
        'The guide ("Points de RepèrESS n°10", in French) does not answer this question.'
    )
    unknown = wording.abstention("unknown_entity", "fr", [], ["Lyon"], guide=GUIDE)
    assert unknown.startswith("Le guide « Points de RepèrESS n°10 » ne mentionne pas « Lyon » :")
    assert wording.abstention("injection", "fr", [], guide=GUIDE).startswith(
        "Je ne peux pas changer de consignes : je réponds uniquement, avec des sources, à des "
        "questions sur le guide « Points de RepèrESS n°10 », qui traite de ce qu'est un PTCE"
    )
    assert 'questions about the guide "Points de RepèrESS n°10", which covers' in (
        wording.abstention("injection", "en", [], guide=GUIDE)
    )
    assert wording.guide_reference(GUIDE) == (
        "« Points de RepèrESS n°10 » (RTES, CRESS Hauts-de-France, mars 2025)"
    )


def test_another_guide_is_named_by_its_own_metadata():
    other = GuideIdentity("j", "Guide des jardins — Lille", "Ville de Lille", "2024-05")
    said = [
        wording.abstention(reason, lang, [], ["Lyon"], guide=other)
        for reason in ("low_support", "unknown_entity", "injection")
        for lang in ("fr", "en")
    ]
    said += [wording.greeting(other), wording.header(other)]
    assert all("Guide des jardins" in s and "RepèrESS" not in s for s in said)
    assert "(Ville de Lille, mai 2024)" in wording.header(other)
    assert "(Ville de Lille)." in wording.greeting(other)


def test_an_unknown_guide_is_not_named():
    assert wording.abstention("low_support", "fr", []).startswith("Le guide ne répond pas")
    assert wording.abstention("low_support", "en", []).startswith("The guide (in French) does")
    assert "questions sur le guide, qui traite" in wording.abstention("injection", "fr", [])
    assert "questions about the guide, which" in wording.abstention("injection", "en", [])
    assert "à partir du guide. Chaque" in wording.greeting(UNKNOWN_GUIDE)
    assert wording.header(UNKNOWN_GUIDE).startswith("Réponses tirées du guide, avec")


def test_dates_read_as_words():
    assert wording.date_words("2025-03") == "mars 2025"
    assert wording.date_words("2025-03", "en") == "March 2025"
    assert wording.date_words("2025") == "2025" and wording.date_words("") == ""


@pytest.mark.parametrize("lang", ["fr", "en", "de"])
def test_every_fallback_reason_has_a_note(lang):
    for why in ["timeout", "connection", "rate_limit", "server", "malformed", "unsupported"]:
        note = wording.fallback_note(why, lang)
        assert note.endswith(".") and len(note) > 30
    assert wording.fallback_note("surprise", lang) == wording.fallback_note("error", lang)
    assert wording.fallback_note("timeout", lang, interrupted=True) != wording.fallback_note(
        "timeout", lang
    )


def test_verify_notes_are_filled():
    note = wording.verify_note(
        "dropped", "fr", missing="« 5 000 »", cited="[1]", sentence="La commune verse 5 000 €."
    )
    assert (
        note
        == "Phrase retirée (« 5 000 » absent du passage cité [1]) : « La commune verse 5 000 €. »"
    )
    assert "[9]" in wording.verify_note("bad_citation", "en", n=9)


def test_the_styles_show_the_wording_modules_sentence():
    from assistant.web.settings import WebSettings
    from assistant.web.ui import css, css_string

    styles = css(WebSettings())
    assert f"content: {css_string(wording.CONTINUE)};" in styles
    assert "__" not in styles and "Pour continuer" not in styles.replace(
        css_string(wording.CONTINUE), ""
    )
    assert css_string('Suite "A"\\</style>') == '"Suite \\"A\\"\\\\\\3c /style>"'
