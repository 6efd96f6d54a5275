"""Calling the app's Gradio API in-process (Starlette's TestClient), as gradio_client does:
join the queue, then read the server-sent events until the call completes."""

from __future__ import annotations

import json


def call(client, api_name: str, data: list, session: str) -> dict:
    """The last event of one call: {"success": bool, "output": {"data": [...]} or {"error"}}."""
    config = client.get("/config").json()
    fn_index = next(d["id"] for d in config["dependencies"] if d.get("api_name") == api_name)
    joined = client.post(
        "/gradio_api/queue/join",
        json={"data": data, "fn_index": fn_index, "session_hash": session},
    )
    assert joined.status_code == 200, joined.text
    last: dict = {}
    with client.stream("GET", f"/gradio_api/queue/data?session_hash={session}") as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                last = json.loads(line[5:])
                if last.get("msg") == "process_completed":
                    break
    return last


def result(event: dict):
    """The returned value of a successful call (the last streamed value for a generator)."""
    assert event.get("success"), event
    return event["output"]["data"][0]


def make_app(settings, pipeline, store):
    """The whole app (chat, widget, Gradio's API and the JSON routes, admin page) around
    `pipeline` and `store`, as app.py builds it."""
    from assistant.web.api import AskApi
    from assistant.web.limits import ClientLimits
    from assistant.web.server import create_app
    from assistant.web.ui import build_chat, build_widget

    limits = ClientLimits.from_settings(settings)
    api = AskApi(lambda: pipeline, store, settings, limits)
    return create_app(
        settings,
        build_chat(settings, lambda: pipeline, store, limits, api=api),
        build_widget(settings, lambda: pipeline, store, limits),
        pipeline=pipeline,
        store=store,
        api=api,
    )
