from pathlib import Path

from assistant.corpus.chunking import blocks, chunk_document, sentence_spans
from assistant.corpus.load import load_corpus, parse_document
from assistant.settings import Settings

FIXTURE = Path(__file__).parent / "fixtures" / "corpus"


def _doc():
    return load_corpus(FIXTURE)[0]


def test_chunk_text_is_exactly_its_span():
    doc = _doc()
    for c in chunk_document(doc, max_chars=200, min_chars=50):
        assert doc.text[c.start : c.end] == c.text
        assert c.doc_id == "jardins" and c.url == "https://example.org/jardins"


def test_chunks_never_straddle_sections():
    doc = _doc()
    for c in chunk_document(doc, max_chars=10_000, min_chars=10_000):
        headings = [line for line in c.text.splitlines() if line.startswith("#")]
        assert headings == []
    sections = [c.section for c in chunk_document(doc, max_chars=10_000, min_chars=10_000)]
    assert sections == [
        ("Guide des jardins partagés",),
        ("Financement",),
        ("Gouvernance",),
        ("Gouvernance", "Statut SCIC"),
    ]


def test_bullet_keeps_its_example_paragraph():
    doc = _doc()
    chunks = chunk_document(doc, max_chars=140, min_chars=10)
    with_bullet = [c for c in chunks if "Acheter des outils" in c.text]
    assert len(with_bullet) == 1
    assert "grelinette" in with_bullet[0].text


def test_oversized_paragraph_is_split_at_sentences_with_context():
    doc = _doc()
    chunks = chunk_document(doc, max_chars=70, min_chars=10)
    second = [c for c in chunks if c.text.startswith("Cette aide est limitée")]
    assert len(second) == 1
    assert second[0].context.startswith("La commune verse une subvention")


def test_chunk_ids_are_stable_and_unique():
    a = chunk_document(_doc())
    b = chunk_document(_doc())
    assert [c.chunk_id for c in a] == [c.chunk_id for c in b]
    assert len({c.chunk_id for c in a}) == len(a)


def test_chunk_id_changes_when_content_changes():
    doc = _doc()
    changed = parse_document(
        "---\ntitle: t\ndoc_id: jardins\n---\n" + doc.text.replace("1997", "1998"), default_id="x"
    )
    ids = {c.chunk_id for c in chunk_document(doc)}
    assert chunk_document(changed)[0].chunk_id not in ids


def test_sentence_spans_split_on_sentence_ends_and_lines():
    text = "Première phrase. Deuxième phrase ! Troisième\n- un point\nLe 15 000 € reste."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Première phrase.",
        "Deuxième phrase !",
        "Troisième",
        "- un point",
        "Le 15 000 € reste.",
    ]


def test_blocks_track_heading_path():
    kinds = [(b.section, b.kind) for b in blocks("# T\n\npara\n\n## A\n\n- x\n- y\n\n> q\n")]
    assert kinds == [((), "para"), (("A",), "list"), (("A",), "list"), (("A",), "quote")]


def test_real_guide_chunks_cover_every_section():
    settings = Settings()
    chunks = [c for d in load_corpus(settings.corpus_dir) for c in chunk_document(d)]
    sections = {c.section[0] for c in chunks}
    for expected in (
        "PTCE, de quoi parle-t-on ?",
        "Pourquoi soutenir et travailler avec un PTCE ?",
        "Quels rôles pour les collectivités ?",
        "Comment soutenir et s'appuyer sur un PTCE ?",
        "Pour aller plus loin",
        "Le RTES et la CRESS vous accompagnent",
    ):
        assert expected in sections
    assert all(len(c.text) <= 900 * 1.5 for c in chunks)
