"""The web server: one FastAPI app serving the chat at `/` and the widget at `/widget/`.

Who may embed the pages, and call the API from a browser, is decided here:

- every response carries `Content-Security-Policy: frame-ancestors 'self' <allowed origins>`,
  so a browser refuses to show the chat or the widget inside a page of any other site;
- CORS answers only the allowed origins (Starlette's CORSMiddleware on the parent app,
  which also turns off Gradio's own permissive CORS), without credentials: the app sets
  no cookies, so the widget works where third-party cookies are blocked;
- `X-Content-Type-Options: nosniff` and a `Referrer-Policy` on everything.

Scripts outside a browser are not limited by origin (there is no login, by design); the
chat and the `ask` API limit questions per session and per address (see `limits`).
`/healthz` says the process is up, `/readyz` whether it can answer (see `observe`); every
response carries an `X-Request-ID`, and one access-log line per request is written.

Behind a proxy that serves the app at `https://host/<base_path>/` (and strips that prefix),
`base_path` is the ASGI `root_path`; its `X-Forwarded-*` headers are believed only when it
is one of `trusted_proxies`.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .observe import RequestLog, readiness
from .settings import WebSettings

WIDGET_PATH = "/widget"


def frame_ancestors(allowed_origins: tuple[str, ...]) -> str:
    """The CSP directive for the allowed embedding origins ("*" allows any site)."""
    if "*" in allowed_origins:
        return "frame-ancestors *"
    return " ".join(["frame-ancestors", "'self'", *allowed_origins])


def security_headers(settings: WebSettings) -> dict[str, str]:
    return {
        "Content-Security-Policy": frame_ancestors(settings.allowed_origins),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }


class SecurityHeaders:
    """Pure ASGI middleware (streams pass through untouched) adding fixed headers to every
    HTTP response."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def quiet_gradio_analytics() -> None:
    """Gradio's queue summarises its per-event records with pandas after every event, over
    up to 10,000 past events: a cost per answer that grows with uptime (3% of the app's busy
    samples after only 400 answers), for a monitoring page this app does not serve. Keep 100
    records, summarised every 1,000 events. Read when a `gr.Blocks` is created (it makes its
    queue then), so call it before building the pages; a value set by the operator wins."""
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "100")
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")


def create_app(
    settings: WebSettings,
    chat: Any,
    widget: Any,
    *,
    index_version: str = "",
    pipeline: Any = None,
    store: Any = None,
    api: Any = None,
) -> Any:
    """The FastAPI app with both Gradio pages mounted, the security and logging middleware,
    the health (`/healthz`) and readiness (`/readyz`, needs `pipeline` and `store`) checks,
    and, given the `AskApi` the chat's Gradio API uses, its JSON routes (`/api/ask`)."""
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse, JSONResponse
    from starlette.middleware.cors import CORSMiddleware

    from .ui import HEAD, css, theme

    quiet_gradio_analytics()
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.allowed_origins),
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        allow_credentials=False,
    )
    app.add_middleware(SecurityHeaders, headers=security_headers(settings))
    app.add_middleware(RequestLog)  # outermost: times and ids everything, CORS refusals too

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "index_version": index_version}

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> Any:  # a plain def: the store check runs in a worker thread
        status, report = readiness(pipeline, store)
        return JSONResponse(report, status_code=status)

    @functools.cache
    def guide() -> str:
        from ..corpus.load import load_corpus
        from .guide import guide_page

        return guide_page(load_corpus(settings.pipeline.corpus_dir))

    # The guide itself, where a citation's link opens it (relative to the chat and the widget).
    for path in ("/guide", f"{WIDGET_PATH}/guide"):
        app.add_api_route(
            path, lambda: HTMLResponse(guide()), methods=["GET"], include_in_schema=False
        )

    from .admin import add_admin_routes

    add_admin_routes(app, settings, store, pipeline)  # /admin, only with ASSISTANT_ADMIN_TOKEN
    if api is not None:
        from .api import add_api_routes

        add_api_routes(app, api)  # before the mount at "/", which would catch every path

    common = {
        "theme": theme(),
        "head": HEAD,
        "run_history": False,
        "ssr_mode": False,
        "server_name": settings.host,
        "server_port": settings.port,
        "show_error": False,  # users see our French sentences (gr.Error), never a raw exception
    }
    # The widget first: a mount at "/" would catch every path. No Gradio `root_path` here: a
    # public base path is the ASGI server's `root_path` (see `serve`), which Gradio reads from
    # the request scope for each mounted page.
    gr.mount_gradio_app(
        app, widget, path=WIDGET_PATH, footer_links=[], css=css(settings, compact=True), **common
    )
    gr.mount_gradio_app(app, chat, path="/", footer_links=["api"], css=css(settings), **common)
    return app


def serve(app: Any, settings: WebSettings) -> None:
    """Run the app with uvicorn; behind a proxy that strips `base_path`, that path becomes the
    ASGI `root_path`, so the pages and the API compute their public URLs under it."""
    import uvicorn

    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        root_path=settings.base_path,
        # X-Forwarded-* are believed only from the proxies named in the settings
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
        log_level="warning",
    )
