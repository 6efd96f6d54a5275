"""Rendering of answers for the browser (pure functions), and suggested follow-ups."""

from __future__ import annotations

import re

import pytest

from assistant.schema import Chunk, Source
from assistant.web import render
from assistant.web.suggest import Suggestion, as_question, follow_ups, neighbours, outline

PASSAGE = (
    "- Pour faciliter le changement d'échelle\n\n"
    "Sous l'impulsion du **Département de la Somme**, le PTCE s'est constitué.   Le financement "
    "d'un poste\nd'animateur a permis d'aller « frapper à toutes les portes ». En 2023, ce collectif "
    "compte 40 structures."
)
QUOTE = "Le financement d'un poste d'animateur a permis d'aller « frapper à toutes les portes »."


def source(n: int = 1, **kw) -> Source:
    base = dict(
        n=n,
        doc_id="guide",
        title="Guide PTCE",
        section="Pourquoi soutenir ?",
        url="https://www.rtes.fr",
        text=PASSAGE,
        score=0.5,
        chunk_id=f"guide:{n}",
        quote=QUOTE,
    )
    return Source(**{**base, **kw})


# ------------------------------------------------------------------ escaping


EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def test_question_is_escaped():
    html = render.question_html(f"Qu'est-ce qu'un PTCE ? {EVIL}")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_every_corpus_field_is_escaped():
    s = source(
        title=EVIL,
        section=EVIL,
        text=f"Avant. {EVIL} Après.",
        quote=EVIL,
        url="javascript:alert(1)",
    )
    html = render.partial_html(f"Réponse {EVIL} [1]", [s], turn=1)
    assert "<script" not in html and "<img" not in html
    assert "javascript:" not in html  # no link for a non-http URL
    assert html.count("&lt;script&gt;") >= 4


def test_notices_are_escaped():
    assert "<script" not in render.abstention_html(EVIL)
    assert "<script" not in render.error_html(EVIL)


def test_url_in_text_becomes_a_safe_link():
    html = render.text_html('Voir <https://exemple.fr/a?b=1&c="x"> et https://rtes.fr.')
    assert '<a href="https://exemple.fr/a?b=1&amp;c=' in html
    assert '"x"' not in html  # the quote cannot close the attribute
    assert '<a href="https://rtes.fr"' in html and html.endswith("</a>.")


# ------------------------------------------------------------------ citations


def test_citations_link_to_their_source_of_that_turn():
    html = render.answer_html("Première. [1] Seconde. [2]", [source(1), source(2)], turn=3)
    assert re.findall(r'href="#(src-\d+-\d+)"', html) == ["src-3-1", "src-3-2"]
    assert 'title="Source 1 : Pourquoi soutenir ?"' in html


def test_citation_without_source_stays_text_and_groups_are_split():
    html = render.answer_html("A. [9] B. [1, 2]", [source(1), source(2)], turn=1)
    assert "[9]" in html and "#src-1-9" not in html
    assert 'href="#src-1-1"' in html and 'href="#src-1-2"' in html


def test_sources_panel_has_title_section_link_and_highlighted_quote():
    html = render.sources_html([source(1)], turn=2)
    assert 'id="src-2-1"' in html and "<details" in html
    assert "Guide PTCE" in html and "Pourquoi soutenir ?" in html
    # The link opens the guide page of the app at the cited section, not the publisher's site.
    assert "https://www.rtes.fr" not in html and 'rel="noopener noreferrer"' in html
    assert re.search(r'href="guide#[\w-]+--pourquoi-soutenir"', html), html
    marked = re.findall(r"<mark>(.*?)</mark>", html)
    assert marked and marked[0].startswith("Le financement") and marked[0].endswith("portes ».")


def test_guide_page_has_an_anchor_for_each_cited_section():
    from assistant.corpus import load_corpus
    from assistant.settings import PROJECT_ROOT
    from assistant.web.guide import guide_href, guide_page

    docs = load_corpus(PROJECT_ROOT / "corpus")
    page = guide_page(docs)
    href = guide_href(docs[0].doc_id, "Guide > Quels rôles pour les collectivités ?")
    assert f'id="{href.split("#")[1]}"' in page
    assert "<script" not in page and "Les départements interviennent" in page


def test_quote_is_found_despite_markdown_and_spacing():
    text = PASSAGE.replace("**", "")
    spans = render.quote_spans(
        text, QUOTE + " Sous l'impulsion du Département de la Somme, le PTCE s'est constitué."
    )
    found = [text[a:b] for a, b in spans]
    assert found[0].startswith("Sous l'impulsion") and found[-1].endswith("portes ».")


def test_passage_html_has_no_raw_newline():
    # a blank line would hand the rest of the message to the Chatbot's Markdown renderer
    html = render.passage_html(PASSAGE, QUOTE)
    assert "\n" not in html and "<br><br>" in html and "• Pour faciliter" in html
    assert "**" not in html


# ------------------------------------------------------------------ streaming


def test_pieces_add_one_sentence_at_a_time():
    assert render.pieces("Un. [1] Deux. [2] Trois. [1]") == [
        "Un. [1]",
        "Un. [1] Deux. [2]",
        "Un. [1] Deux. [2] Trois. [1]",
    ]


def test_partial_html_drops_a_cut_marker_and_shows_cited_sources_only():
    html = render.partial_html("Un. [1] Deux. [", [source(1), source(2)], turn=1)
    assert "Deux." in html and "[" not in re.sub(r"<[^>]+>", "", html).replace("[1]", "")
    assert 'id="src-1-1"' in html and 'id="src-1-2"' not in html


def test_while_written_citations_are_inert_badges():
    html = render.partial_html("Un. [1] Deux. [2]", (), turn=1)
    assert html.count('<span class="cite">') == 2 and "href" not in html and "sources" not in html


@pytest.mark.parametrize(
    "background, text", [("#00558c", "#ffffff"), ("#ffd500", "#111111"), ("#fff", "#111111")]
)
def test_text_on_theme_colour_is_readable(background, text):
    assert render.contrast_text(background) == text
    assert render.contrast_ratio(text, background) >= 4.5


# ------------------------------------------------------------------ suggested follow-ups


def chunk(i: int, section: tuple[str, ...], start: int) -> Chunk:
    return Chunk(f"c{i}", "guide", "Guide PTCE", section, "texte", start, start + 5)


OUTLINE = [
    chunk(0, ("Guide PTCE",), 0),  # the preamble under the document title: never suggested
    chunk(1, ("PTCE, de quoi parle-t-on ?",), 10),
    chunk(2, ("Pourquoi soutenir ?",), 20),
    chunk(3, ("Pourquoi soutenir ?", 'La charte "PTCE"'), 30),
    chunk(4, ("Quels rôles pour les collectivités ?",), 40),
    chunk(5, ("Quels rôles pour les collectivités ?",), 45),
    chunk(6, ("Pour aller plus loin",), 50),
]


def test_outline_is_in_reading_order_without_preamble():
    sections = outline(list(reversed(OUTLINE)))
    assert sections[0] == ("PTCE, de quoi parle-t-on ?",) and len(sections) == 5


def test_neighbours_nearest_first_next_before_previous():
    sections = outline(OUTLINE)
    near = neighbours(sections, [("Pourquoi soutenir ?", 'La charte "PTCE"')])
    assert near[:2] == [("Quels rôles pour les collectivités ?",), ("Pourquoi soutenir ?",)]


def test_follow_ups_are_questions_not_already_asked():
    got = follow_ups(OUTLINE, ["c4"], asked=["pourquoi  soutenir ?"])
    assert got[0] == Suggestion(
        "Pour aller plus loin", "Que dit le guide sur « Pour aller plus loin » ?"
    )
    assert Suggestion("La charte “PTCE”", "Que dit le guide sur « La charte “PTCE” » ?") in got
    assert all(s.question != "Pourquoi soutenir ?" for s in got)


def test_follow_ups_without_citations_point_to_what_the_guide_covers():
    got = follow_ups(OUTLINE, [], limit=2)
    assert [s.question for s in got] == ["PTCE, de quoi parle-t-on ?", "Pourquoi soutenir ?"]


def test_a_heading_that_is_a_question_is_sent_as_is():
    assert (
        as_question(("Quels rôles pour les collectivités ?",))
        == "Quels rôles pour les collectivités ?"
    )


def test_follow_ups_after_an_answer_citing_only_the_preamble_point_to_the_outline():
    got = follow_ups(OUTLINE, ["c0"], limit=2)
    assert [s.question for s in got] == ["PTCE, de quoi parle-t-on ?", "Pourquoi soutenir ?"]
