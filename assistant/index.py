"""The built index: build, write atomically, load and check.

On disk, `index/` holds one folder per build and a `CURRENT` file naming the live one:

    index/CURRENT                  -> "build-<corpus hash>-<model hash>"
    index/build-…/manifest.json    format version, model, dimension, chunking, hashes
    index/build-…/chunks.jsonl     one chunk per line, with provenance
    index/build-…/chunks.faiss     unit vectors of the chunks (IndexFlatIP)
    index/build-…/sentences.jsonl  sentence spans used by the extractive answerer
    index/build-…/sentences.faiss  unit vectors of those sentences

A build is written to a temporary folder, renamed into place, then `CURRENT` is swapped
with `os.replace`: a crash mid-build leaves the previous index live, and a reader never
sees half an index. No pickles: JSON, JSONL and FAISS's own format only.

Builds are incremental: the manifest records each document's sha256, and a new build
takes the vectors of unchanged documents from the live build (when it was made with the
same model, prefixes, chunking and format) and embeds only new and changed documents.
A removed document has no chunks in the new build; every build is still complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .acronyms import expand
from .chunking import chunk_corpus
from .corpus import corpus_hash, load_corpus
from .embed import Embedder
from .errors import IndexNotReady
from .schema import Chunk
from .settings import Settings, display_path
from .text import sentence_spans
from .vectors import FlatIndex

FORMAT_VERSION = 3  # bump when the chunking or the embedded texts change
REBUILD = "python -m assistant build"
_FILES = ("chunks.jsonl", "chunks.faiss", "sentences.jsonl", "sentences.faiss")


@dataclass(frozen=True)
class Sentence:
    chunk: int  # row of the chunk in `Index.chunks`
    start: int  # span inside the chunk's text
    end: int


@dataclass(frozen=True)
class Index:
    path: Path
    manifest: dict[str, Any]
    chunks: list[Chunk]
    chunk_vectors: FlatIndex
    sentences: list[Sentence]
    sentence_vectors: FlatIndex

    @property
    def version(self) -> str:
        return self.path.name

    def sentence_text(self, s: Sentence) -> str:
        return self.chunks[s.chunk].text[s.start : s.end]


# ---------------------------------------------------------------- texts that get embedded


def chunk_index_text(chunk: Chunk) -> str:
    """What the dense and lexical retrievers see of a chunk: its place in the guide, its
    paragraph's opening when it starts mid-paragraph, its text, and acronyms spelled out."""
    parts = [chunk.title, chunk.section_path, chunk.context, chunk.text]
    return expand("\n".join(p for p in parts if p))


def sentence_index_texts(chunks: list[Chunk], sentences: list[Sentence]) -> list[str]:
    """Each sentence with its section and the sentence before it (or, first in a chunk that
    starts mid-paragraph, that paragraph's opening), so "La subvention est comprise entre…"
    still says which scheme it is about."""
    texts = []
    for i, s in enumerate(sentences):
        chunk = chunks[s.chunk]
        before = sentences[i - 1] if i and sentences[i - 1].chunk == s.chunk else None
        context = chunk.text[before.start : before.end] if before else chunk.context
        parts = [chunk.section[-1], context, chunk.text[s.start : s.end]]
        texts.append(expand(" : ".join(p for p in parts if p)))
    return texts


def chunk_sentences(chunks: list[Chunk]) -> list[Sentence]:
    return [Sentence(i, a, b) for i, c in enumerate(chunks) for a, b in sentence_spans(c.text)]


# ---------------------------------------------------------------- expected manifest


def expected_manifest(settings: Settings, model_id: str) -> dict[str, Any]:
    """The fields a live index must match for these settings, corpus and model (a model
    folder recorded relative to the repository or `~`, like every path in the manifest)."""
    return {
        "format_version": FORMAT_VERSION,
        "embedding_model": display_path(model_id),
        "query_prefix": settings.query_prefix,
        "passage_prefix": settings.passage_prefix,
        "normalized": True,
        "chunking": {"max_chars": settings.chunk_max_chars, "min_chars": settings.chunk_min_chars},
        "corpus_hash": corpus_hash(settings.corpus_dir),
    }


def stale_reasons(manifest: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Human-readable differences between a manifest and what the settings expect."""
    labels = {
        "format_version": "the index format changed",
        "embedding_model": "the embedding model changed",
        "query_prefix": "the query prefix changed",
        "passage_prefix": "the passage prefix changed",
        "normalized": "the normalisation changed",
        "chunking": "the chunking settings changed",
        "corpus_hash": "the corpus changed",
    }
    return [labels[k] for k, v in expected.items() if manifest.get(k) != v]


# ---------------------------------------------------------------- build and write


def build_index(
    settings: Settings, embedder: Embedder, *, progress: bool = True, reuse: bool = True
) -> Index:
    """Chunk and embed the corpus, write a new build beside the live one, then swap it in.

    With `reuse`, documents whose text is unchanged since the live build (same sha256,
    same model, prefixes, chunking and format) keep their vectors: only new and changed
    documents are embedded. Removed documents simply have no chunks in the new build.
    """
    t0 = time.perf_counter()
    docs = load_corpus(settings.corpus_dir)
    chunks = chunk_corpus(
        docs, max_chars=settings.chunk_max_chars, min_chars=settings.chunk_min_chars
    )
    sentences = chunk_sentences(chunks)
    texts = [chunk_index_text(c) for c in chunks]
    stexts = sentence_index_texts(chunks, sentences)
    owners = [c.doc_id for c in chunks] + [chunks[s.chunk].doc_id for s in sentences]
    hashes = {d.doc_id: _text_sha256(d.text) for d in docs}
    known, reused_from = _reusable_vectors(settings, embedder, hashes) if reuse else ({}, None)
    n_reused = sum((o, t) in known for t, o in zip(texts + stexts, owners, strict=True))
    if progress:
        print(
            f"Construction de l'index : {len(docs)} document(s), {len(chunks)} passages, "
            f"{len(sentences)} phrases ({n_reused} vecteurs repris de l'index précédent)…",
            file=sys.stderr,
            flush=True,
        )
    vectors = _embed_missing(embedder, texts + stexts, owners, known, progress)
    chunk_vectors = FlatIndex.build(vectors[: len(texts)])
    sentence_vectors = FlatIndex.build(vectors[len(texts) :])

    manifest = expected_manifest(settings, embedder.name) | {
        "dimension": embedder.dim,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "build_seconds": round(time.perf_counter() - t0, 2),
        "documents": {
            d.doc_id: {
                "title": d.title,
                "path": d.path,
                "sha256": hashes[d.doc_id],
                "url": d.url,
                "publisher": d.publisher,
                "date": d.date,
                "kind": d.kind,
                "links": [dict(link) for link in d.links],
            }
            for d in docs
        },
        "counts": {"documents": len(docs), "chunks": len(chunks), "sentences": len(sentences)},
        "reuse": {
            "from": reused_from,
            "reused_vectors": n_reused,
            "embedded_vectors": len(texts) + len(stexts) - n_reused,
        },
    }
    path = _write_build(
        settings.index_dir, manifest, chunks, chunk_vectors, sentences, sentence_vectors
    )
    return Index(path, manifest, chunks, chunk_vectors, sentences, sentence_vectors)


# ---------------------------------------------------------------- incremental reuse


def _text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _reusable_vectors(
    settings: Settings, embedder: Embedder, hashes: dict[str, str]
) -> tuple[dict[tuple[str, str], np.ndarray], str | None]:
    """{(doc_id, embedded text): vector} from the live build, for the documents whose
    sha256 is unchanged, when that build was made the same way (model, prefixes,
    normalisation, chunking, format, dimension). Anything unreadable: nothing is reused.

    Keying on the embedded text as well as the document means a vector is reused only
    for exactly the text it was computed from (a renamed title or section changes it)."""
    path = current_build(settings.index_dir)
    if path is None or not path.exists():
        return {}, None
    try:
        old = load_index(path)
    except IndexNotReady:
        return {}, None
    same_way = {
        k: v for k, v in expected_manifest(settings, embedder.name).items() if k != "corpus_hash"
    }
    if stale_reasons(old.manifest, same_way) or old.manifest.get("dimension") != embedder.dim:
        return {}, None
    documents = old.manifest.get("documents") or {}
    unchanged = {
        doc_id
        for doc_id, meta in documents.items()
        if isinstance(meta, dict)
        and meta.get("sha256")
        and meta.get("sha256") == hashes.get(doc_id)
    }
    known: dict[tuple[str, str], np.ndarray] = {}
    rows = [i for i, c in enumerate(old.chunks) if c.doc_id in unchanged]
    if rows:
        matrix = old.chunk_vectors.vectors()
        for i in rows:
            known[(old.chunks[i].doc_id, chunk_index_text(old.chunks[i]))] = matrix[i]
    srows = [i for i, s in enumerate(old.sentences) if old.chunks[s.chunk].doc_id in unchanged]
    if srows:
        matrix = old.sentence_vectors.vectors()
        stexts = sentence_index_texts(old.chunks, old.sentences)
        for i in srows:
            known[(old.chunks[old.sentences[i].chunk].doc_id, stexts[i])] = matrix[i]
    return known, path.name


def _embed_missing(
    embedder: Embedder,
    texts: list[str],
    owners: list[str],
    known: dict[tuple[str, str], np.ndarray],
    progress: bool,
) -> np.ndarray:
    """Vectors for `texts` (row i for text i, owned by document `owners[i]`): taken from
    `known` where possible, the others embedded in one batch, each distinct text once."""
    keys = list(zip(owners, texts, strict=True))
    missing = list(dict.fromkeys(t for o, t in keys if (o, t) not in known))
    fresh = _embed_passages(embedder, missing, progress) if missing else None
    row_of = {t: i for i, t in enumerate(missing)}
    out = np.empty((len(texts), embedder.dim), dtype=np.float32)
    for i, key in enumerate(keys):
        vector = known.get(key)
        out[i] = fresh[row_of[key[1]]] if vector is None else vector
    return out


def _embed_passages(embedder: Embedder, texts: list[str], progress: bool):
    try:
        return embedder.embed_passages(texts, progress=progress)  # type: ignore[call-arg]
    except TypeError:
        return embedder.embed_passages(texts)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_build(
    root: Path, manifest: dict[str, Any], chunks, chunk_vectors, sentences, sentence_vectors
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    name = "build-{}-{}".format(
        manifest["corpus_hash"][:10],
        hashlib.sha256(manifest["embedding_model"].encode()).hexdigest()[:6],
    )
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-build-", dir=root))
    try:
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
            for c in chunks:
                fh.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
        with open(tmp / "sentences.jsonl", "w", encoding="utf-8") as fh:
            for s in sentences:
                fh.write(
                    json.dumps(
                        {"chunk_id": chunks[s.chunk].chunk_id, "start": s.start, "end": s.end}
                    )
                    + "\n"
                )
        chunk_vectors.write(str(tmp / "chunks.faiss"))
        sentence_vectors.write(str(tmp / "sentences.faiss"))
        manifest = manifest | {"files": {f: _sha256(tmp / f) for f in _FILES}}
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        for f in (*_FILES, "manifest.json"):
            with open(tmp / f, "rb") as fh:
                os.fsync(fh.fileno())
        final = root / name
        old = None
        if final.exists():  # same corpus and model rebuilt: move the old copy aside first
            old = root / f".old-{name}-{os.getpid()}-{time.time_ns()}"
            final.rename(old)
        tmp.rename(final)
        _set_current(root, name)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune(root, keep=name)
    return final


def _set_current(root: Path, name: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".CURRENT-", dir=root)
    with os.fdopen(fd, "w") as fh:
        fh.write(name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / "CURRENT")


def _prune(root: Path, keep: str) -> None:
    """Remove builds other than the live one, and leftovers of crashed builds."""
    for child in root.iterdir():
        if (
            child.is_dir()
            and child.name != keep
            and (child.name.startswith(("build-", ".tmp-build-", ".old-")))
        ):
            shutil.rmtree(child, ignore_errors=True)


# ---------------------------------------------------------------- load and check


def current_build(root: Path) -> Path | None:
    pointer = root / "CURRENT"
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    return root / name if name else None


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexNotReady(
            f"The index at {path} has no manifest; rebuild it with: {REBUILD}"
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise IndexNotReady(
            f"The index manifest {path / 'manifest.json'} is corrupt; rebuild it with: {REBUILD}"
        ) from exc
    if not isinstance(manifest, dict):
        raise IndexNotReady(
            f"The index manifest {path / 'manifest.json'} is corrupt; rebuild it with: {REBUILD}"
        )
    return manifest


def load_index(path: Path) -> Index:
    """Read one build, checking every file against the manifest's checksums."""
    manifest = read_manifest(path)
    files = manifest.get("files") or {}
    for f in _FILES:
        target = path / f
        if not target.is_file():
            raise IndexNotReady(
                f"The index file {target} is missing; rebuild the index with: {REBUILD}"
            )
        if files.get(f) != _sha256(target):
            raise IndexNotReady(
                f"The index file {target} is corrupt (checksum mismatch); rebuild the index with: {REBUILD}"
            )
    try:
        chunks = [
            Chunk.from_dict(json.loads(line))
            for line in (path / "chunks.jsonl").open(encoding="utf-8")
        ]
        rows = {c.chunk_id: i for i, c in enumerate(chunks)}
        sentences = [
            Sentence(rows[d["chunk_id"]], d["start"], d["end"])
            for d in map(json.loads, (path / "sentences.jsonl").open(encoding="utf-8"))
        ]
        chunk_vectors = FlatIndex.read(str(path / "chunks.faiss"))
        sentence_vectors = FlatIndex.read(str(path / "sentences.faiss"))
    except Exception as exc:  # checksums matched, so this is a format error
        raise IndexNotReady(
            f"The index at {path} cannot be read ({exc}); rebuild it with: {REBUILD}"
        ) from exc
    if len(chunk_vectors) != len(chunks) or len(sentence_vectors) != len(sentences):
        raise IndexNotReady(f"The index at {path} is inconsistent; rebuild it with: {REBUILD}")
    if chunk_vectors.dim != manifest.get("dimension"):
        raise IndexNotReady(
            f"The index at {path} has the wrong dimension; rebuild it with: {REBUILD}"
        )
    return Index(path, manifest, chunks, chunk_vectors, sentences, sentence_vectors)


def open_index(
    settings: Settings, embedder: Embedder, *, build_if_needed: bool = True, progress: bool = True
) -> Index:
    """The live index for these settings. Missing or stale: build it (or say what to run).
    Corrupt: raise IndexNotReady and leave the files as they are."""
    path = current_build(settings.index_dir)
    if path is None or not path.exists():
        if not build_if_needed:
            raise IndexNotReady(
                f"There is no index in {settings.index_dir}; build it with: {REBUILD}"
            )
        if progress:
            print("Aucun index trouvé : construction…", file=sys.stderr, flush=True)
        return build_index(settings, embedder, progress=progress)
    manifest = read_manifest(path)
    reasons = stale_reasons(manifest, expected_manifest(settings, embedder.name))
    if reasons:
        if not build_if_needed:
            raise IndexNotReady(
                f"The index is out of date ({', '.join(reasons)}); rebuild it with: {REBUILD}"
            )
        if progress:
            print(
                f"Index périmé ({', '.join(reasons)}) : reconstruction…",
                file=sys.stderr,
                flush=True,
            )
        return build_index(settings, embedder, progress=progress)
    return load_index(path)
