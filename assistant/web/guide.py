"""The guide as a page of the app (`/guide`), so that a citation's « Ouvrir dans le guide »
opens the document itself at the cited section, not a publisher's home page.

Each document of the corpus is rendered from its Markdown (html disabled: the corpus cannot
inject markup), each heading gets the id `section_anchor(doc_id, heading)`.
"""

from __future__ import annotations

import re
from html import escape

from ..schema import Document
from ..search.analysis import fold

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font:16px/1.55 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1f2933}}
h1,h2,h3{{line-height:1.25}} :target{{background:#fff3bf;scroll-margin-top:1rem}}
blockquote{{border-left:3px solid #cbd2d9;margin-left:0;padding-left:1rem;color:#52606d}}
.meta{{color:#52606d}}</style></head><body>{body}</body></html>"""


def section_anchor(doc_id: str, heading: str) -> str:
    """`guide-ptce-hdf-2025--quels-roles-pour-les-collectivites`: stable, ASCII, URL-safe."""
    words = re.findall(r"[a-z0-9]+", fold(heading))
    return f"{doc_id}--{'-'.join(words)}"


def guide_href(doc_id: str, section_path: str, title: str = "") -> str:
    """The link, relative to the chat or the widget page, to the cited section (to the
    document itself for a passage before its first section)."""
    heading = section_path.split(" > ")[-1] if section_path else ""
    if not heading or heading == title:
        return f"guide#{doc_id}"
    return f"guide#{section_anchor(doc_id, heading)}"


def guide_page(documents: list[Document]) -> str:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False})
    parts = []
    for doc in documents:
        tokens = md.parse(doc.text)
        for i, token in enumerate(tokens):
            if token.type == "heading_open":
                heading = tokens[i + 1].content
                token.attrSet("id", section_anchor(doc.doc_id, heading))
        meta = " · ".join(x for x in (doc.publisher, doc.date) if x)
        parts.append(
            f'<article id="{escape(doc.doc_id)}">'
            + (f'<p class="meta">{escape(meta)}</p>' if meta else "")
            + md.renderer.render(tokens, md.options, {})
            + "</article>"
        )
    title = documents[0].title if documents else "Guide"
    return PAGE.format(title=escape(title), body="<hr>".join(parts))
