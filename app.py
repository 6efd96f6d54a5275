"""The PTCE assistant in the browser: `python app.py` serves the chat at / and the widget for
partner sites at /widget/ (see widget/README.md). `python app.py --help` lists the settings;
each flag also reads an `ASSISTANT_<NAME>` environment variable.

`respond(message, history)` is the chat as a plain function: it yields the assistant's
message (HTML) as it grows. Tests call it directly, with a fake pipeline.
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.cli import add_pipeline_arguments, settings_from_args
from assistant.errors import UserError
from assistant.settings import Settings
from assistant.web.settings import DEFAULT_THEME_COLOR, WebSettings


@functools.cache
def get_pipeline(settings: Settings | None = None, *, quiet: bool = False):
    """The pipeline, loaded once per settings (model ~10 s; the index is built if missing,
    with progress on stderr unless `quiet`)."""
    from assistant.pipeline import Pipeline

    return Pipeline.load(settings or Settings.from_env(), progress=not quiet)


def respond(
    message: str, history: list[dict[str, Any]] | None = None, *, pipeline=None
) -> Iterator[str]:
    """The assistant's message for `message` after `history` (role/content dicts), as HTML,
    growing sentence by sentence; an abstention or a bad message gives a single notice."""
    from assistant.web import reply

    for step in reply(pipeline or get_pipeline(), message, history):
        yield step.html


def ask(question: str, history: list[dict[str, Any]] | None = None, *, pipeline=None) -> dict:
    """What the `ask` API returns: the `python -m assistant ask --json` object."""
    from assistant.web import ask_stream

    *_, last = ask_stream(pipeline or get_pipeline(), question, history)
    return last


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python app.py",
        description="Assistant PTCE dans le navigateur : la conversation (/) et le widget pour sites partenaires (/widget/).",
    )
    g = parser.add_argument_group("web settings (also ASSISTANT_<NAME> environment variables)")
    g.add_argument("--host", help="address to listen on (default: 127.0.0.1; 0.0.0.0 for all)")
    g.add_argument("--port", type=int, help="port to listen on (default: 7860)")
    g.add_argument(
        "--data-dir", type=Path, help="folder for the feedback database (default: data/)"
    )
    g.add_argument(
        "--database-url",
        help="SQLAlchemy URL of the feedback store, e.g. postgresql+psycopg://user@host/db "
        "(default: SQLite file feedback.sqlite3 in the data folder)",
    )
    g.add_argument(
        "--allowed-origins",
        help="sites allowed to embed the widget and call the API from a browser, comma-separated, "
        "e.g. https://www.cress-hdf.org ('*' for any; default: none but this app)",
    )
    g.add_argument("--base-path", help="public path prefix behind a reverse proxy, e.g. /assistant")
    g.add_argument(
        "--theme-color", help=f"main colour, hexadecimal (default: {DEFAULT_THEME_COLOR})"
    )
    g.add_argument("--greeting", help="first message shown in an empty chat")
    g.add_argument(
        "--concurrency",
        type=int,
        help="answers computed at the same time (default: one per CPU core)",
    )
    g.add_argument(
        "--rate-per-minute", type=int, help="questions per minute per browser session (default: 10)"
    )
    g.add_argument(
        "--rate-per-minute-ip", type=int, help="questions per minute per address (default: 60)"
    )
    g.add_argument(
        "--trusted-proxies",
        help="proxies whose X-Forwarded-For is believed, comma-separated addresses or networks "
        "(default: none)",
    )
    g.add_argument(
        "--retention-days",
        type=int,
        help="days the declined questions and ratings are kept (default: 90); the editors' "
        "digest page /admin needs ASSISTANT_ADMIN_TOKEN",
    )
    add_pipeline_arguments(parser)
    return parser


def settings_from(args: argparse.Namespace) -> WebSettings:
    return WebSettings.from_env(
        pipeline=settings_from_args(args),
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        database_url=args.database_url,
        allowed_origins=args.allowed_origins,
        base_path=args.base_path,
        theme_color=args.theme_color,
        greeting=args.greeting,
        concurrency=args.concurrency,
        rate_per_minute=args.rate_per_minute,
        rate_per_minute_ip=args.rate_per_minute_ip,
        trusted_proxies=args.trusted_proxies,
        retention_days=args.retention_days,
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("assistant.web.access").setLevel(logging.INFO)
    try:
        settings = settings_from(args)
        load = functools.partial(get_pipeline, settings.pipeline, quiet=args.quiet)
        if not args.quiet:
            print("Chargement du modèle et de l'index (construit s'il manque)…", file=sys.stderr)
        pipeline = load()
    except (UserError, ValueError) as exc:  # ValueError: a malformed ASSISTANT_* variable
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2

    from assistant.editors.feedback import FeedbackStore
    from assistant.identity import guide_identity
    from assistant.web.api import AskApi
    from assistant.web.limits import ClientLimits
    from assistant.web.server import create_app, quiet_gradio_analytics, serve
    from assistant.web.ui import build_chat, build_widget

    quiet_gradio_analytics()  # before the pages: each `gr.Blocks` makes its queue when built
    store = FeedbackStore(settings.feedback_url)
    if store.check():  # a store that cannot be written logs a warning; the chat still runs
        try:  # the editors' log and the ratings older than the retention
            store.purge(settings.retention_days)
        except Exception as exc:
            logging.getLogger(__name__).warning("Purge at start-up failed: %s", exc)
    limits = ClientLimits.from_settings(settings)  # shared: the chat, the widget and the API
    guide = guide_identity(pipeline.index)  # named in the header and the greeting
    api = AskApi(load, store, settings, limits)  # Gradio's `ask` and the JSON routes
    app = create_app(
        settings,
        build_chat(settings, load, store, limits, guide, api=api),
        build_widget(settings, load, store, limits, guide),
        index_version=pipeline.index.version,
        pipeline=pipeline,
        store=store,
        api=api,
    )
    url = f"http://{settings.host}:{settings.port}/"
    public = f" ; servi par le proxy sous {settings.base_path}/" if settings.base_path else ""
    print(f"Prêt : {url} (widget : {url}widget/{public})", file=sys.stderr)
    serve(app, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
