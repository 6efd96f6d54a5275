"""Rate limits and the history cap, with a fake clock; then the chat handler and the `ask`
API answering a client over its limit with the polite French sentence."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant.web.limits import (
    ClientLimits,
    RateLimiter,
    SlidingWindow,
    client_ip,
    parse_proxies,
)
from assistant.wording import RATE_LIMITED


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_allows_the_limit_then_says_how_long_to_wait():
    clock = Clock()
    window = SlidingWindow(3, 60, clock=clock)
    assert [window.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert window.hit("a") == pytest.approx(60.0)
    assert window.hit("b") == 0.0  # keys are independent
    clock.now += 30
    assert window.hit("a") == pytest.approx(30.0)  # refused hits are not counted
    clock.now += 30
    assert window.hit("a") == 0.0  # the first three slid out of the window


def test_sliding_window_is_a_true_window_not_a_fixed_minute():
    clock = Clock()
    window = SlidingWindow(2, 60, clock=clock)
    window.hit("a")
    clock.now += 59
    window.hit("a")
    clock.now += 2  # the first hit left the window, the second has not
    assert window.hit("a") == 0.0
    assert window.hit("a") > 0


def test_sliding_window_forgets_old_keys_beyond_its_capacity():
    window = SlidingWindow(1, 60, clock=Clock(), max_keys=2)
    window.hit("a"), window.hit("b"), window.hit("c")
    assert window.hit("a") == 0.0 and window.hit("c") > 0


def test_rate_limiter_counts_sessions_and_addresses():
    clock = Clock()
    limiter = RateLimiter(per_session=2, per_ip=3, clock=clock)
    assert limiter.check("s1", "1.1.1.1") == 0 and limiter.check("s1", "1.1.1.1") == 0
    assert limiter.check("s1", "1.1.1.1") > 0  # the session is over its limit
    assert limiter.check("s2", "1.1.1.1") == 0  # a new tab, same address: 3rd of 3
    assert limiter.check("s3", "1.1.1.1") > 0  # the address is over its limit
    assert limiter.check("s4", "2.2.2.2") == 0
    assert RateLimiter(0, 0).check("s", "ip") == 0  # zero turns limits off


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.9", "1.2.3.4", (), "203.0.113.9"),  # no trusted proxy: the header is ignored
        ("203.0.113.9", "1.2.3.4", ("127.0.0.1",), "203.0.113.9"),  # peer not trusted
        ("127.0.0.1", "1.2.3.4", ("127.0.0.1",), "1.2.3.4"),
        ("127.0.0.1", "6.6.6.6, 1.2.3.4", ("127.0.0.1",), "1.2.3.4"),  # spoofed first hop
        ("10.0.0.5", "1.2.3.4, 10.0.0.7", ("10.0.0.0/8",), "1.2.3.4"),  # chain of proxies
        ("127.0.0.1", "", ("127.0.0.1",), "127.0.0.1"),
        ("127.0.0.1", "not-an-ip", ("127.0.0.1",), "not-an-ip"),
        ("::1", "2001:db8::1", ("::1",), "2001:db8::1"),
    ],
)
def test_client_ip_believes_forwarded_for_only_from_trusted_proxies(
    peer, forwarded, trusted, expected
):
    assert client_ip(peer, {"x-forwarded-for": forwarded}, trusted) == expected


def test_parse_proxies_and_settings_refuse_a_bad_address():
    from assistant.errors import UserError
    from assistant.web.settings import WebSettings

    assert parse_proxies("127.0.0.1, 10.0.0.0/8") == ("127.0.0.1", "10.0.0.0/8")
    with pytest.raises(ValueError):
        parse_proxies("proxy.local")
    with pytest.raises(UserError):
        WebSettings(trusted_proxies=("proxy.local",))
    with pytest.raises(UserError):
        WebSettings(rate_per_minute=-1)
    s = WebSettings.from_env(
        {"ASSISTANT_RATE_PER_MINUTE": "3", "ASSISTANT_TRUSTED_PROXIES": "127.0.0.1"}
    )
    assert (s.rate_per_minute, s.trusted_proxies) == (3, ("127.0.0.1",))


def request(session: str, ip: str = "127.0.0.1", **headers: str):
    """The parts of gr.Request the limits read."""
    return SimpleNamespace(session_hash=session, client=SimpleNamespace(host=ip), headers=headers)


def test_client_limits_read_the_gradio_request():
    clock = Clock()
    limits = ClientLimits(1, 5, ("127.0.0.1",), clock=clock)
    assert limits.allow(None)  # in-process calls are not limited
    assert limits.allow(request("s1", **{"x-forwarded-for": "1.2.3.4"}))
    assert not limits.allow(request("s1"))
    clock.now += 61
    assert limits.allow(request("s1"))


def test_chat_handler_answers_politely_when_over_the_limit(tmp_path):
    from test_app import FakePipeline

    from assistant.feedback import FeedbackStore
    from assistant.web.ui import ChatHandlers

    pipeline = FakePipeline()
    handlers = ChatHandlers(
        lambda: pipeline, FeedbackStore("sqlite://"), "chat", ClientLimits(1, 0, clock=Clock())
    )
    first = list(handlers.submit("Qu'est-ce qu'un PTCE ?", [], request("s1")))
    *_, (_, messages, log, _) = handlers.submit("Et ensuite ?", first[-1][2], request("s1"))
    assert RATE_LIMITED.replace("'", "&#x27;") in messages[-1]["content"]
    assert "notice-error" in messages[-1]["content"] and log[-1]["error"]
    assert len(pipeline.calls) == 1  # the limited question never reached the pipeline


def test_ask_api_over_the_limit_is_a_french_error_message():
    """The real Gradio app in-process: the second `ask` of a session is refused by name."""
    from starlette.testclient import TestClient
    from test_app import FakePipeline

    from assistant.feedback import FeedbackStore
    from assistant.web.server import create_app
    from assistant.web.settings import WebSettings
    from assistant.web.ui import build_chat, build_widget

    settings = WebSettings(rate_per_minute=1, rate_per_minute_ip=0)
    store = FeedbackStore("sqlite://")
    limits = ClientLimits.from_settings(settings)
    pipeline = FakePipeline()
    app = create_app(
        settings,
        build_chat(settings, lambda: pipeline, store, limits),
        build_widget(settings, lambda: pipeline, store, limits),
    )
    with TestClient(app) as client:
        events = [_call_ask(client, "Qu'est-ce qu'un PTCE ?", "s1") for _ in range(2)]
    assert events[0][-1]["msg"] == "process_completed" and events[0][-1]["success"]
    refused = events[1][-1]
    assert refused["success"] is False and refused["output"]["error"] == RATE_LIMITED
    assert len(pipeline.calls) == 1


def _call_ask(client, question: str, session: str) -> list[dict]:
    """One `ask` call through Gradio's queue, as gradio_client makes it; the SSE messages."""
    import json

    info = client.get("/gradio_api/info").json()
    assert "/ask" in info["named_endpoints"]
    config = client.get("/config").json()
    fn_index = next(d["id"] for d in config["dependencies"] if d.get("api_name") == "ask")
    joined = client.post(
        "/gradio_api/queue/join",
        json={"data": [question, None], "fn_index": fn_index, "session_hash": session},
    )
    assert joined.status_code == 200, joined.text
    messages = []
    with client.stream("GET", f"/gradio_api/queue/data?session_hash={session}") as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                messages.append(message)
                if message.get("msg") == "process_completed":
                    break
    return messages
