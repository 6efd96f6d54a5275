"""Fetching linked resources from a local HTTP server on 127.0.0.1 (no other network).

The server serves tests/fixtures/web/ plus a few special pages: a slow page, a 404,
redirects (one to a private address, refused before any connection is tried), a huge page (declared and streamed), a flaky page (503 once) and a page whose
content the test can change. Every request loop is bounded (few retries, short timeouts).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from assistant.cli import main
from assistant.corpus.fetch import (
    FetchError,
    PoliteClient,
    Politeness,
    SourceEntry,
    add_document,
    fetch_sources,
    load_sources,
    refresh_index,
)
from assistant.corpus.load import load_corpus, split_front_matter
from assistant.errors import UserError
from assistant.pipeline import Pipeline
from assistant.search.index import (
    build_index,
    chunk_index_text,
    current_build,
    load_index,
    sentence_index_texts,
)

WEB = Path(__file__).parent / "fixtures" / "web"
SLOW_SECONDS = 1.5
FAST = Politeness(
    connect_timeout=1.0,
    read_timeout=0.3,
    total_timeout=2.0,
    retries=1,
    backoff=0.01,
    max_bytes=100_000,
    delay=0.0,
)


class Site(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.pages: dict[str, tuple[int, str, bytes]] = {}  # path -> status, type, body
        self.redirects: dict[str, str] = {}  # path -> Location of a 302
        self.log: list[tuple[str, str]] = []  # (path, User-Agent)
        self.flaky_left = 1

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def handle_error(self, request, client_address) -> None:  # a client that gave up
        pass


class Handler(BaseHTTPRequestHandler):
    server: Site

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path
        self.server.log.append((path, self.headers.get("User-Agent", "")))
        if path in self.server.pages:
            status, ctype, body = self.server.pages[path]
            return self._send(status, ctype, body)
        if path in self.server.redirects:
            self.send_response(302)
            self.send_header("Location", self.server.redirects[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
            return self._send(200, "text/html", (WEB / "pole-sambre.html").read_bytes())
        if path == "/old-address":
            self.send_response(301)
            self.send_header("Location", "/pole-sambre.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(50_000_000))
            self.end_headers()
            return None
        if path == "/huge-streamed":  # no Content-Length: the limit must stop the reading
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(50):  # 50 x 10 kB, far above the 100 kB limit
                    self.wfile.write(b"<p>" + b"x" * 10_000 + b"</p>")
            except OSError:
                pass
            return None
        if path == "/flaky.html":
            if self.server.flaky_left > 0:
                self.server.flaky_left -= 1
                return self._send(503, "text/plain", b"busy", {"Retry-After": "3"})
            return self._send(200, "text/html", (WEB / "pole-sambre.html").read_bytes())
        if path == "/etag.html":
            if self.headers.get("If-None-Match") == '"v1"':
                return self._send(304, "text/html", b"", {"ETag": '"v1"'})
            body = (WEB / "pole-sambre.html").read_bytes()
            return self._send(200, "text/html", body, {"ETag": '"v1"'})
        file = (WEB / path.lstrip("/")).resolve()
        if WEB.resolve() in file.parents and file.is_file():
            ctype = {".pdf": "application/pdf", ".txt": "text/plain"}.get(
                file.suffix, "text/html; charset=utf-8"
            )
            return self._send(200, ctype, file.read_bytes())
        return self._send(404, "text/html", b"<h1>Not found</h1>")

    def _send(self, status: int, ctype: str, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)


@pytest.fixture
def site():
    server = Site()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def client():
    with PoliteClient(FAST, trust_env=False, allow_private=True) as c:
        yield c


def entry(site: Site, doc_id: str, path: str, **kw) -> SourceEntry:
    return SourceEntry(
        id=doc_id,
        title=kw.pop("title", f"Page {doc_id}"),
        url=site.base + path,
        publisher=kw.pop("publisher", "Réseau test"),
        fetch=True,
        reuse="fetch-only",
        **kw,
    )


def fetch(site, client, out_dir, *entries, **kw):
    outcomes = fetch_sources(entries, out_dir, client, today="2026-11-26", **kw)
    return {o.doc_id: o for o in outcomes}


# ---------------------------------------------------------------- the fetcher


def test_normal_page_becomes_a_corpus_document(site, client, tmp_path):
    out = fetch(site, client, tmp_path, entry(site, "sambre", "/pole-sambre.html"))
    assert out["sambre"].status == "new"
    meta, body = split_front_matter((tmp_path / "sambre.md").read_text(encoding="utf-8"))
    assert meta["doc_id"] == "sambre" and meta["title"] == "Page sambre"
    assert meta["url"] == site.base + "/pole-sambre.html"
    assert meta["publisher"] == "Réseau test" and meta["kind"] == "html"
    assert meta["retrieved"] == "2026-11-26" and meta["date"] == "2024-06-12"
    assert meta["origin"] == "sources.yaml" and meta["reuse"] == "fetch-only"
    doc = load_corpus(tmp_path)[0]
    assert doc.doc_id == "sambre" and doc.text == body
    assert meta["sha256"] == hashlib.sha256(doc.text.encode()).hexdigest()
    assert "## Gouvernance" in body and "Nous contacter" not in body


def test_user_agent_and_robots_txt_are_used(site, client, tmp_path):
    out = fetch(
        site,
        client,
        tmp_path,
        entry(site, "ok", "/pole-sambre.html"),
        entry(site, "secret", "/private/interne.html"),
    )
    assert out["ok"].status == "new"
    assert out["secret"].status == "failed" and "robots.txt" in out["secret"].detail
    paths = [p for p, _ in site.log]
    assert paths.count("/robots.txt") == 1
    assert "/private/interne.html" not in paths
    assert all(ua.startswith("ptce-assistant/") for _, ua in site.log)
    assert not (tmp_path / "secret.md").exists()


def test_unreadable_robots_txt_keeps_the_fetcher_out(site, client):
    site.pages["/robots.txt"] = (500, "text/plain", b"oops")
    with pytest.raises(FetchError, match=r"robots\.txt cannot be read"):
        client.get(site.base + "/pole-sambre.html")
    assert "/pole-sambre.html" not in [p for p, _ in site.log]


def test_slow_page_times_out_and_says_so(site, client, tmp_path):
    start = time.monotonic()
    out = fetch(site, client, tmp_path, entry(site, "slow", "/slow"))
    elapsed = time.monotonic() - start
    assert out["slow"].status == "failed"
    assert "timed out" in out["slow"].detail and "2 attempts" in out["slow"].detail
    assert elapsed < SLOW_SECONDS * 2  # two short attempts, not two full waits
    assert not (tmp_path / "slow.md").exists()


def test_not_found_is_reported_and_a_fallback_address_is_tried(site, client, tmp_path):
    out = fetch(
        site,
        client,
        tmp_path,
        entry(site, "gone", "/nowhere.html"),
        entry(site, "typo", "/pole-sambre.htm", fallback_urls=(site.base + "/pole-sambre.html",)),
    )
    assert out["gone"].status == "failed" and "HTTP 404" in out["gone"].detail
    assert out["typo"].status == "new"
    meta, _ = split_front_matter((tmp_path / "typo.md").read_text(encoding="utf-8"))
    assert meta["url"] == site.base + "/pole-sambre.html"


def test_redirect_is_followed_and_the_final_address_kept(site, client, tmp_path):
    out = fetch(site, client, tmp_path, entry(site, "moved", "/old-address"))
    assert out["moved"].status == "new"
    meta, _ = split_front_matter((tmp_path / "moved.md").read_text(encoding="utf-8"))
    assert meta["url"] == site.base + "/pole-sambre.html"
    assert meta["listed_url"] == site.base + "/old-address"


@pytest.mark.parametrize("path", ["/huge-declared", "/huge-streamed"])
def test_huge_page_is_refused(site, client, tmp_path, path):
    out = fetch(site, client, tmp_path, entry(site, "huge", path))
    assert out["huge"].status == "failed" and "too large" in out["huge"].detail
    assert [p for p, _ in site.log].count(path) == 1  # a size limit is not retried


def test_broken_markup_and_pdf_are_extracted(site, client, tmp_path):
    out = fetch(
        site,
        client,
        tmp_path,
        entry(site, "broken", "/broken.html"),
        entry(site, "scic", "/fiche-scic.pdf", title="Fiche SCIC"),
    )
    assert out["broken"].status == "new" and out["scic"].status == "new"
    docs = {d.doc_id: d for d in load_corpus(tmp_path)}
    assert "douze structures fondatrices" in docs["broken"].text
    assert "## Qu'est-ce qu'une SCIC ?" in docs["scic"].text
    meta, _ = split_front_matter((tmp_path / "scic.md").read_text(encoding="utf-8"))
    assert meta["kind"] == "pdf" and meta["date"] == "2024-03-01"


def test_server_error_is_retried_with_backoff(site, tmp_path):
    pauses: list[float] = []
    with PoliteClient(FAST, trust_env=False, allow_private=True, sleep=pauses.append) as c:
        out = fetch(site, c, tmp_path, entry(site, "flaky", "/flaky.html"))
    assert out["flaky"].status == "new"
    assert [p for p, _ in site.log].count("/flaky.html") == 2
    assert 3.0 in pauses  # the server's Retry-After, longer than the backoff


def test_conditional_request_after_a_first_fetch(site, client, tmp_path):
    assert fetch(site, client, tmp_path, entry(site, "e", "/etag.html"))["e"].status == "new"
    out = fetch(site, client, tmp_path, entry(site, "e", "/etag.html"))
    assert out["e"].status == "unchanged" and out["e"].detail == "HTTP 304"


def test_same_text_is_not_rewritten(site, client, tmp_path):
    fetch(site, client, tmp_path, entry(site, "sambre", "/pole-sambre.html"))
    before = (tmp_path / "sambre.md").read_bytes()
    out = fetch(site, client, tmp_path, entry(site, "sambre", "/pole-sambre.html"))
    assert out["sambre"].status == "unchanged" and not out["sambre"].changed
    assert (tmp_path / "sambre.md").read_bytes() == before


def test_sources_yaml_of_the_project_is_valid():
    entries = load_sources(Path(__file__).parent.parent / "corpus" / "sources.yaml")
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids)) and "labo-ess-ptce" in ids
    for e in entries:
        assert e.reuse in ("committed", "fetch-only") and e.title and e.publisher
        # Only the guide is committed: the others state no reuse licence.
        assert (e.reuse == "committed") == (e.id == "guide-ptce-hdf-2025")
        assert not e.fetch or e.url.startswith("https://")


# ---------------------------------------------------------------- corpus and index


@pytest.fixture
def corpus(tiny_settings, site):
    """The tiny corpus plus a sources list pointing at the local site."""
    tiny_settings.corpus_dir.joinpath("sources.yaml").write_text(
        json.dumps(  # JSON is YAML
            {
                "sources": [
                    {
                        "id": "pole-sambre",
                        "title": "Le Pôle coopératif du Val de Sambre",
                        "url": site.base + "/page-sambre",
                        "publisher": "Réseau test",
                        "reuse": "fetch-only",
                        "fetch": True,
                    },
                    {
                        "id": "fiche-scic",
                        "title": "Fiche SCIC",
                        "url": site.base + "/fiche-scic.pdf",
                        "publisher": "Réseau test",
                        "fetch": True,
                    },
                ]
            }
        )
    )
    site.pages["/page-sambre"] = (200, "text/html", (WEB / "pole-sambre.html").read_bytes())
    return tiny_settings


class CountingEmbedder:
    """The fake bag-of-words embedder, remembering every text it was asked to embed."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.embedded: list[str] = []

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts, progress=False):
        self.embedded += texts
        return self.inner.embed_passages(texts)


def doc_texts(index, doc_id: str) -> set[str]:
    """The texts the index embeds for one document (its chunks and its sentences)."""
    chunks = {chunk_index_text(c) for c in index.chunks if c.doc_id == doc_id}
    stexts = sentence_index_texts(index.chunks, index.sentences)
    rows = [i for i, x in enumerate(index.sentences) if index.chunks[x.chunk].doc_id == doc_id]
    return chunks | {stexts[i] for i in rows}


def fetch_all(settings, client):
    entries = load_sources(settings.corpus_dir / "sources.yaml")
    out_dir = settings.corpus_dir / "fetched"
    outcomes = fetch_sources(entries, out_dir, client, corpus_dir=settings.corpus_dir)
    return {o.doc_id: o for o in outcomes}


def test_question_answered_from_a_fetched_page_cites_it(corpus, client, fake_embedder):
    assert fetch_all(corpus, client)["pole-sambre"].status == "new"
    pipeline = Pipeline.load(corpus, embedder=fake_embedder, progress=False)
    answer = pipeline.ask("Combien de structures réunit le Pôle coopératif du Val de Sambre ?")
    assert not answer.abstained and "23 structures" in answer.answer
    cited = {s.doc_id: s for s in answer.sources}
    source = cited["pole-sambre"]
    assert source.title == "Le Pôle coopératif du Val de Sambre"
    assert source.url.endswith("/page-sambre")
    chunk = next(c for c in pipeline.index.chunks if c.chunk_id == source.chunk_id)
    assert chunk.publisher == "Réseau test" and chunk.date == "2024-06-12"
    # The guide's own passages are still cited as the guide.
    other = pipeline.ask("Qui gère le jardin ?")
    assert other.sources[0].doc_id == "jardins"


def test_refetch_with_a_change_replaces_only_that_document(corpus, client, fake_embedder, site):
    fetch_all(corpus, client)
    embedder = CountingEmbedder(fake_embedder)
    first = build_index(corpus, embedder, progress=False)
    assert first.manifest["reuse"]["reused_vectors"] == 0
    page = (WEB / "pole-sambre.html").read_text(encoding="utf-8")
    site.pages["/page-sambre"] = (
        200,
        "text/html",
        page.replace("23 structures", "31 structures").encode(),
    )
    out = fetch_all(corpus, client)
    assert out["pole-sambre"].status == "updated" and out["fiche-scic"].status == "unchanged"
    embedder.embedded.clear()
    second = build_index(corpus, embedder, progress=False)
    texts = [t for c in second.chunks if c.doc_id == "pole-sambre" for t in [c.text]]
    assert any("31 structures" in t for t in texts) and not any("23 structures" in t for t in texts)
    # Only the changed page was embedded again; the guide and the PDF kept their vectors.
    assert set(embedder.embedded) == doc_texts(second, "pole-sambre")
    reuse = second.manifest["reuse"]
    assert reuse["embedded_vectors"] == len(embedder.embedded)
    assert reuse["reused_vectors"] == len(second.chunks) + len(second.sentences) - len(
        embedder.embedded
    )


def test_removed_source_leaves_the_corpus_and_the_index(corpus, client, fake_embedder):
    fetch_all(corpus, client)
    index = build_index(corpus, fake_embedder, progress=False)
    assert "fiche-scic" in index.manifest["documents"]
    added = add_document(
        str(WEB / "broken.html"),
        corpus.corpus_dir,
        corpus.corpus_dir / "fetched",
        today="2026-11-26",
    )
    sources = corpus.corpus_dir / "sources.yaml"
    data = json.loads(sources.read_text())
    data["sources"] = [s for s in data["sources"] if s["id"] != "fiche-scic"]
    sources.write_text(json.dumps(data))
    out = fetch_all(corpus, client)
    assert out["fiche-scic"].status == "removed"
    assert not (corpus.corpus_dir / "fetched" / "fiche-scic.md").exists()
    assert added.path.exists()  # a document added by hand is never pruned
    embedder = CountingEmbedder(fake_embedder)
    index = build_index(corpus, embedder, progress=False)
    assert "fiche-scic" not in index.manifest["documents"]
    assert all(c.doc_id != "fiche-scic" for c in index.chunks)
    assert {c.doc_id for c in index.chunks} == {"jardins", "pole-sambre", added.doc_id}
    assert index.manifest["reuse"]["embedded_vectors"] == len(embedder.embedded)
    assert set(embedder.embedded) == doc_texts(index, added.doc_id)  # only the new one


def test_failed_fetch_leaves_previous_copy_and_index_intact(corpus, client, fake_embedder, site):
    fetch_all(corpus, client)
    live = build_index(corpus, fake_embedder, progress=False)
    copy = (corpus.corpus_dir / "fetched" / "pole-sambre.md").read_bytes()
    files = {p.name: p.read_bytes() for p in live.path.iterdir()}
    site.pages["/page-sambre"] = (500, "text/plain", b"down")
    site.pages["/fiche-scic.pdf"] = (200, "application/pdf", b"%PDF-1.4 truncated")
    out = fetch_all(corpus, client)
    assert out["pole-sambre"].status == "failed" and "HTTP 500" in out["pole-sambre"].detail
    assert (
        out["fiche-scic"].status == "failed" and "cannot be read as pdf" in out["fiche-scic"].detail
    )
    assert (corpus.corpus_dir / "fetched" / "pole-sambre.md").read_bytes() == copy
    assert current_build(corpus.index_dir) == live.path
    assert {p.name: p.read_bytes() for p in live.path.iterdir()} == files
    assert load_index(live.path).manifest["corpus_hash"] == live.manifest["corpus_hash"]
    assert refresh_index(corpus, progress=False) == "Index up to date."


# ---------------------------------------------------------------- add and the command line


def test_add_local_files_and_a_url(site, tiny_settings, tmp_path):
    out_dir = tiny_settings.corpus_dir / "fetched"
    note = tmp_path / "note.md"
    note.write_text("# Note interne\n\n" + "Une phrase sur la coopération. " * 10, encoding="utf-8")
    a = add_document(str(note), tiny_settings.corpus_dir, out_dir, today="2026-11-26")
    assert a.status == "new" and a.doc_id == "note-interne"
    b = add_document(
        str(WEB / "fiche-scic.pdf"), tiny_settings.corpus_dir, out_dir, publisher="RTES"
    )
    assert b.doc_id == "fiche-repere-les-scic-et-les-collectivites"
    c = add_document(
        site.base + "/pole-sambre.html",
        tiny_settings.corpus_dir,
        out_dir,
        lambda: PoliteClient(FAST, trust_env=False, allow_private=True),
        doc_id="sambre",
    )
    meta, _ = split_front_matter(c.path.read_text(encoding="utf-8"))
    assert meta["origin"] == "add" and meta["url"] == site.base + "/pole-sambre.html"
    assert meta["publisher"] == f"127.0.0.1:{site.server_port}"
    ids = {d.doc_id for d in load_corpus(tiny_settings.corpus_dir)}
    assert ids == {"jardins", "note-interne", b.doc_id, "sambre"}
    with pytest.raises(UserError, match="already has a document 'jardins'"):
        add_document(str(note), tiny_settings.corpus_dir, out_dir, doc_id="jardins")
    with pytest.raises(UserError, match="File not found"):
        add_document(str(tmp_path / "absent.pdf"), tiny_settings.corpus_dir, out_dir)


def test_cli_fetch_reports_each_source_and_exits_1_on_failure(corpus, site, capsys, monkeypatch):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    site.pages["/fiche-scic.pdf"] = (404, "text/html", b"<h1>Not found</h1>")
    args = ["--corpus-dir", str(corpus.corpus_dir), "--index-dir", str(corpus.index_dir)]
    args.append("--allow-private-urls")  # the test site is on loopback
    code = main(
        ["fetch", *args, "--delay", "0", "--timeout", "0.5", "--retries", "0", "--no-build", "-q"]
    )
    out, err = capsys.readouterr()
    assert code == 1
    assert "new       pole-sambre" in out and "failed    fiche-scic" in out and "HTTP 404" in out
    assert "python -m assistant build" in out
    assert "1 ressource(s) non récupérée(s)" in err
    code = main(["fetch", *args, "--only", "nope", "--no-build", "-q"])
    assert code == 2 and "No source with id nope" in capsys.readouterr().err


def test_cli_fetch_and_add_update_the_index(corpus, site, capsys, monkeypatch, fake_embedder):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("assistant.search.embed.load_embedder", lambda *a, **k: fake_embedder)
    args = ["--corpus-dir", str(corpus.corpus_dir), "--index-dir", str(corpus.index_dir), "-q"]
    monkeypatch.setenv("ASSISTANT_ALLOW_PRIVATE_URLS", "1")  # the test site is on loopback
    assert main(["fetch", *args, "--delay", "0", "--timeout", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "new       pole-sambre" in out and "new       fiche-scic" in out
    assert re.search(r"Index ready: .* \(\d+ vectors embedded, 0 reused\)", out)
    note = corpus.corpus_dir.parent / "note.html"
    note.write_bytes((WEB / "broken.html").read_bytes())
    assert main(["add", str(note), "--id", "lille", "--publisher", "Moi", *args]) == 0
    out = capsys.readouterr().out
    assert out.startswith("new       lille")
    reused = re.search(r"\((\d+) vectors embedded, (\d+) reused\)", out)
    assert reused and int(reused.group(2)) > 0  # the other documents kept their vectors
    assert main(["fetch", *args, "--delay", "0"]) == 0
    assert "Index up to date." in capsys.readouterr().out


def test_politeness_delay_between_requests_to_one_host(site, tmp_path):
    pauses: list[float] = []
    policy = replace(FAST, delay=0.5)
    with PoliteClient(policy, trust_env=False, sleep=pauses.append, allow_private=True) as c:
        c.get(site.base + "/pole-sambre.html")
        c.get(site.base + "/broken.html")
    assert pauses and all(0 < p <= 0.5 for p in pauses)


def test_non_http_addresses_are_refused(client):
    with pytest.raises(FetchError, match="not an http"):
        client.get("file:///etc/passwd")


# ---------------------------------------------------------------- non-public addresses


def add_args(tiny_settings, *extra: str) -> list[str]:
    dirs = [
        "--corpus-dir",
        str(tiny_settings.corpus_dir),
        "--index-dir",
        str(tiny_settings.index_dir),
    ]
    return [*dirs, "--delay", "0", "--timeout", "0.5", "--retries", "0", "--no-build", "-q", *extra]


def one_refusal(err: str, address: str) -> None:
    """stderr holds exactly one French sentence refusing `address`."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("Erreur : L'adresse ") and lines[0].endswith(".")
    assert f"non publique ({address})" in lines[0] and "--allow-private-urls" in lines[0]


@pytest.fixture
def site_looks_public(site, monkeypatch):
    """Make the test site's own address (127.0.0.1) pass the check as if it were a public
    server, so that a redirect from it is what gets checked. Traffic stays on loopback."""
    from assistant.corpus import addresses

    real = addresses.resolve
    monkeypatch.setattr(
        addresses,
        "resolve",
        lambda host, port: ["93.184.215.14"] if host == "127.0.0.1" else real(host, port),
    )
    return site


@pytest.fixture
def no_proxy(monkeypatch):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("ASSISTANT_ALLOW_PRIVATE_URLS", raising=False)


def test_add_refuses_a_loopback_url_unless_allowed(
    site, tiny_settings, capsys, monkeypatch, no_proxy
):
    url = site.base + "/pole-sambre.html"
    assert main(["add", url, "--id", "sambre", *add_args(tiny_settings)]) == 2
    one_refusal(capsys.readouterr().err, "127.0.0.1")
    assert site.log == []  # refused before any request, robots.txt included
    fetched = tiny_settings.corpus_dir / "fetched" / "sambre.md"
    assert not fetched.exists()

    assert (
        main(["add", url, "--id", "sambre", *add_args(tiny_settings, "--allow-private-urls")]) == 0
    )
    meta, body = split_front_matter(fetched.read_text(encoding="utf-8"))
    assert meta["url"] == url and "## Gouvernance" in body
    assert "/pole-sambre.html" in [p for p, _ in site.log]

    monkeypatch.setenv("ASSISTANT_ALLOW_PRIVATE_URLS", "1")  # the environment works too
    assert main(["add", url, "--id", "sambre-2", *add_args(tiny_settings)]) == 0
    assert (tiny_settings.corpus_dir / "fetched" / "sambre-2.md").exists()


def test_add_refuses_a_redirect_to_a_private_address_before_connecting(
    site_looks_public, tiny_settings, capsys, monkeypatch, no_proxy
):
    site = site_looks_public
    site.redirects["/to-private"] = "http://10.0.0.1/"
    requested: list[str] = []
    real_stream = httpx.Client.stream

    def stream(self, method, url, **kw):  # a broken check must still not connect to 10.x
        requested.append(str(url))
        if urlsplit(str(url)).hostname != "127.0.0.1":
            raise AssertionError(f"the fetcher tried to connect to {url}")
        return real_stream(self, method, url, **kw)

    monkeypatch.setattr(httpx.Client, "stream", stream)
    code = main(["add", site.base + "/to-private", *add_args(tiny_settings)])
    one_refusal(capsys.readouterr().err, "10.0.0.1")
    assert code == 2
    assert [p for p, _ in site.log] == ["/robots.txt", "/to-private"]
    assert requested == [site.base + "/robots.txt", site.base + "/to-private"]
    assert not (tiny_settings.corpus_dir / "fetched").exists()


def test_redirect_to_loopback_is_refused_then_followed_with_the_opt_in(
    site_looks_public, tiny_settings, capsys, no_proxy
):
    site = site_looks_public
    target = f"http://localhost:{site.server_port}/pole-sambre.html"
    site.redirects["/to-localhost"] = target
    start = site.base + "/to-localhost"
    assert main(["add", start, "--id", "moved", *add_args(tiny_settings)]) == 2
    one_refusal(capsys.readouterr().err, "127.0.0.1")
    assert "/pole-sambre.html" not in [p for p, _ in site.log]

    assert (
        main(["add", start, "--id", "moved", *add_args(tiny_settings, "--allow-private-urls")]) == 0
    )
    meta, body = split_front_matter(
        (tiny_settings.corpus_dir / "fetched" / "moved.md").read_text(encoding="utf-8")
    )
    assert meta["url"] == target and "## Gouvernance" in body


def test_fetch_refuses_a_listed_loopback_source(corpus, site, capsys, no_proxy):
    args = ["--corpus-dir", str(corpus.corpus_dir), "--index-dir", str(corpus.index_dir)]
    assert main(["fetch", *args, "--delay", "0", "--no-build", "-q"]) == 2
    one_refusal(capsys.readouterr().err, "127.0.0.1")
    assert site.log == [] and not (corpus.corpus_dir / "fetched").exists()
