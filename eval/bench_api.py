"""Latency of the `ask` API as scripts see it, through `gradio_client`, on loopback.

    python eval/bench_api.py                      # starts app.py on a free port, then measures
    python eval/bench_api.py --url http://127.0.0.1:7860/   # measures a running app

For 1 and for 10 concurrent clients, each asks questions of eval/questions.jsonl (with their
history) and records the time to the first streamed update and to the whole answer. Prints
the median and the 95th percentile. Bounded: at most --questions requests and --max-seconds
per scenario; loopback addresses only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
POLL_S = 0.005  # how often a client looks for updates: finer polling steals the server's CPU


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def load_questions(path: Path, limit: int) -> list[tuple[str, list]]:
    rows = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return [(r["question"], r.get("history") or []) for r in rows][:limit]


@contextmanager
def started_app(startup_timeout: float = 300.0, *, with_process: bool = False):
    """app.py on a free loopback port with a throwaway data folder: its URL (and its
    `Popen` with `with_process`)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as data:
        cmd = [sys.executable, str(ROOT / "app.py"), "--port", str(port), "--data-dir", data]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=sys.stderr, cwd=ROOT)
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + startup_timeout
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"app.py exited with code {proc.returncode}")
                try:
                    with urllib.request.urlopen(url + "healthz", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit("app.py did not start in time") from None
                    time.sleep(0.5)
            yield (url, proc) if with_process else url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def timed_ask(
    client, question: str, history: list, timeout: float, *, first_update: bool = True
) -> tuple[float, float, dict]:
    """(seconds to the first update, seconds to the whole answer, the final JSON). Without
    `first_update`, waits for the answer without polling (throughput runs: polling clients
    on the same machine take CPU from the server); the first update is then the answer."""
    start = time.perf_counter()
    job = client.submit(question, history, api_name="/ask")
    if not first_update:
        result = job.result(timeout=timeout)
        total = time.perf_counter() - start
        return total, total, result
    first = None
    while not job.done():
        if first is None and job.outputs():
            first = time.perf_counter() - start
        if time.perf_counter() - start > timeout:
            job.cancel()
            raise TimeoutError(f"no answer after {timeout} s")
        time.sleep(POLL_S)
    result = job.result()  # raises if the app returned an error
    total = time.perf_counter() - start
    return (first if first is not None else total), total, result


class HttpClient:
    """The `ask` API over plain HTTP, as a script without gradio_client calls it: POST
    `/gradio_api/call/ask`, then read the server-sent events until `complete`. Uses a
    fraction of gradio_client's CPU, which matters when the clients share the server's cores."""

    def __init__(self, url: str, timeout: float = 60) -> None:
        import httpx

        self.url, self.http = url, httpx.Client(timeout=timeout)

    def ask(self, question: str, history: list) -> dict:
        reply = self.http.post(self.url + "gradio_api/call/ask", json={"data": [question, history]})
        reply.raise_for_status()
        event_id, event = reply.json()["event_id"], ""
        with self.http.stream("GET", f"{self.url}gradio_api/call/ask/{event_id}") as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "error":
                    raise RuntimeError(f"the app returned an error: {line[5:].strip()}")
                elif line.startswith("data:") and event == "complete":
                    return json.loads(line[5:])[-1]
        raise RuntimeError("the event stream ended without an answer")

    def close(self) -> None:
        self.http.close()


class JsonClient(HttpClient):
    """The app's plain JSON route, `POST /api/ask`: one request, one JSON reply."""

    def ask(self, question: str, history: list) -> dict:
        reply = self.http.post(
            self.url + "api/ask", json={"question": question, "history": history}
        )
        if reply.status_code != 200:
            raise RuntimeError(f"the app answered {reply.status_code}: {reply.text[:200]}")
        return reply.json()


def run_scenario(
    url: str,
    clients: int,
    questions: list,
    max_seconds: float,
    timeout: float,
    *,
    first_update: bool = True,
    http: bool = False,
    json_api: bool = False,
) -> dict:
    """`clients` clients asking `questions` between them: through `gradio_client`, or with
    `http` Gradio's call API over plain HTTP, or with `json_api` the app's `/api/ask`."""
    from gradio_client import Client

    todo: queue.Queue = queue.Queue()
    for q in questions:
        todo.put(q)
    http = http or json_api
    plain = JsonClient if json_api else HttpClient
    connections = [
        plain(url, timeout) if http else Client(url, verbose=False) for _ in range(clients)
    ]
    ttft: list[float] = []
    total: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def worker(client) -> None:
        while time.monotonic() < deadline:
            try:
                question, history = todo.get_nowait()
            except queue.Empty:
                return
            try:
                if http:
                    start = time.perf_counter()
                    result = client.ask(question, history)
                    first = whole = time.perf_counter() - start
                else:
                    first, whole, result = timed_ask(
                        client, question, history, timeout, first_update=first_update
                    )
                if not {"answer", "abstained", "sources", "index_version"} <= set(result):
                    raise ValueError("the answer is not the ask --json contract")
                with lock:
                    ttft.append(first)
                    total.append(whole)
            except Exception as exc:  # counted and reported, the benchmark goes on
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c,)) for c in connections]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    for c in connections:
        c.close()

    def stats(values: list[float]) -> dict:
        if not values:
            return {}
        return {
            "median_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1),
        }

    return {
        "client": "json" if json_api else "http" if http else "gradio_client",
        "clients": clients,
        "requests": len(total),
        "errors": len(errors),
        "first_errors": errors[:3],
        "wall_s": round(wall, 2),
        "answers_per_s": round(len(total) / wall, 2) if wall else 0.0,
        "time_to_first_update": stats(ttft),
        "time_to_full_answer": stats(total),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="a running app (loopback only); default: start app.py")
    parser.add_argument("--questions-file", type=Path, default=ROOT / "eval" / "questions.jsonl")
    parser.add_argument("--questions", type=int, default=60, help="requests per scenario at most")
    parser.add_argument("--clients", default="1,10", help="concurrency levels, comma-separated")
    parser.add_argument("--max-seconds", type=float, default=180, help="time budget per scenario")
    parser.add_argument("--timeout", type=float, default=60, help="per request")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    if args.url and urlsplit(args.url).hostname not in LOOPBACK:
        parser.error("--url must be a loopback address (127.0.0.1, localhost, ::1)")
    questions = load_questions(args.questions_file, args.questions)
    levels = [int(x) for x in args.clients.split(",") if x.strip()]

    def measure(url: str) -> list[dict]:
        from gradio_client import Client

        warm = Client(url, verbose=False)
        timed_ask(warm, questions[0][0], [], args.timeout)  # first query warms the model up
        warm.close()
        return [run_scenario(url, c, questions, args.max_seconds, args.timeout) for c in levels]

    if args.url:
        results = measure(args.url if args.url.endswith("/") else args.url + "/")
    else:
        with started_app() as url:
            results = measure(url)

    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    print(
        f"ask API through gradio_client, loopback, {os.cpu_count()} CPU(s), {len(questions)} questions"
    )
    print(
        f"{'clients':>7} {'answers':>7} {'errors':>6} {'first update median/p95 (ms)':>30} {'full answer median/p95 (ms)':>29} {'answers/s':>9}"
    )
    for r in results:
        f, t = r["time_to_first_update"], r["time_to_full_answer"]
        print(
            f"{r['clients']:>7} {r['requests']:>7} {r['errors']:>6} "
            f"{f.get('median_ms', float('nan')):>15} / {f.get('p95_ms', float('nan')):<12}"
            f"{t.get('median_ms', float('nan')):>15} / {t.get('p95_ms', float('nan')):<12} {r['answers_per_s']:>9}"
        )
        for e in r["first_errors"]:
            print(f"        error: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
