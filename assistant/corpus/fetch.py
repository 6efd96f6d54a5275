"""Fetch the guide's linked resources into the corpus, politely, and add single documents.

Two parts:

- `PoliteClient`: HTTP GET with a User-Agent naming the assistant, robots.txt obeyed
  (`urllib.robotparser`; unreachable robots.txt means "do not fetch", per RFC 9309), a
  pause between two requests to one host (robots.txt's Crawl-delay when longer),
  connect/read timeouts plus a deadline for the whole body, retries with exponential
  backoff on time-outs, 429 and 5xx, redirects followed by hand (each hop checked against
  robots.txt), a size limit enforced while streaming, and no address that is not public
  (`assistant.corpus.addresses`: checked before every request, so after every redirect too)
  unless private addresses are allowed.
- `fetch_sources` / `add_document`: read `corpus/sources.yaml`, download each resource
  marked `fetch: true`, extract its text (`assistant.corpus.extract`) and write
  `corpus/fetched/<id>.md` atomically. A failure leaves the previous copy untouched and
  is reported; an unchanged text (same sha256, or HTTP 304) is not rewritten, so the
  index is not rebuilt for nothing. Fetched texts are for the user's installation only:
  `corpus/fetched/` is git-ignored, since most of these sites state no reuse licence.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import urllib.robotparser
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ..errors import UserError
from .addresses import Resolver, check_url
from .extract import (
    ExtractError,
    body_sha256,
    extract,
    render_document,
    slugify,
    write_atomic,
)
from .load import load_corpus, split_front_matter

USER_AGENT = "ptce-assistant/0.1 (corpus fetcher; obeys robots.txt)"
ROBOTS_AGENT = "ptce-assistant"
FETCHED_DIR = "fetched"  # under the corpus folder; git-ignored
ORIGIN_SOURCES = "sources.yaml"
ORIGIN_ADD = "add"


class FetchError(UserError):
    """A resource could not be downloaded; the message says which and why."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}.")
        self.url, self.reason = url, reason


class _Transient(Exception):
    """A failure worth retrying (time-out, connection error, 429, 5xx), with the server's
    Retry-After in seconds when it sent one."""

    def __init__(self, reason: str, retry_after: float = 0.0) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Politeness:
    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0  # whole response, so a trickling server cannot hold us
    retries: int = 2  # after the first attempt
    backoff: float = 2.0  # seconds before the first retry, doubled each time
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    delay: float = 1.0  # between two requests to one host
    max_delay: float = 30.0  # cap on robots.txt's Crawl-delay


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int
    content_type: str = ""
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class PoliteClient:
    """One client per run; keeps robots.txt per origin and the last request time per host."""

    def __init__(
        self,
        policy: Politeness | None = None,
        *,
        trust_env: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        allow_private: bool = False,
        resolver: Resolver | None = None,
    ) -> None:
        import httpx

        self.policy = policy or Politeness()
        self.allow_private = allow_private
        self._resolver = resolver
        p = self.policy
        self._httpx = httpx
        self._client = httpx.Client(
            headers={"User-Agent": p.user_agent, "Accept-Language": "fr, en;q=0.5"},
            timeout=httpx.Timeout(p.read_timeout, connect=p.connect_timeout),
            follow_redirects=False,
            trust_env=trust_env,
        )
        self._sleep = sleep
        self._robots: dict[str, urllib.robotparser.RobotFileParser | str] = {}
        self._last: dict[str, float] = {}

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def get(self, url: str, *, etag: str = "", last_modified: str = "") -> Response:
        """GET `url` (following redirects). Raises FetchError with the reason on failure."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _hop in range(self.policy.max_redirects + 1):
            _check_scheme(url)
            self._check_address(url)
            if not self.allowed(url):
                raise FetchError(url, "robots.txt does not allow the assistant to fetch it")
            response = self._with_retries(url, headers, self.policy.max_bytes)
            if response.status in (301, 302, 303, 307, 308) and response.url:
                url = response.url
                continue
            if response.status == 304 or 200 <= response.status < 300:
                return response
            raise FetchError(url, f"the server answered HTTP {response.status}")
        raise FetchError(url, f"more than {self.policy.max_redirects} redirects")

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets the assistant fetch `url`. Raises FetchError when the
        site's robots.txt cannot be read (RFC 9309: then nothing may be fetched)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        robots = self._robots[origin]
        if isinstance(robots, str):
            raise FetchError(url, f"{robots}; the site is left alone")
        return robots.can_fetch(ROBOTS_AGENT, url)

    def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | str:
        """robots.txt: 2xx is parsed, 4xx means no rules, else a reason to keep out."""
        url = origin + "/robots.txt"
        try:
            for _hop in range(self.policy.max_redirects + 1):
                response = self._with_retries(url, {}, 512 * 1024)
                if response.status not in (301, 302, 303, 307, 308):
                    break
                url = response.url
        except FetchError as exc:
            return f"robots.txt cannot be read ({exc.reason})"
        parser = urllib.robotparser.RobotFileParser(url)
        if 200 <= response.status < 300:
            parser.parse(response.body.decode("utf-8", "replace").splitlines())
        elif 400 <= response.status < 500:
            parser.parse([])
        else:
            return f"robots.txt answered HTTP {response.status}"
        return parser

    def _with_retries(self, url: str, headers: dict[str, str], max_bytes: int) -> Response:
        p = self.policy
        last, wait = "", 0.0
        for attempt in range(p.retries + 1):
            if attempt:
                self._sleep(max(p.backoff * 2 ** (attempt - 1), min(wait, p.max_delay)))
            self._wait_turn(url)
            try:
                return self._attempt(url, headers, max_bytes)
            except _Transient as exc:
                last, wait = str(exc), exc.retry_after
        tries = "attempt" if p.retries == 0 else "attempts"
        raise FetchError(url, f"{last}, {p.retries + 1} {tries}")

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc
        delay = self.policy.delay
        robots = self._robots.get(f"{urlsplit(url).scheme}://{host}")
        crawl_delay = (
            robots.crawl_delay(ROBOTS_AGENT) if not isinstance(robots, str | None) else None
        )
        if crawl_delay:
            delay = max(delay, min(float(crawl_delay), self.policy.max_delay))
        if host in self._last:
            remaining = self._last[host] + delay - time.monotonic()
            if remaining > 0:
                self._sleep(remaining)
        self._last[host] = time.monotonic()

    def _check_address(self, url: str) -> None:
        """Raise BlockedAddress when `url` leads to a non-public address (unless allowed)."""
        if not self.allow_private:
            try:
                check_url(url, resolver=self._resolver)
            except OSError as exc:
                raise FetchError(url, f"its host name cannot be resolved ({exc})") from exc

    def _attempt(self, url: str, headers: dict[str, str], max_bytes: int) -> Response:
        httpx = self._httpx
        self._check_address(url)  # every request, robots.txt and its redirects included
        start = time.monotonic()
        try:
            with self._client.stream("GET", url, headers=headers) as r:
                if r.status_code == 429 or r.status_code >= 500:
                    retry_after = r.headers.get("retry-after", "")
                    raise _Transient(
                        f"the server answered HTTP {r.status_code}",
                        float(retry_after) if retry_after.isdigit() else 0.0,
                    )
                if r.is_redirect:
                    return Response(urljoin(url, r.headers.get("location", "")), r.status_code)
                length = r.headers.get("content-length", "")
                declared = int(length) if length.isdigit() else 0
                if declared > max_bytes:
                    raise FetchError(url, f"too large ({declared} bytes, limit {max_bytes})")
                chunks: list[bytes] = []
                size = 0
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(url, f"too large (over the {max_bytes}-byte limit)")
                    if time.monotonic() - start > self.policy.total_timeout:
                        raise _Transient(f"timed out after {self.policy.total_timeout:g} s")
                    chunks.append(chunk)
                return Response(
                    str(r.url),
                    r.status_code,
                    r.headers.get("content-type", ""),
                    b"".join(chunks),
                    r.headers.get("etag", ""),
                    r.headers.get("last-modified", ""),
                )
        except httpx.TimeoutException as exc:
            raise _Transient(f"timed out ({exc.__class__.__name__})") from exc
        except httpx.TransportError as exc:
            raise _Transient(f"network error ({exc or exc.__class__.__name__})") from exc


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(repr(url), "not an http(s) address")


# ---------------------------------------------------------------- sources.yaml


@dataclass(frozen=True)
class SourceEntry:
    id: str
    title: str
    url: str = ""
    publisher: str = ""
    covers: str = ""
    reuse: str = ""  # "committed" (text in the repository) or "fetch-only"
    licence: str = ""
    fetch: bool = False
    fallback_urls: tuple[str, ...] = ()
    path: str = ""  # for a committed document: its file under the corpus folder


def load_sources(path: Path) -> list[SourceEntry]:
    """The entries of a sources.yaml file. Raises UserError naming the file when unusable."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise UserError(f"Sources list not found: {path}.") from exc
    except yaml.YAMLError as exc:
        raise UserError(
            f"Sources list {path} is not valid YAML ({exc.__class__.__name__})."
        ) from exc
    raw = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise UserError(f"Sources list {path} has no 'sources:' list.")
    entries: list[SourceEntry] = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict) or not item.get("id") or not item.get("title"):
            raise UserError(f"Entry {i} of {path} needs at least 'id' and 'title'.")
        if item.get("fetch") and not str(item.get("url") or "").startswith(("http://", "https://")):
            raise UserError(
                f"Entry {item['id']!r} of {path} is to be fetched but has no http(s) url."
            )
        entries.append(
            SourceEntry(
                id=slugify(str(item["id"])),
                title=str(item["title"]),
                url=str(item.get("url") or ""),
                publisher=str(item.get("publisher") or ""),
                covers=str(item.get("covers") or ""),
                reuse=str(item.get("reuse") or ""),
                licence=str(item.get("licence") or ""),
                fetch=bool(item.get("fetch")),
                fallback_urls=tuple(str(u) for u in item.get("fallback_urls") or ()),
                path=str(item.get("path") or ""),
            )
        )
    return entries


# ---------------------------------------------------------------- updating the corpus


@dataclass(frozen=True)
class Outcome:
    doc_id: str
    status: str  # "new", "updated", "unchanged", "removed", "failed"
    detail: str = ""
    path: Path | None = field(default=None, compare=False)

    @property
    def changed(self) -> bool:
        return self.status in ("new", "updated", "removed")


def _front_matter(path: Path) -> dict:
    try:
        return split_front_matter(path.read_text(encoding="utf-8"))[0]
    except (OSError, ValueError, UnicodeDecodeError):
        return {}


def fetch_sources(
    entries: Iterable[SourceEntry],
    out_dir: Path,
    client: PoliteClient,
    *,
    only: Iterable[str] = (),
    prune: bool = True,
    today: str | None = None,
    corpus_dir: Path | None = None,
) -> list[Outcome]:
    """Fetch every entry marked `fetch: true` (or those named in `only`) into `out_dir`.

    With `prune`, files fetched earlier for entries no longer listed are removed. An entry
    whose id is already used by a document of `corpus_dir` outside `out_dir` fails (two
    documents with one id would make the corpus unreadable).
    """
    today = today or dt.date.today().isoformat()
    entries = list(entries)
    wanted = {slugify(o) for o in only}
    unknown = wanted - {e.id for e in entries}
    if unknown:
        raise UserError(f"No source with id {', '.join(sorted(unknown))} in the sources list.")
    taken = {
        d.doc_id
        for d in (_corpus_docs(corpus_dir) if corpus_dir else ())
        if (corpus_dir / d.path).resolve().parent != out_dir.resolve()
    }
    outcomes = [
        fetch_one(e, out_dir, client, today=today)
        if e.id not in taken
        else Outcome(e.id, "failed", "another corpus document already has this id")
        for e in entries
        if e.fetch and (not wanted or e.id in wanted)
    ]
    if prune and not wanted:
        outcomes += prune_fetched(out_dir, {e.id for e in entries if e.fetch})
    return outcomes


def fetch_one(entry: SourceEntry, out_dir: Path, client: PoliteClient, *, today: str) -> Outcome:
    """Download and extract one entry; on any failure the previous copy stays as it was."""
    target = out_dir / f"{entry.id}.md"
    old = _front_matter(target) if target.exists() else {}
    errors: list[str] = []
    for url in (entry.url, *entry.fallback_urls):
        try:
            response = client.get(
                url,
                etag=str(old.get("etag") or ""),
                last_modified=str(old.get("last_modified") or ""),
            )
            if response.not_modified:
                return Outcome(entry.id, "unchanged", "HTTP 304", target)
            doc = extract(response.body, content_type=response.content_type, name=url, url=url)
        except (FetchError, ExtractError) as exc:
            errors.append(str(exc).rstrip("."))
            continue
        meta = {
            "doc_id": entry.id,
            "title": entry.title or doc.title,
            "url": response.url,
            "publisher": entry.publisher,
            "date": doc.published or today,
            "retrieved": today,
            "published": doc.published,
            "kind": doc.kind,
            "origin": ORIGIN_SOURCES,
            "reuse": entry.reuse or "fetch-only",
            "listed_url": entry.url,
            "etag": response.etag,
            "last_modified": response.last_modified,
        }
        return _store(target, meta, doc.body, old)
    return Outcome(entry.id, "failed", "; ".join(errors), target)


def _store(target: Path, meta: dict, body: str, old: dict) -> Outcome:
    if old.get("sha256") == body_sha256(body.lstrip("\n")):
        return Outcome(meta["doc_id"], "unchanged", "same text", target)
    write_atomic(target, render_document({k: v for k, v in meta.items() if v != ""}, body))
    return Outcome(meta["doc_id"], "updated" if old else "new", meta.get("url", ""), target)


def prune_fetched(out_dir: Path, keep: set[str]) -> list[Outcome]:
    """Remove files that `fetch` wrote for entries no longer listed (never `add`ed ones)."""
    removed = []
    for path in sorted(out_dir.glob("*.md")) if out_dir.is_dir() else ():
        meta = _front_matter(path)
        if meta.get("origin") == ORIGIN_SOURCES and str(meta.get("doc_id")) not in keep:
            path.unlink()
            removed.append(Outcome(str(meta.get("doc_id")), "removed", "no longer listed", path))
    return removed


def add_document(
    target: str,
    corpus_dir: Path,
    out_dir: Path,
    client_factory: Callable[[], PoliteClient] = PoliteClient,
    *,
    doc_id: str = "",
    title: str = "",
    publisher: str = "",
    today: str | None = None,
) -> Outcome:
    """Add one document (a URL, or a Markdown, PDF, DOCX or HTML file) to `out_dir`."""
    today = today or dt.date.today().isoformat()
    if target.startswith(("http://", "https://")):
        with client_factory() as client:
            response = client.get(target)
        data, ctype, url, name = response.body, response.content_type, response.url, target
    else:
        path = Path(target).expanduser()
        if not path.is_file():
            raise UserError(f"File not found: {path}.")
        data, ctype, url, name = path.read_bytes(), "", "", path.name
    doc = extract(data, content_type=ctype, name=name, url=url)
    own = dict(doc.meta)
    title = title or doc.title or str(own.get("title") or "") or Path(name).stem
    doc_id = slugify(doc_id or str(own.get("doc_id") or "") or title)
    dest = out_dir / f"{doc_id}.md"
    taken = {d.doc_id: d.path for d in _corpus_docs(corpus_dir)}
    if doc_id in taken and (corpus_dir / taken[doc_id]).resolve() != dest.resolve():
        raise UserError(f"The corpus already has a document {doc_id!r}; choose another --id.")
    meta = {
        **{k: v for k, v in own.items() if k != "sha256"},
        "doc_id": doc_id,
        "title": title,
        "url": url or str(own.get("url") or ""),
        "publisher": publisher or str(own.get("publisher") or "") or urlsplit(url).netloc,
        "date": doc.published or str(own.get("date") or "") or today,
        "retrieved": today,
        "kind": doc.kind,
        "origin": ORIGIN_ADD,
    }
    return _store(dest, meta, doc.body, _front_matter(dest) if dest.exists() else {})


def _corpus_docs(corpus_dir: Path):
    try:
        return load_corpus(corpus_dir)
    except UserError:
        return []


# ---------------------------------------------------------------- command line


def run_fetch(args, settings) -> int:
    """`python -m assistant fetch`: update corpus/fetched/ from the sources list, then the
    index when a document changed. Exit 1 when a resource could not be fetched."""
    sources = args.sources or settings.corpus_dir / "sources.yaml"
    out_dir = args.out_dir or settings.corpus_dir / FETCHED_DIR
    policy = _policy_from_args(args)
    with PoliteClient(policy, allow_private=settings.allow_private_urls) as client:
        outcomes = fetch_sources(
            load_sources(sources),
            out_dir,
            client,
            only=args.only or (),
            prune=not args.no_prune,
            corpus_dir=settings.corpus_dir,
        )
    for o in outcomes:
        print(f"{o.status:<9} {o.doc_id}  {o.detail}".rstrip())
    failed = [o for o in outcomes if o.status == "failed"]
    print(refresh_index(settings, progress=not args.quiet))
    if failed:
        print(
            f"{len(failed)} ressource(s) non récupérée(s) ; leur copie précédente est conservée.",
            file=sys.stderr,
        )
    return 1 if failed else 0


def run_add(args, settings) -> int:
    """`python -m assistant add PATH_OR_URL`: add one document, then update the index."""
    out_dir = args.out_dir or settings.corpus_dir / FETCHED_DIR
    policy = _policy_from_args(args)
    outcome = add_document(
        args.target,
        settings.corpus_dir,
        out_dir,
        lambda: PoliteClient(policy, allow_private=settings.allow_private_urls),
        doc_id=args.id or "",
        title=args.title or "",
        publisher=args.publisher or "",
    )
    print(f"{outcome.status:<9} {outcome.doc_id}  {outcome.path}")
    print(refresh_index(settings, progress=not args.quiet))
    return 0


def refresh_index(settings, *, progress: bool = True) -> str:
    """Rebuild the index (incrementally) when the corpus no longer matches it."""
    from ..search.index import REBUILD, current_build, read_manifest
    from .load import corpus_hash

    live = current_build(settings.index_dir)
    exists = live is not None and live.exists()
    if exists and read_manifest(live).get("corpus_hash") == corpus_hash(settings.corpus_dir):
        return "Index up to date."
    if not settings.auto_build:
        what = "The corpus changed" if exists else "There is no index yet"
        return f"{what}; build the index with: {REBUILD}"
    from ..search.embed import load_embedder
    from ..search.index import open_index

    index = open_index(settings, load_embedder(settings, progress=progress), progress=progress)
    reuse = index.manifest.get("reuse") or {}
    return (
        f"Index ready: {index.path} ({reuse.get('embedded_vectors', 0)} vectors embedded, "
        f"{reuse.get('reused_vectors', 0)} reused)."
    )


def _policy_from_args(args) -> Politeness:
    """Politeness() with the command's --timeout, --retries and --delay applied."""
    p = Politeness()
    timeout, retries, delay = args.timeout, args.retries, args.delay
    return replace(
        p,
        read_timeout=timeout or p.read_timeout,
        total_timeout=3 * timeout if timeout else p.total_timeout,
        retries=p.retries if retries is None else retries,
        delay=p.delay if delay is None else delay,
    )
