"""The `ask` and `feedback` APIs, free of Gradio: `AskApi` does their work, Gradio's endpoints
(`ui`) and the plain JSON routes (`add_api_routes`) only translate errors.

The JSON routes are the light way in for scripts, one request and one JSON reply each:

    POST /api/ask       {"question": "...", "history": [...]}  ->  the `ask --json` object
                                                                    plus `answer_id`
    POST /api/feedback  {"question", "answer", "rating", "comment"}  ->  {"saved", "id"}

A question that is not usable gets 400 and `{"error": "<one French sentence>"}`, a client
over its rate limit 429, a failure 500. Unlike Gradio's `ask` (`/gradio_api/call/ask`,
`gradio_client`), there is no event queue, no server-sent events and no per-call session
state: on the 2-core machine that halves the server's CPU per answer beyond the pipeline's
own (see README, Performance). Partial answers (an LLM's) are not streamed here. The
answers computed at once are limited to the app's `concurrency`, the others wait in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from typing import Any

from starlette.requests import Request

from ..editors.log import log_thumbs_down, note_served
from ..errors import UserError
from ..wording import NOT_JSON, RATE_LIMITED, UNEXPECTED
from . import ask_stream
from .feedback_api import ServedAnswers, read_feedback
from .limits import ClientLimits

logger = logging.getLogger(__name__)


class RateLimited(UserError):
    """A client asked too often (the message is `RATE_LIMITED`)."""

    def __init__(self) -> None:
        super().__init__(RATE_LIMITED)


class AskApi:
    """The answers the app served (`answer_id`s that `feedback` trusts) and the limits, shared
    by Gradio's endpoints and the JSON routes."""

    def __init__(
        self,
        get_pipeline: Callable[[], Any],
        store: Any,
        settings: Any,
        limits: ClientLimits | None = None,
    ) -> None:
        self.get_pipeline = get_pipeline
        self.store = store
        self.concurrency = settings.concurrency
        self.limits = limits or ClientLimits.from_settings(settings)
        self.feedback_limits = ClientLimits.from_settings(settings)  # counted apart
        self.served = ServedAnswers()

    def check(self, request: Any) -> None:
        """Raises RateLimited when this client asked too often."""
        if not self.limits.allow(request):
            raise RateLimited()

    def ask(self, question: object, history: object = None) -> Iterator[dict[str, Any]]:
        """Partial answers as they are written, then the whole `ask --json` object with its
        `answer_id`; a decline worth it goes to the editors' log. Raises UserError."""
        pipeline = self.get_pipeline()
        last = None
        for item in ask_stream(
            pipeline, question, history, max_turns=self.limits.max_history_turns
        ):
            if last is not None:
                yield last
            last = item
        if last is not None:
            asked = str(question).strip()
            row = note_served(self.store, pipeline, asked, last)
            yield {**last, "answer_id": self.served.put(asked, last, row)}

    def feedback(
        self, question: object, answer: object, rating: object, comment: object = "", request=None
    ) -> dict[str, Any]:
        """Store a rating of an answer (the served trace when its `answer_id` is known).
        Raises RateLimited or UserError (a malformed rating)."""
        if not self.feedback_limits.allow(request):
            raise RateLimited()
        question, answer, rating, comment = read_feedback(question, answer, rating, comment)
        known = self.served.get(answer.get("answer_id"))
        if known is not None:
            question, answer = known.question, known.answer
        store = self.store
        feedback_id = store.record(
            rating=rating, question=question, answer=answer, comment=comment, surface="api"
        )
        if rating == "down":
            row = known.editor_row if known else None
            log_thumbs_down(store, feedback_id, question, answer, row_id=row)
            if comment.strip() and feedback_id is not None:
                store.add_comment(feedback_id, comment)  # the editors' log row gets it too
        return {"saved": feedback_id is not None, "id": feedback_id}


def add_api_routes(app: Any, api: AskApi) -> None:
    """`POST /api/ask` and `POST /api/feedback` on the FastAPI `app`."""
    from fastapi.responses import JSONResponse
    from starlette.concurrency import run_in_threadpool

    slots = asyncio.Semaphore(api.concurrency)  # waiters are served in order

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    async def body_of(request: Request) -> dict[str, Any] | None:
        try:
            body = await request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def answer(question: object, history: object) -> dict[str, Any]:
        *_, last = api.ask(question, history)
        return last

    @app.post("/api/ask", include_in_schema=False)
    async def ask(request: Request) -> Any:
        body = await body_of(request)
        if body is None:
            return error(400, NOT_JSON)
        try:
            api.check(request)
            async with slots:
                return await run_in_threadpool(answer, body.get("question"), body.get("history"))
        except RateLimited:
            return error(429, RATE_LIMITED)
        except UserError as exc:
            return error(400, str(exc))
        except Exception:
            logger.exception("Answer failed")
            return error(500, UNEXPECTED)

    @app.post("/api/feedback", include_in_schema=False)
    async def feedback(request: Request) -> Any:
        body = await body_of(request)
        if body is None:
            return error(400, NOT_JSON)
        fields = [body.get(k) for k in ("question", "answer", "rating")]
        try:
            return await run_in_threadpool(api.feedback, *fields, body.get("comment", ""), request)
        except RateLimited:
            return error(429, RATE_LIMITED)
        except UserError as exc:
            return error(400, str(exc))
