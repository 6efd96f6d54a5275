import pytest

from assistant.corpus.load import corpus_hash, load_corpus, parse_document, split_front_matter
from assistant.errors import UserError


def test_front_matter_is_parsed():
    meta, body = split_front_matter("---\ntitle: T\nlinks:\n  - url: u\n---\n\n# T\ntext\n")
    assert meta == {"title": "T", "links": [{"url": "u"}]}
    assert body == "# T\ntext\n"


def test_document_fields_and_default_id():
    doc = parse_document(
        "---\ntitle: T\nurl: https://x\ndate: '2025-03'\n---\nbody", default_id="file"
    )
    assert (doc.doc_id, doc.title, doc.url, doc.date, doc.text) == (
        "file",
        "T",
        "https://x",
        "2025-03",
        "body",
    )


def test_missing_title_is_refused():
    with pytest.raises(ValueError):
        parse_document("---\nurl: x\n---\nbody")


def test_bad_corpus_file_gives_user_error(tmp_path):
    (tmp_path / "bad.md").write_text("---\ntitle: [unclosed\n---\n")
    with pytest.raises(UserError, match="bad.md"):
        load_corpus(tmp_path)


def test_empty_corpus_gives_user_error(tmp_path):
    with pytest.raises(UserError, match="no Markdown"):
        load_corpus(tmp_path)


def test_corpus_hash_changes_with_content(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\nx")
    h1 = corpus_hash(tmp_path)
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\ny")
    assert corpus_hash(tmp_path) != h1


def test_the_guide_loads_with_its_links(tmp_path):
    from assistant.settings import Settings

    (doc,) = load_corpus(Settings().corpus_dir)
    assert doc.doc_id == "guide-ptce-hdf-2025" and doc.date == "2025-03"
    assert any(link["url"] == "https://www.esshdf.org" for link in doc.links)
    assert "**Pôle** :" in doc.text  # the broken bold markers were repaired
