"""What operators see: request ids and one access-log line per request, and the health and
readiness reports.

`RequestLog` is pure ASGI middleware: it takes the caller's `X-Request-ID` (when it looks
like an id) or makes one, returns it on the response, and logs method, path, status,
duration and id to the `assistant.web.access` logger. It never logs the query string, the
body (so no question text) or the client's address.

`readiness(pipeline, store)` is the `/readyz` report: ready once the pipeline is loaded;
a feedback store that cannot be reached makes it "degraded", not unready, because the chat
answers without it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("assistant.web.access")

REQUEST_ID = "x-request-id"
_GOOD_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def request_id(incoming: str | None) -> str:
    """The caller's id when it is short and plain (a proxy's or a load balancer's), else a new one."""
    if incoming and _GOOD_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestLog:
    def __init__(self, app: ASGIApp, logger: logging.Logger = access_log) -> None:
        self.app = app
        self.logger = logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        rid = request_id(headers.get(REQUEST_ID.encode(), b"").decode("latin-1"))
        scope.setdefault("state", {})["request_id"] = rid
        status = 500  # if the app fails before it starts a response
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self.logger.info(
                "%s %s %d %.1fms rid=%s",
                scope.get("method", ""),
                scope.get("path", ""),
                status,
                (time.perf_counter() - started) * 1000,
                rid,
            )


def readiness(pipeline: Any, store: Any) -> tuple[int, dict[str, Any]]:
    """(HTTP status, report) for `/readyz`."""
    if pipeline is None:
        return 503, {"status": "starting", "pipeline": "not loaded"}
    index = getattr(pipeline, "index", None)
    report: dict[str, Any] = {
        "status": "ready",
        "pipeline": "loaded",
        "index_version": getattr(index, "version", ""),
        "feedback": "ok",
    }
    if store is None or not store.check():
        report |= {"status": "degraded", "feedback": "unavailable"}
    return 200, report
