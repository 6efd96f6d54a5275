"""HTML, PDF, DOCX and Markdown -> Markdown corpus documents (no network)."""

import io
from pathlib import Path

import pytest

from assistant.corpus.extract import (
    ExtractError,
    body_sha256,
    extract,
    pdf_lines_to_markdown,
    render_document,
    slugify,
    sniff_kind,
    write_atomic,
)
from assistant.corpus.load import parse_document

WEB = Path(__file__).parent / "fixtures" / "web"


def test_html_main_text_keeps_headings_and_drops_navigation():
    doc = extract((WEB / "pole-sambre.html").read_bytes(), content_type="text/html")
    assert doc.kind == "html"
    assert doc.title == "Le Pôle coopératif du Val de Sambre"
    assert doc.body.startswith("# Le Pôle coopératif du Val de Sambre\n")
    assert "\n## Histoire du pôle\n" in doc.body and "\n### Financement du poste" in doc.body
    assert "- Collège des structures fondatrices" in doc.body
    assert "23 structures" in doc.body
    for boilerplate in ("Nous contacter", "Mentions légales", "Agenda"):
        assert boilerplate not in doc.body
    assert doc.published == "2024-06-12"


def test_broken_markup_still_gives_the_text():
    doc = extract((WEB / "broken.html").read_bytes(), content_type="text/html; charset=utf-8")
    assert "douze structures fondatrices" in doc.body
    assert "conseil coopératif" in doc.body
    assert "## Histoire du pôle" in doc.body


def test_pdf_headings_come_from_font_sizes():
    doc = extract((WEB / "fiche-scic.pdf").read_bytes(), name="fiche.pdf")
    assert doc.kind == "pdf" and doc.published == "2024-03-01"
    assert doc.title == "Fiche repère : les SCIC et les collectivités"
    lines = doc.body.splitlines()
    assert lines[0] == "# Fiche repère : les SCIC et les collectivités"
    assert "## Qu'est-ce qu'une SCIC ?" in lines
    assert "## Pourquoi une collectivité entre au capital" in lines
    # A paragraph wrapped over two lines in the PDF is one paragraph again.
    assert any(
        line.startswith("La société coopérative") and "17 juillet 2001." in line for line in lines
    )


def test_pdf_lines_to_markdown_on_hand_written_lines():
    lines = [
        ("Titre du document", 20.0),
        ("Une section qui", 14.0),
        ("continue", 14.0),
        ("Un paragraphe coupé par la coopé-", 11.0),
        ("ration des lignes, et qui finit ici.", 11.0),
        ("• une puce", 11.0),
        ("Une autre section", 14.0),
        ("Encore du texte courant pour la fin.", 11.0),
    ]
    assert pdf_lines_to_markdown(lines).split("\n\n") == [
        "# Titre du document",
        "## Une section qui continue",
        "Un paragraphe coupé par la coopération des lignes, et qui finit ici.",
        "- une puce",
        "## Une autre section",
        "Encore du texte courant pour la fin.",
    ]


def test_docx_heading_styles_become_headings():
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.core_properties.title = "Note sur les SCIC"
    document.add_heading("Note sur les SCIC", level=0)
    document.add_heading("Le capital", level=1)
    document.add_paragraph(
        "Une collectivité peut détenir jusqu'à la moitié du capital d'une SCIC, "
        "ce qui lui donne une place dans sa gouvernance."
    )
    document.add_paragraph("Premier point de la liste", style="List Bullet")
    buf = io.BytesIO()
    document.save(buf)
    doc = extract(buf.getvalue(), name="note.docx")
    assert doc.kind == "docx" and doc.title == "Note sur les SCIC"
    assert doc.body.splitlines()[0] == "# Note sur les SCIC"
    assert "## Le capital" in doc.body
    assert "- Premier point de la liste" in doc.body


def test_markdown_keeps_its_front_matter():
    raw = "---\ntitle: Ma note\npublisher: Moi\n---\n\n## Partie\n\n" + "Du texte. " * 20
    doc = extract(raw.encode(), name="note.md")
    assert doc.kind == "markdown" and doc.title == "Ma note"
    assert dict(doc.meta)["publisher"] == "Moi"
    assert doc.body.startswith("# Ma note\n\n## Partie")


@pytest.mark.parametrize(
    ("data", "ctype", "name", "kind"),
    [
        (b"%PDF-1.4 ...", "", "", "pdf"),
        (b"<!DOCTYPE html><html>", "", "", "html"),
        (b"# Titre", "", "x.md", "markdown"),
        (b"whatever", "text/html; charset=utf-8", "", "html"),
        (b"PK\x03\x04...", "", "a.docx", "docx"),
    ],
)
def test_sniff_kind(data, ctype, name, kind):
    assert sniff_kind(data, ctype, name) == kind


def test_unusable_inputs_raise_a_clear_error():
    with pytest.raises(ExtractError, match="does not read"):
        extract(b"\x89PNG\r\n", content_type="image/png", name="logo.png")
    with pytest.raises(ExtractError, match="no main text"):
        extract(b"<html><body><nav>Accueil</nav></body></html>", content_type="text/html")
    with pytest.raises(ExtractError, match="cannot be read as pdf"):
        extract(b"%PDF-1.4 not really a pdf", name="x.pdf")


def test_rendered_document_round_trips_with_its_hash(tmp_path):
    body = "# Titre\n\n## Section\n\nUn texte.\n"
    text = render_document({"doc_id": "t", "title": "Titre : deux points", "kind": "html"}, body)
    assert text.startswith("---\ndoc_id: t\ntitle:")
    doc = parse_document(text)
    assert doc.text == body and doc.title == "Titre : deux points"
    assert f"sha256: {body_sha256(body)}" in text
    target = tmp_path / "sub" / "t.md"
    write_atomic(target, text)
    assert target.read_text(encoding="utf-8") == text
    assert [p.name for p in target.parent.iterdir()] == ["t.md"]


def test_slugify():
    assert slugify("Le Labo de l'ESS — PTCE") == "le-labo-de-l-ess-ptce"
    assert slugify("***") == "document"
