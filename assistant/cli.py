"""Command line: `python -m assistant {build,ask,eval,fetch,add,digest,purge,cards}` (also installed as `ptce-assistant`).

Results go to stdout; progress and diagnostics to stderr. A user error ends with one
sentence on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from .answer.guard import clean_question
from .errors import UserError
from .settings import Settings


def add_pipeline_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("pipeline settings (also ASSISTANT_<NAME> environment variables)")
    g.add_argument(
        "--corpus-dir", type=Path, help="folder of Markdown documents (default: corpus/)"
    )
    g.add_argument("--index-dir", type=Path, help="where the index lives (default: index/)")
    g.add_argument(
        "--model",
        help="sentence-transformers model name or folder (default: the bundled multilingual-e5-small)",
    )
    g.add_argument(
        "--cache-dir",
        type=Path,
        help="where the converted model is cached (default: ~/.cache/ptce-assistant)",
    )
    g.add_argument("--top-k", type=int, help="passages retrieved per question (default: 5)")
    g.add_argument("--min-support", type=float, help="abstain below this support score")
    g.add_argument(
        "--no-build", action="store_true", help="fail instead of building a missing or stale index"
    )
    g.add_argument(
        "--llm",
        choices=["none", "openai", "ollama", "llamacpp"],
        help="write answers with an LLM, verified against the sources: an OpenAI-compatible "
        "server, Ollama, or a local GGUF file served by llama.cpp (default: none, extractive)",
    )
    g.add_argument(
        "--llm-base-url",
        help="the server's OpenAI-compatible URL, e.g. http://127.0.0.1:8000/v1 "
        "(Ollama: http://127.0.0.1:11434/v1 by default)",
    )
    g.add_argument(
        "--llm-model", help="the model name the server knows, or the .gguf file for llamacpp"
    )
    g.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m assistant",
        description="Assistant PTCE : réponses sourcées à partir des documents du corpus.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="build or refresh the index")
    p.add_argument("--force", action="store_true", help="rebuild even when the index is up to date")
    add_pipeline_arguments(p)

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question", help="the question, in French or English")
    p.add_argument("--json", action="store_true", help="print one JSON object (the API contract)")
    p.add_argument(
        "--history", type=Path, help="JSON file: list of {role: user|assistant, content}"
    )
    p.add_argument(
        "--mode", choices=["hybrid", "dense", "lexical"], default="hybrid", help=argparse.SUPPRESS
    )
    add_pipeline_arguments(p)

    p = sub.add_parser("eval", help="run the evaluation set and write a report")
    p.add_argument("--questions", type=Path, help="questions file (default: eval/questions.jsonl)")
    p.add_argument("--out", type=Path, help="report folder (default: eval/reports/)")
    p.add_argument("--split", choices=["tune", "test", "all"], default="all")
    p.add_argument("--no-baselines", action="store_true", help="evaluate the product only")
    p.add_argument("--gate", type=Path, help="thresholds file: exit 1 when a score falls below")
    add_pipeline_arguments(p)

    p = sub.add_parser(
        "calibrate", help="fit the answerability model on the tuning split (needs scikit-learn)"
    )
    p.add_argument("--questions", type=Path, help="questions file (default: eval/questions.jsonl)")
    p.add_argument(
        "--dev",
        type=Path,
        help="development questions also fitted on, every one of them (default: eval/dev.jsonl; "
        "'none' for none)",
    )
    p.add_argument(
        "--negatives", type=int, default=120, help="generated focus swaps (default: 120)"
    )
    p.add_argument(
        "--min-precision",
        type=float,
        default=0.9,
        help="abstention precision to keep (default: 0.9)",
    )
    p.add_argument(
        "--threshold-only",
        action="store_true",
        help="keep the fitted weights; choose the threshold again on the questions as the "
        "current rules read them (after a change of rules)",
    )
    add_pipeline_arguments(p)

    p = sub.add_parser("cards", help="answer cards: check them against the guide, see coverage")
    cards = p.add_subparsers(dest="cards_command", required=True)
    c = cards.add_parser("check", help="fail when a card says what its quotes do not (CI runs it)")
    c.add_argument("--only", metavar="PREFIX", help="check the cards whose id starts with PREFIX")
    c.add_argument("--cards-dir", type=Path, help="folder of cards (default: cards/)")
    c.add_argument(
        "--corpus-dir", type=Path, help="folder of Markdown documents (default: corpus/)"
    )
    c = cards.add_parser("coverage", help="list the guide's sentences that no card cites")
    c.add_argument("--cards-dir", type=Path, help="folder of cards (default: cards/)")
    c.add_argument(
        "--corpus-dir", type=Path, help="folder of Markdown documents (default: corpus/)"
    )
    from .editors.cli import add_draft_parser, add_parsers

    add_draft_parser(cards, add_pipeline_arguments)  # cards draft GROUP_ID

    p = sub.add_parser(
        "fetch",
        help="download the guide's linked resources (corpus/sources.yaml) into corpus/fetched/",
    )
    p.add_argument("--sources", type=Path, help="sources list (default: <corpus>/sources.yaml)")
    p.add_argument("--only", action="append", metavar="ID", help="fetch this source only")
    p.add_argument("--no-prune", action="store_true", help="keep copies of unlisted sources")
    _fetching(p)
    add_pipeline_arguments(p)

    p = sub.add_parser("add", help="add one document (URL, Markdown, PDF, DOCX or HTML file)")
    p.add_argument("target", help="a file path or an http(s) URL")
    p.add_argument("--id", help="document id (default: from the title)")
    p.add_argument("--title", help="document title (default: the document's own)")
    p.add_argument("--publisher", help="who publishes it (shown with citations)")
    _fetching(p)
    add_pipeline_arguments(p)

    add_parsers(sub, add_pipeline_arguments)  # digest, purge
    return parser


def _fetching(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out-dir", type=Path, help="where documents are written (default: <corpus>/fetched/)"
    )
    p.add_argument("--timeout", type=float, help="seconds to wait for a server (default: 20)")
    p.add_argument("--retries", type=int, help="retries after a time-out or 5xx (default: 2)")
    p.add_argument("--delay", type=float, help="seconds between requests to one host (default: 1)")
    p.add_argument(
        "--allow-private-urls",
        action="store_true",
        default=None,
        help="let URLs (and their redirects) reach loopback, link-local and private addresses "
        "(default: refused; also ASSISTANT_ALLOW_PRIVATE_URLS=1)",
    )


def settings_from_args(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env(
        corpus_dir=args.corpus_dir,
        index_dir=args.index_dir,
        model=args.model,
        cache_dir=args.cache_dir,
        top_k=args.top_k,
        min_support=args.min_support,
        llm="" if getattr(args, "llm", None) == "none" else getattr(args, "llm", None),
        llm_base_url=getattr(args, "llm_base_url", None),
        llm_model=getattr(args, "llm_model", None),
        allow_private_urls=getattr(args, "allow_private_urls", None),
    )
    return replace(settings, auto_build=False) if args.no_build else settings


def _read_history(path: Path | None) -> list[dict[str, str]] | None:
    if path is None:
        return None
    try:
        history = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UserError(f"History file not found: {path}.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"History file {path} is not valid JSON: {exc}.") from exc
    ok = isinstance(history, list) and all(
        isinstance(t, dict)
        and t.get("role") in ("user", "assistant")
        and isinstance(t.get("content"), str)
        for t in history
    )
    if not ok:
        raise UserError(
            f'History file {path} must be a JSON list of {{"role": "user"|"assistant", "content": str}}.'
        )
    return history


def format_answer(answer) -> str:
    """The readable form of an answer: text, then the numbered sources."""
    lines = [answer.answer]
    if answer.sources:
        lines.append("")
        lines.append("Sources :")
        for s in answer.sources:
            origin = ", ".join(x for x in (s.publisher, s.date) if x)
            line = f"  [{s.n}] {s.title}" + (f" ({origin})" if origin else "") + f" — {s.section}"
            lines.append(line + (f" <{s.url}>" if s.url else ""))
    return "\n".join(lines)


def run_cards(args: argparse.Namespace) -> int:
    """`cards check` (exit 1 on any problem) and `cards coverage`."""
    from .answer.cards import check, coverage, guide_text, load_cards, load_paraphrases
    from .corpus.load import load_corpus
    from .search.synonyms import FILE_NAME as SYNONYMS
    from .search.synonyms import check as check_synonyms
    from .search.synonyms import read as read_synonyms

    settings = Settings.from_env(corpus_dir=args.corpus_dir, cards_dir=args.cards_dir)
    documents = load_corpus(settings.corpus_dir)
    cards = load_cards(settings.cards_dir)
    if args.cards_command == "coverage":
        uncovered = coverage(cards, documents)
        for sentence in uncovered:
            print(f"- {sentence}")
        print(
            f"{len(uncovered)} phrases du guide ne sont citées par aucune fiche.", file=sys.stderr
        )
        return 0
    if args.only:
        cards = [c for c in cards if c.id.startswith(args.only)]
    found = check(cards, documents, load_paraphrases(settings.cards_dir))
    found += check_synonyms(read_synonyms(settings.cards_dir / SYNONYMS), guide_text(documents))
    for line in found:
        print(line)
    lines = sum(len(c.lines) for c in cards)
    verdict = f"{len(found)} problème(s)" if found else "toutes appuyées par leurs citations"
    print(f"{len(cards)} fiches, {lines} lignes : {verdict}.", file=sys.stderr)
    return 1 if found else 0


def run(args: argparse.Namespace) -> int:
    if args.command in ("digest", "purge") or getattr(args, "cards_command", "") == "draft":
        from .editors.cli import run_editors

        pipeline = settings_from_args(args) if args.command != "purge" else None
        return run_editors(args, pipeline)
    if args.command == "cards":
        return run_cards(args)
    settings = settings_from_args(args)
    progress = not args.quiet
    if args.command == "build":
        from .search.embed import load_embedder
        from .search.index import build_index, open_index

        embedder = load_embedder(settings, progress=progress)
        index = (
            build_index(settings, embedder, progress=progress)
            if args.force
            else open_index(settings, embedder, progress=progress)
        )
        counts = index.manifest["counts"]
        print(
            f"Index ready: {index.path} ({counts['chunks']} chunks, {counts['sentences']} sentences, model {index.manifest['embedding_model']})."
        )
        return 0
    if args.command == "ask":
        from .pipeline import Pipeline

        # Refuse unusable input before paying for the model.
        clean_question(args.question, max_chars=settings.max_question_chars)
        history = _read_history(args.history)
        pipeline = Pipeline.load(settings, progress=progress)
        answer = pipeline.ask(args.question, history, mode=args.mode)
        print(
            json.dumps(answer.to_json(), ensure_ascii=False) if args.json else format_answer(answer)
        )
        return 0
    if args.command == "eval":
        from .evaluation.cli import run_eval

        return run_eval(args, settings)
    if args.command == "calibrate":
        from .answer.calibrate import run_calibrate

        return run_calibrate(args, settings)
    if args.command in ("fetch", "add"):
        from .corpus.fetch import run_add, run_fetch

        return (run_fetch if args.command == "fetch" else run_add)(args, settings)
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except UserError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
