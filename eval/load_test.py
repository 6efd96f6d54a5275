"""Load test of the `ask` API: N simulated users at once, through `gradio_client`, on loopback.

    python eval/load_test.py                           # starts app.py, runs 10, 50, 100 users
    python eval/load_test.py --users 10 --url http://127.0.0.1:7860/

Each user is its own client (its own Gradio session) and asks --questions questions of
eval/questions.jsonl one after the other. Reports, per scenario: answers per second,
median and 95th-percentile latency of the answers, errors, and the replies refused by the
rate limit (« Trop de questions à la suite … »). Bounded: at most 200 users, --questions
each, --max-seconds per scenario (users still waiting then are counted as timeouts);
loopback addresses only. The app started here keeps its default rate limits (10 per
session, 60 per address per minute: every simulated user shares 127.0.0.1); set
ASSISTANT_RATE_PER_MINUTE_IP=0 to measure raw throughput.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench_api import LOOPBACK, load_questions, percentile, started_app

from assistant.wording import RATE_LIMITED

ROOT = Path(__file__).resolve().parent.parent
MAX_USERS = 200


def run_users(
    url: str,
    users: int,
    questions: list,
    per_user: int,
    max_seconds: float,
    client_timeout: float | None = None,
) -> dict:
    from gradio_client import Client

    deadline = time.monotonic() + max_seconds
    latencies: list[float] = []
    counts = {"answers": 0, "abstentions": 0, "rate_limited": 0, "errors": 0, "timeouts": 0}
    samples: dict[str, int] = {}  # error kinds seen, for the report
    lock = threading.Lock()

    def error(exc: Exception, n: int = 1) -> None:
        with lock:
            counts["errors"] += n
            kind = f"{type(exc).__name__}: {str(exc)[:80]}"
            samples[kind] = samples.get(kind, 0) + n

    def user(n: int) -> None:
        try:
            # gradio_client's own requests (config, queue join) time out after httpx's default
            # 5 s unless told otherwise: a slow reply under load then counts as an error.
            client = Client(
                url,
                verbose=False,
                download_files=False,
                httpx_kwargs={"timeout": client_timeout or max_seconds},
            )
        except Exception as exc:
            error(exc, per_user)
            return
        for i in range(per_user):
            question, history = questions[(n * per_user + i) % len(questions)]
            left = deadline - time.monotonic()
            if left <= 0:
                with lock:
                    counts["timeouts"] += per_user - i
                return
            start = time.perf_counter()
            job = client.submit(question, history, api_name="/ask")
            try:
                answer = job.result(timeout=left)
            except TimeoutError:
                job.cancel()
                with lock:
                    counts["timeouts"] += per_user - i
                return
            except Exception as exc:
                if RATE_LIMITED in str(exc):
                    with lock:
                        counts["rate_limited"] += 1
                else:
                    error(exc)
                continue
            with lock:
                latencies.append(time.perf_counter() - start)
                counts["abstentions" if answer.get("abstained") else "answers"] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + 5)
    wall = time.perf_counter() - started
    done = len(latencies)
    return {
        "users": users,
        "client_timeout_s": client_timeout or max_seconds,
        "requests": users * per_user,
        **counts,
        "seconds": round(wall, 1),
        "answers_per_s": round(done / wall, 2) if wall else 0.0,
        "median_s": round(statistics.median(latencies), 2) if latencies else None,
        "p95_s": round(percentile(latencies, 95), 2) if latencies else None,
        "error_kinds": dict(sorted(samples.items(), key=lambda kv: -kv[1])[:3]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running app (loopback only); default: start one")
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--questions", type=int, default=2, help="questions per user")
    parser.add_argument("--max-seconds", type=float, default=180.0, help="per scenario")
    parser.add_argument(
        "--client-timeout",
        type=float,
        help="seconds a client's HTTP request may take (default: --max-seconds; "
        "gradio_client's own default is 5)",
    )
    args = parser.parse_args(argv)
    if any(not 0 < n <= MAX_USERS for n in args.users):
        parser.error(f"--users: 1 to {MAX_USERS}")
    if args.url and urlsplit(args.url).hostname not in LOOPBACK:
        parser.error("--url: loopback addresses only")
    questions = load_questions(ROOT / "eval" / "questions.jsonl", 1000)

    def scenarios(url: str) -> None:
        for users in args.users:
            result = run_users(
                url, users, questions, args.questions, args.max_seconds, args.client_timeout
            )
            print(json.dumps(result, ensure_ascii=False), flush=True)

    if args.url:
        scenarios(args.url)
    else:
        with started_app() as url:
            scenarios(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
