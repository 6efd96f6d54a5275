"""Building, checking and swapping the index on disk (fake embedder, tiny corpus)."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.errors import IndexNotReady
from assistant.search.index import build_index, current_build, load_index, open_index


def test_build_writes_manifest_and_artefacts(tiny_settings, fake_embedder):
    index = build_index(tiny_settings, fake_embedder, progress=False)
    manifest = json.loads((index.path / "manifest.json").read_text())
    assert manifest["embedding_model"] == fake_embedder.name
    assert manifest["dimension"] == 64 and manifest["normalized"] is True
    assert manifest["chunking"] == {"max_chars": 900, "min_chars": 200}
    assert set(manifest["files"]) == {
        "chunks.jsonl",
        "chunks.faiss",
        "sentences.jsonl",
        "sentences.faiss",
    }
    assert "jardins" in manifest["documents"]
    assert current_build(tiny_settings.index_dir) == index.path
    lines = (index.path / "chunks.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    assert {"chunk_id", "doc_id", "title", "section", "text", "start", "end", "url"} <= set(first)
    assert not list(index.path.glob("*.pkl"))


def test_reload_round_trips(tiny_settings, fake_embedder):
    built = build_index(tiny_settings, fake_embedder, progress=False)
    loaded = load_index(built.path)
    assert loaded.chunks == built.chunks
    assert loaded.sentences == built.sentences
    assert (loaded.chunk_vectors.vectors() == built.chunk_vectors.vectors()).all()


def test_missing_index_is_built_or_named(tiny_settings, fake_embedder):
    with pytest.raises(IndexNotReady, match="python -m assistant build"):
        open_index(tiny_settings, fake_embedder, build_if_needed=False)
    index = open_index(tiny_settings, fake_embedder, progress=False)
    assert len(index.chunks) > 0


def test_stale_index_after_corpus_change(tiny_settings, fake_embedder):
    old = build_index(tiny_settings, fake_embedder, progress=False)
    doc = tiny_settings.corpus_dir / "jardins.md"
    doc.write_text(doc.read_text().replace("1997", "1998"))
    with pytest.raises(IndexNotReady, match="the corpus changed.*python -m assistant build"):
        open_index(tiny_settings, fake_embedder, build_if_needed=False)
    new = open_index(tiny_settings, fake_embedder, progress=False)
    assert new.path != old.path and not old.path.exists()  # swapped, old build pruned
    assert any("1998" in c.text for c in new.chunks)


def test_stale_index_after_model_or_chunking_change(tiny_settings, fake_embedder):
    build_index(tiny_settings, fake_embedder, progress=False)
    other = replace(tiny_settings, chunk_max_chars=300)
    with pytest.raises(IndexNotReady, match="chunking settings changed"):
        open_index(other, fake_embedder, build_if_needed=False)
    fake_embedder.name = "another-model"
    with pytest.raises(IndexNotReady, match="embedding model changed"):
        open_index(tiny_settings, fake_embedder, build_if_needed=False)


@pytest.mark.parametrize("victim", ["manifest.json", "chunks.faiss", "sentences.jsonl"])
def test_corrupt_files_give_a_clear_error_and_are_left_alone(tiny_settings, fake_embedder, victim):
    index = build_index(tiny_settings, fake_embedder, progress=False)
    target = index.path / victim
    target.write_bytes(b"\x00garbage{")
    before = {p.name: p.read_bytes() for p in index.path.iterdir()}
    with pytest.raises(IndexNotReady, match="corrupt.*python -m assistant build"):
        open_index(tiny_settings, fake_embedder, progress=False)
    assert {p.name: p.read_bytes() for p in index.path.iterdir()} == before


def test_crash_mid_build_keeps_the_live_index(tiny_settings, fake_embedder, monkeypatch):
    live = build_index(tiny_settings, fake_embedder, progress=False)
    doc = tiny_settings.corpus_dir / "jardins.md"
    doc.write_text(doc.read_text() + "\nUne phrase de plus.\n")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("assistant.search.index.FlatIndex.write", boom)
    with pytest.raises(OSError):
        build_index(tiny_settings, fake_embedder, progress=False)
    assert current_build(tiny_settings.index_dir) == live.path
    assert load_index(live.path).chunks == live.chunks
    leftovers = [p.name for p in tiny_settings.index_dir.iterdir() if p.name.startswith(".")]
    assert leftovers == []


class FolderModel:
    """The fake embedder under the name a model folder given by its absolute path has."""

    def __init__(self, inner, name: str) -> None:
        self.inner, self.name, self.dim = inner, name, inner.dim

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts, progress=False):
        return self.inner.embed_passages(texts)


def test_a_model_folder_is_recorded_relative_to_home_and_still_matches(
    tiny_settings, fake_embedder
):
    folder = Path.home() / "models" / "my-e5"
    embedder = FolderModel(fake_embedder, str(folder))
    built = build_index(tiny_settings, embedder, progress=False)
    assert built.manifest["embedding_model"] == "~/models/my-e5"
    on_disk = json.loads((built.path / "manifest.json").read_text(encoding="utf-8"))
    assert str(Path.home()) not in json.dumps(on_disk)
    # The same folder finds its index up to date (not stale, not rebuilt).
    again = open_index(tiny_settings, embedder, build_if_needed=False, progress=False)
    assert again.path == built.path
