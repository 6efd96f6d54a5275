"""`python -m assistant digest`, `purge` and `cards draft`: the editors' commands.

The database is the app's feedback store: `--database-url`, else `ASSISTANT_DATABASE_URL`,
else the SQLite file under `--data-dir` (default data/). Results go to stdout (or `--out`),
diagnostics to stderr; a user error is one sentence and exit code 2 (see `assistant.cli`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UserError
from .grouping import DEFAULT_THRESHOLD


def add_parsers(sub, add_pipeline_arguments) -> None:
    p = sub.add_parser(
        "digest", help="group the declined and thumbs-down questions for the guide's editors"
    )
    _database(p)
    p.add_argument("--since", type=int, metavar="DAYS", help="only the last DAYS days")
    p.add_argument("--min-count", type=int, default=1, metavar="N", help="groups of N or more")
    p.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"cosine distance under which questions group together (default {DEFAULT_THRESHOLD})",
    )
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help='print {"groups": [...]}')
    fmt.add_argument("--csv", action="store_true", help="print CSV, one line per group")
    p.add_argument("--out", type=Path, help="write the report to this file instead of stdout")
    p.add_argument("--png", type=Path, help="also write a bar chart of the top groups (PNG)")
    add_pipeline_arguments(p)

    p = sub.add_parser("purge", help="delete stored questions and ratings older than the retention")
    _database(p)
    p.add_argument(
        "--days", type=int, help="retention in days (default: ASSISTANT_RETENTION_DAYS or 90)"
    )


def add_draft_parser(cards, add_pipeline_arguments) -> None:
    """`cards draft GROUP_ID`, beside `cards check` and `cards coverage`."""
    d = cards.add_parser("draft", help="write a card skeleton for one digest group (cards/drafts/)")
    d.add_argument("group", metavar="GROUP_ID", help="a group id from `digest` (or its rank)")
    _database(d)
    d.add_argument("--since", type=int, metavar="DAYS", help="digest of the last DAYS days only")
    d.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help=argparse.SUPPRESS)
    d.add_argument(
        "--cards-dir", type=Path, help="folder of cards; the draft goes to its drafts/ (cards/)"
    )
    d.add_argument("--force", action="store_true", help="replace an existing draft")
    add_pipeline_arguments(d)


def _database(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database-url", help="SQLAlchemy URL of the feedback store")
    p.add_argument("--data-dir", type=Path, help="folder of the default SQLite store (data/)")


def _store(args):
    from ..feedback import FeedbackStore
    from ..web.settings import WebSettings

    web = WebSettings.from_env(database_url=args.database_url, data_dir=args.data_dir)
    return FeedbackStore(web.feedback_url), web


def _groups(args, embedder):
    from .digest import digest
    from .log import read

    store, _ = _store(args)
    try:
        rows = read(store, args.since)
    except Exception as exc:
        raise UserError(f"La base des avis est illisible : {type(exc).__name__}.") from None
    finally:
        store.close()
    return digest(rows, embedder, threshold=args.threshold, min_count=getattr(args, "min_count", 1))


def _check(args) -> None:
    """Refuse bad flags before paying for the model."""
    if args.since is not None and args.since < 1:
        raise UserError("--since doit être un nombre de jours positif.")
    if getattr(args, "min_count", 1) < 1:
        raise UserError("--min-count doit valoir au moins 1.")
    if not 0 < args.threshold < 2:
        raise UserError("--threshold doit être une distance cosinus entre 0 et 2.")


def run_editors(args, settings) -> int:
    """Runs `digest`, `purge` or `cards draft`."""
    progress = not getattr(args, "quiet", False)
    if args.command == "purge":
        store, web = _store(args)
        days = web.retention_days if args.days is None else args.days
        if days < 1:
            raise UserError("La durée de conservation doit être d'au moins 1 jour.")
        deleted = store.purge(days)
        store.close()
        print(f"{deleted} ligne(s) de plus de {days} jours supprimée(s).", file=sys.stderr)
        return 0

    from ..embed import load_embedder

    _check(args)
    embedder = load_embedder(settings, progress=progress)
    if args.command == "digest":
        from . import report

        groups = _groups(args, embedder)
        period = f"{args.since} derniers jours" if args.since else ""
        text = (
            report.to_json(groups)
            if args.json
            else report.to_csv(groups)
            if args.csv
            else report.to_markdown(groups, period=period)
        )
        if args.out:
            args.out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        else:
            print(text)
        if args.png:
            args.png.write_bytes(report.chart_png(groups))
        return 0
    if args.command == "cards" and args.cards_command == "draft":
        from ..index import open_index
        from ..wording import UNKNOWN_GROUP
        from .digest import find
        from .drafts import draft_card, write_draft
        from .guide import nearest_sentences

        group = find(_groups(args, embedder), args.group)
        if group is None:
            raise UserError(UNKNOWN_GROUP.format(group=args.group))
        index = open_index(
            settings, embedder, build_if_needed=settings.auto_build, progress=progress
        )
        nearest = nearest_sentences(index, embedder.embed_queries([group.label])[0], 3)
        cards_dir = args.cards_dir or settings.cards_dir
        path = write_draft(draft_card(group, nearest), cards_dir, force=args.force)
        print(path)
        return 0
    raise AssertionError(args.command)
