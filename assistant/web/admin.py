"""The editors' page: the digest of declined and thumbs-down questions at `/admin`, with its
CSV and JSON at `/admin/digest.csv` and `/admin/digest.json`.

It exists only when `ASSISTANT_ADMIN_TOKEN` (`WebSettings.admin_token`) is set, and answers
401 to any request without that token: as a bearer token (`Authorization: Bearer …`) or as
the password of HTTP Basic authentication (any user name), so a browser asks for it.
"""

from __future__ import annotations

import base64
import binascii
import logging
import secrets
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..editors import report
from ..errors import UserError
from ..wording import (
    ADMIN_REALM,
    ADMIN_UNAUTHORIZED,
    ADMIN_UNAVAILABLE,
    DIGEST_TITLE,
    NO_ROWS,
)

log = logging.getLogger(__name__)


def authorized(header: str | None, token: str) -> bool:
    """True when an `Authorization` header carries `token` (Bearer, or Basic's password).

    >>> authorized("Bearer s3cret", "s3cret"), authorized("Basic " + base64.b64encode(b"ed:s3cret").decode(), "s3cret")
    (True, True)
    >>> authorized(None, "s3cret"), authorized("Bearer nope", "s3cret"), authorized("Bearer ", "")
    (False, False, False)
    """
    if not token or not header:
        return False
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer":
        given = value.strip()
    elif scheme.lower() == "basic":
        try:
            given = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return False
    else:
        return False
    return secrets.compare_digest(given.encode(), token.encode())


def add_admin_routes(app: Any, settings: Any, store: Any, pipeline: Any) -> None:
    """Registers the page on the FastAPI `app` (before the Gradio mounts); nothing without a token."""
    if not settings.admin_token:
        return
    from ..editors.digest import digest
    from ..editors.log import read

    headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    formats = {  # path -> (render the groups, media type)
        "/admin": (lambda g: page(g, settings.retention_days), "text/html; charset=utf-8"),
        "/admin/digest.json": (report.to_json, "application/json"),
        "/admin/digest.csv": (report.to_csv, "text/csv; charset=utf-8"),
    }

    def route(render, media_type):
        def respond(request: Request, since: int | None = None, min_count: int = 1) -> Response:
            if not authorized(request.headers.get("authorization"), settings.admin_token):
                realm = f'Basic realm="{ADMIN_REALM}", charset="UTF-8"'
                return PlainTextResponse(
                    ADMIN_UNAUTHORIZED, status_code=401, headers={"WWW-Authenticate": realm}
                )
            try:
                days = min(since or settings.retention_days, settings.retention_days)
                rows = read(store, max(days, 1))
                body = render(digest(rows, pipeline.embedder, min_count=max(min_count, 1)))
            except Exception as exc:  # no scikit-learn, database down: one sentence
                log.warning("Editors' digest unavailable: %s", exc)
                text = str(exc) if isinstance(exc, UserError) else ADMIN_UNAVAILABLE
                return PlainTextResponse(text, status_code=503, headers=headers)
            return Response(body, media_type=media_type, headers=headers)

        return respond

    for path, (render, media_type) in formats.items():
        app.add_api_route(path, route(render, media_type), methods=["GET"], include_in_schema=False)


def page(groups, retention_days: int) -> str:
    """The digest as a self-contained HTML page (the chart inlined as a PNG)."""
    try:
        png = base64.b64encode(report.chart_png(groups)).decode() if groups else ""
        chart = (
            f'<img id="chart" alt="Les groupes les plus demandés" src="data:image/png;base64,{png}">'
            if png
            else ""
        )
    except UserError as exc:
        chart = f"<p>{escape(str(exc))}</p>"
    rows = []
    for rank, g in enumerate(groups, 1):
        examples = "".join(f"<li>« {escape(q)} »</li>" for q in g.examples)
        comments = "".join(f"<li>« {escape(c)} »</li>" for c in g.comments) or "<li>—</li>"
        rows.append(
            f'<tr id="{escape(g.id)}"><td>{rank}</td><td><strong>{escape(g.label)}</strong>'
            f"<br><code>{escape(g.id)}</code></td><td>{g.count}</td>"
            f"<td>{round(100 * g.thumbs_down_share)} %</td><td>{escape(g.section or '—')}</td>"
            f"<td><ul>{examples}</ul></td><td><ul>{comments}</ul></td></tr>"
        )
    table = (
        "<table><thead><tr><th>#</th><th>Groupe</th><th>Questions</th><th>Avis négatifs</th>"
        "<th>Section la plus proche</th><th>Exemples</th><th>Commentaires</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else f"<p>{escape(NO_ROWS)}</p>"
    )
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>{escape(DIGEST_TITLE)} — Assistant PTCE</title><style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 1100px; padding: 0 1rem; color: #1f2937; }}
h1 {{ font-size: 1.5rem; }} table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #d1d5db; padding: .4rem .5rem; vertical-align: top; text-align: left; }}
th {{ background: #00558c; color: #fff; }} ul {{ margin: 0; padding-left: 1.1rem; }}
img {{ max-width: 100%; margin: 1rem 0; }} code {{ font-size: .8rem; color: #4b5563; }}
</style></head><body><h1>{escape(DIGEST_TITLE)}</h1>
<p>Les {retention_days} derniers jours, groupés par sens, du plus demandé au moins demandé.
Téléchargez le <a href="admin/digest.csv">CSV</a> ou le <a href="admin/digest.json">JSON</a> ;
un brouillon de fiche :
<code>python -m assistant cards draft IDENTIFIANT</code>.</p>
{chart}{table}</body></html>"""
