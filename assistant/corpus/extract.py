"""Turn a downloaded or local file (HTML, PDF, DOCX, Markdown) into a corpus document.

Each format goes through a maintained extractor, never regexes on markup: trafilatura
finds an HTML page's main text and writes it as Markdown with its headings; pypdf reads a
PDF's text, and lines set in a larger font than the body become headings; python-docx
reads a Word file's heading styles. `render_document` then writes the Markdown file that
`assistant.corpus.load.load_corpus` reads, with front matter (doc_id, title, url, publisher,
date, retrieved, sha256, kind). `sha256` is the hash of the body exactly as
`load_corpus` returns it, the same hash the index manifest records per document.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UserError
from .load import split_front_matter

MIN_TEXT_CHARS = 80  # less than this is a cookie wall or an empty shell, not a document


class ExtractError(UserError):
    """The file holds no usable text (or is of a kind we do not read)."""


@dataclass(frozen=True)
class Extracted:
    title: str
    body: str  # Markdown, starting with "# title"
    kind: str  # "html", "pdf", "docx", "markdown"
    published: str = ""  # the document's own date, when it states one
    meta: tuple[tuple[str, Any], ...] = ()  # extra front matter of a Markdown input


# ---------------------------------------------------------------- dispatch


def sniff_kind(data: bytes, content_type: str = "", name: str = "") -> str:
    """ "html", "pdf", "docx" or "markdown" from the bytes, the Content-Type and the name."""
    ctype = content_type.split(";")[0].strip().lower()
    suffix = Path(name.split("?")[0]).suffix.lower()
    if data.startswith(b"%PDF-") or ctype == "application/pdf" or suffix == ".pdf":
        return "pdf"
    if data.startswith(b"PK\x03\x04") and (suffix == ".docx" or "wordprocessingml" in ctype):
        return "docx"
    if ctype in ("text/markdown", "text/x-markdown") or suffix in (".md", ".markdown"):
        return "markdown"
    if ctype in ("text/html", "application/xhtml+xml") or suffix in (".html", ".htm"):
        return "html"
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    if ctype == "text/plain" or suffix == ".txt":
        return "markdown"
    raise ExtractError(
        f"{name or 'this file'} is of a kind the assistant does not read ({ctype or suffix or 'unknown'}); use HTML, PDF, DOCX or Markdown."
    )


def extract(data: bytes, *, content_type: str = "", name: str = "", url: str = "") -> Extracted:
    """The main text of `data` as Markdown. Raises ExtractError when there is none."""
    kind = sniff_kind(data, content_type, name)
    reader = {
        "html": html_to_markdown,
        "pdf": pdf_to_markdown,
        "docx": docx_to_markdown,
        "markdown": markdown_document,
    }[kind]
    try:
        doc = reader(data, url=url)
    except ExtractError:
        raise
    except Exception as exc:  # each library raises its own kinds for a damaged file
        raise ExtractError(f"{name or url or 'the file'} cannot be read as {kind}: {exc}") from exc
    if len(re.sub(r"^#.*$", "", doc.body, flags=re.MULTILINE).strip()) < MIN_TEXT_CHARS:
        raise ExtractError(f"{name or url or 'the file'} holds no main text ({kind}).")
    return doc


# ---------------------------------------------------------------- per format


def html_to_markdown(data: bytes | str, *, url: str = "") -> Extracted:
    """trafilatura's main-text extraction, Markdown output with headings, lists and tables."""
    import trafilatura

    text = trafilatura.extract(
        data,
        url=url or None,
        output_format="markdown",
        include_formatting=True,
        include_tables=True,
        include_links=False,
        include_images=False,
        include_comments=False,
        favor_recall=True,
    )
    meta = trafilatura.extract_metadata(
        data.decode("utf-8", "replace") if isinstance(data, bytes) else data,
        default_url=url or None,
        extensive=False,
    )
    title = clean_line(getattr(meta, "title", None) or "")
    body = tidy_markdown(text or "")
    return _with_title(body, title, "html", str(getattr(meta, "date", None) or ""))


def pdf_to_markdown(data: bytes, *, url: str = "") -> Extracted:
    """pypdf's text, with lines in a larger font than the body turned into headings."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages: list[list[tuple[str, float]]] = []
    for page in reader.pages:
        pages.append(_pdf_lines(page))
    lines = _drop_running_lines(pages)
    title = clean_line(str((reader.metadata or {}).get("/Title") or ""))
    body = tidy_markdown(pdf_lines_to_markdown(lines))
    published = _pdf_date(str((reader.metadata or {}).get("/CreationDate") or ""))
    return _with_title(body, title, "pdf", published)


def docx_to_markdown(data: bytes, *, url: str = "") -> Extracted:
    """python-docx's paragraphs; "Heading n" / "Titre n" styles become headings."""
    import docx

    document = docx.Document(io.BytesIO(data))
    out: list[str] = []
    for para in document.paragraphs:
        text = clean_line(para.text)
        if not text:
            continue
        style = (para.style.name if para.style is not None else "").lower()
        level = re.search(r"(?:heading|titre)\s*(\d)", style)
        if style in ("title", "titre"):
            out.append(f"# {text}")
        elif level:
            out.append("#" * min(int(level.group(1)) + 1, 6) + f" {text}")
        elif "list" in style or "liste" in style:
            out.append(f"- {text}")
        else:
            out.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = [clean_line(c.text) for c in row.cells]
            if any(cells):
                out.append("| " + " | ".join(cells) + " |")
    title = clean_line(document.core_properties.title or "")
    created = document.core_properties.created
    return _with_title(
        tidy_markdown("\n\n".join(out)),
        title,
        "docx",
        created.date().isoformat() if created else "",
    )


def markdown_document(data: bytes | str, *, url: str = "") -> Extracted:
    """A Markdown (or plain text) file, its front matter kept when it has one."""
    raw = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        meta, body = split_front_matter(raw)
    except ValueError as exc:
        raise ExtractError(f"the Markdown front matter cannot be read: {exc}") from exc
    title = clean_line(str(meta.get("title") or ""))
    doc = _with_title(tidy_markdown(body), title, "markdown", str(meta.get("date") or ""))
    return Extracted(doc.title, doc.body, doc.kind, doc.published, tuple(meta.items()))


# ---------------------------------------------------------------- PDF helpers


def _pdf_lines(page) -> list[tuple[str, float]]:
    """(line text, font size) for each line of a page, size as rendered (text and CTM scale)."""
    lines: list[tuple[str, float]] = []
    parts: list[str] = []
    sizes: Counter[float] = Counter()

    def flush() -> None:
        text = clean_line("".join(parts))
        if text:
            lines.append((text, sizes.most_common(1)[0][0] if sizes else 0.0))
        parts.clear()
        sizes.clear()

    def visit(text, cm, tm, font_dict, font_size) -> None:
        scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
        for i, piece in enumerate(text.split("\n")):
            if i:
                flush()
            if piece.strip():
                parts.append(piece)
                sizes[round(float(font_size) * (scale or 1.0), 1)] += len(piece.strip())

    page.extract_text(visitor_text=visit)
    flush()
    return lines


def _drop_running_lines(pages: list[list[tuple[str, float]]]) -> list[tuple[str, float]]:
    """All lines, less page numbers and headers/footers repeated on most pages."""
    counts = Counter(t for page in pages for t in {t for t, _ in page})
    running = {t for t, n in counts.items() if len(pages) >= 3 and n > len(pages) / 2}
    return [
        (t, s)
        for page in pages
        for t, s in page
        if t not in running and not re.fullmatch(r"(?:page\s*)?\d+(?:\s*/\s*\d+)?", t, re.I)
    ]


_BULLET = re.compile(r"^[•●▪■◦‣–—\-\*]\s*")


def pdf_lines_to_markdown(lines: list[tuple[str, float]]) -> str:
    """Headings from font size, paragraphs from line lengths and sentence ends.

    The body size is the size most characters are set in; a short line set at least 15 %
    larger is a heading. The largest size is "#" when it is used once (the title), other
    heading sizes become "##", "###" from the largest down.
    """
    if not lines:
        return ""
    weight: Counter[float] = Counter()
    for text, size in lines:
        weight[size] += len(text)
    body_size = weight.most_common(1)[0][0]
    is_heading = [s >= body_size * 1.15 and len(t) <= 150 for t, s in lines]
    heading_sizes = sorted(
        {s for (_, s), h in zip(lines, is_heading, strict=True) if h}, reverse=True
    )
    uses = Counter(s for (_, s), h in zip(lines, is_heading, strict=True) if h)
    levels: dict[float, int] = {}
    next_level = 2
    for i, size in enumerate(heading_sizes):
        if i == 0 and uses[size] == 1:
            levels[size] = 1
        else:
            levels[size] = min(next_level, 6)
            next_level += 1
    width = sorted(len(t) for t, _ in lines)[int(0.9 * (len(lines) - 1))]
    out: list[str] = []
    para: list[str] = []
    prev_heading: tuple[int, float] | None = None

    def flush() -> None:
        if para:
            out.append(" ".join(para))
            para.clear()

    for (text, size), heading in zip(lines, is_heading, strict=True):
        if heading:
            flush()
            if prev_heading and prev_heading[1] == size:  # a heading wrapped over two lines
                out[prev_heading[0]] += " " + text
            else:
                out.append("#" * levels[size] + " " + text)
                prev_heading = (len(out) - 1, size)
            continue
        prev_heading = None
        bullet = _BULLET.match(text)
        if bullet:
            flush()
            text = "- " + text[bullet.end() :]
        if para and para[-1].endswith("-") and text[:1].islower():
            para[-1] = para[-1][:-1] + text  # a word hyphenated at the line end
        else:
            para.append(text)
        if re.search(r"[.!?:…»\"”]$", text) and len(text) < 0.85 * width:
            flush()
    flush()
    return "\n\n".join(out)


def _pdf_date(raw: str) -> str:
    m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?", raw)
    if not m:
        return ""
    return "-".join(p for p in m.groups() if p)


# ---------------------------------------------------------------- shared helpers


def clean_line(text: str) -> str:
    """One line of text: Unicode NFC, no control characters, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def tidy_markdown(text: str) -> str:
    """Blank lines around headings, no runs of blank lines, no trailing spaces."""
    lines = [line.rstrip() for line in unicodedata.normalize("NFC", text).splitlines()]
    out: list[str] = []
    for line in lines:
        if re.match(r"#{1,6}\s", line):
            out.extend(["", line, ""])
        else:
            out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


def _with_title(body: str, title: str, kind: str, published: str) -> Extracted:
    """Make the body start with "# title" (the chunker reads the level-1 heading as the title)."""
    first = re.match(r"#\s+(.+)\n", body)
    if first:
        title = title or first.group(1).strip()
    elif title:
        body = f"# {title}\n\n{body}"
    return Extracted(title=title, body=body, kind=kind, published=published[:10])


def slugify(text: str, max_len: int = 60) -> str:
    """A file-name-safe id: ASCII, lower case, words joined by dashes."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return slug[:max_len].rstrip("-") or "document"


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


FRONT_MATTER_ORDER = (
    "doc_id",
    "title",
    "url",
    "publisher",
    "date",
    "retrieved",
    "sha256",
    "kind",
    "origin",
    "reuse",
)


def render_document(meta: dict[str, Any], body: str) -> str:
    """Front matter (known keys first, then the rest) + body, as `load_corpus` reads it.

    The body is stored so that `split_front_matter` returns it unchanged: `sha256` in the
    front matter is then the hash the index manifest records for the document.
    """
    import yaml

    body = body.lstrip("\n")
    meta = {**meta, "sha256": body_sha256(body)}
    ordered = {k: meta[k] for k in FRONT_MATTER_ORDER if k in meta}
    ordered |= {k: v for k, v in meta.items() if k not in ordered}
    head = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{head}---\n\n{body}"


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old bytes or the new ones, never half of them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
