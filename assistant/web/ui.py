"""The Gradio pages: the full chat (`build_chat`) and the compact widget for partner sites
(`build_widget`), one layout with two densities, plus the `ask` and `feedback` API endpoints.

The conversation lives in a per-session `gr.State` log, one entry per chat message (the
question, or the answer with its `ask --json` trace), from which the Chatbot is drawn; the
like/dislike buttons point into that log by message index, so a rating is stored with the
exact trace of the answer it judges.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from .. import wording as say
from ..editors.feedback import FeedbackStore
from ..editors.log import log_thumbs_down, note_served
from ..errors import UserError
from ..identity import UNKNOWN_GUIDE, GuideIdentity
from . import render, reply
from .api import AskApi
from .limits import ClientLimits
from .settings import WebSettings

logger = logging.getLogger(__name__)
STREAM_PACE_S = 0.05  # reading rhythm between sentences of an already-computed answer

Log = list[dict[str, Any]]


def messages(log: Log) -> list[dict[str, Any]]:
    """The Chatbot's value: one message per log entry; suggestions on the last answer only."""
    out = [{"role": e["role"], "content": e["html"]} for e in log]
    if log and log[-1].get("suggestions"):
        out[-1]["options"] = [{"value": q, "label": label} for label, q in log[-1]["suggestions"]]
    return out


def history_of(log: Log) -> list[dict[str, str]]:
    """What the pipeline sees of the conversation: questions and answer texts, no notices."""
    return [
        {"role": e["role"], "content": e["text"]}
        for e in log
        if e.get("text") and not e.get("error")
    ]


class ChatHandlers:
    """Event handlers shared by the chat and the widget; plain methods, testable without a browser."""

    def __init__(
        self,
        get_pipeline: Callable[[], Any],
        store: FeedbackStore,
        surface: str,
        limits: ClientLimits | None = None,
    ):
        self.get_pipeline = get_pipeline
        self.store = store
        self.surface = surface
        self.limits = limits or ClientLimits(0, 0)

    def submit(
        self, message: str, log: Log, request: gr.Request = None
    ) -> Iterator[tuple[Any, ...]]:
        """Yields (textbox, chatbot, log, comment box) as the answer streams in. A client over
        its rate limit gets a notice instead of an answer."""
        message = (message if isinstance(message, str) else "").strip()
        if not message:
            yield gr.skip(), gr.skip(), log, gr.skip()
            return
        log = [*log, {"role": "user", "text": message, "html": render.question_html(message)}]
        yield "", messages(log), log, gr.update(visible=False)
        if not self.limits.allow(request):
            notice = {
                "role": "assistant",
                "html": render.error_html(say.RATE_LIMITED),
                "error": True,
            }
            yield "", messages([*log, notice]), [*log, notice], gr.skip()
            return
        history, turns = history_of(log[:-1]), self.limits.max_history_turns
        try:
            for step in reply(
                self.get_pipeline(), message, history, pace=STREAM_PACE_S, max_turns=turns
            ):
                entry: dict[str, Any] = {"role": "assistant", "html": step.html}
                if step.error:
                    entry["error"] = True
                elif step.answer is not None:
                    entry |= {"text": step.answer.answer, "question": message}
                    entry["answer"] = step.answer.to_json()
                    entry["suggestions"] = list(step.suggestions)
                    entry["editor_row"] = note_served(
                        self.store, self.get_pipeline(), message, entry["answer"]
                    )
                new_log = [*log, entry]
                yield "", messages(new_log), new_log, gr.skip()
        except Exception:  # the user sees one French sentence; the trace goes to the log
            logger.exception("Answer failed")
            notice = {"role": "assistant", "html": render.error_html(say.UNEXPECTED), "error": True}
            yield "", messages([*log, notice]), [*log, notice], gr.skip()

    def pick(
        self, log: Log, data: gr.SelectData, request: gr.Request = None
    ) -> Iterator[tuple[Any, ...]]:
        """An example question or a suggested follow-up was clicked: ask it."""
        value = data.value
        text = value.get("text") or value.get("value") if isinstance(value, dict) else value
        yield from self.submit(str(text or ""), log, request)

    def like(self, log: Log, data: gr.LikeData) -> tuple[Any, ...]:
        """Store the rating at once, then offer the optional comment box."""
        index = data.index if isinstance(data.index, int) else -1
        entry = log[index] if 0 <= index < len(log) else {}
        if data.liked in (None, "") or "answer" not in entry:
            return gr.update(visible=False), None, "", gr.skip()
        rating = "up" if data.liked is True or data.liked == "Like" else "down"
        feedback_id = self.store.record(
            rating=rating, question=entry["question"], answer=entry["answer"], surface=self.surface
        )
        if rating == "down":
            log_thumbs_down(
                self.store,
                feedback_id,
                entry["question"],
                entry["answer"],
                row_id=entry.get("editor_row"),
            )
        if feedback_id is None:
            return gr.update(visible=False), None, say.THANKS_NOT_SAVED, gr.skip()
        label = say.COMMENT_LABEL_DOWN if rating == "down" else say.COMMENT_LABEL
        return gr.update(visible=True), feedback_id, say.THANKS, gr.update(value="", label=label)

    def comment(self, feedback_id: int | None, text: str) -> tuple[Any, ...]:
        if feedback_id is not None and (text or "").strip():
            saved = self.store.add_comment(feedback_id, text)
            status = say.COMMENT_SAVED if saved else say.COMMENT_NOT_SAVED
        else:
            status = ""
        return gr.update(visible=False), None, status, ""

    @staticmethod
    def clear() -> tuple[Any, ...]:
        return [], [], gr.update(visible=False), None, "", ""


def _layout(
    settings: WebSettings, handlers: ChatHandlers, guide: GuideIdentity, *, compact: bool
) -> None:
    """The components and their events, inside the caller's `gr.Blocks`."""
    log = gr.State([])
    feedback_id = gr.State(None)
    title = render.text_html(say.APP_TITLE)
    if compact:  # the partner page shows the title; screen readers still get a heading
        gr.HTML(f'<h1 class="ptce-sr-only">{title}</h1>')
    else:
        gr.HTML(
            f'<header class="ptce-header"><h1>{title}</h1>'
            f"<p>{render.text_html(say.header(guide))}</p></header>",
        )
    greeting = settings.greeting or say.greeting(guide)
    chatbot = gr.Chatbot(
        label=say.CONVERSATION_LABEL,
        show_label=False,
        elem_id="conversation",
        placeholder=f'<div class="ptce-greeting">{render.text_html(greeting)}</div>',
        examples=[{"text": q} for q in say.EXAMPLE_QUESTIONS[: 2 if compact else 3]],
        feedback_options=("Like", "Dislike"),
        buttons=[],
        height=None if compact else "62vh",
        min_height=None if compact else 320,
        scale=1,
        group_consecutive_messages=False,
        layout="panel" if compact else "bubble",
        latex_delimiters=[],
        autoscroll=True,
    )
    with gr.Group(visible=False, elem_classes="ptce-comment") as comment_box:
        comment = gr.Textbox(label=say.COMMENT_LABEL, lines=2, max_lines=6, elem_id="comment")
        with gr.Row():
            send_comment = gr.Button(say.SEND_COMMENT, size="sm", variant="primary")
            skip_comment = gr.Button(say.CLOSE, size="sm", variant="secondary")
    status = gr.Markdown("", elem_id="status", elem_classes="ptce-status", container=False)
    with gr.Row(elem_classes="ptce-composer", equal_height=True):
        box = gr.Textbox(
            label=say.QUESTION_LABEL,
            show_label=False,
            placeholder=say.QUESTION_PLACEHOLDER,
            lines=1,
            max_lines=4,
            scale=1,
            submit_btn=say.SEND,
            autofocus=not compact,
            elem_id="question",
        )
    with gr.Row(elem_classes="ptce-actions", equal_height=True):
        clear = gr.Button(
            say.NEW_CONVERSATION, size="sm", variant="secondary", scale=0, min_width=190
        )
        if not compact:
            gr.HTML(f'<p class="ptce-note">{render.text_html(say.CHECK_THE_PASSAGE)}</p>')
    gr.HTML(
        f'<p class="ptce-privacy">{render.text_html(say.privacy_notice(settings.retention_days))}</p>'
    )

    answer = {
        "concurrency_limit": settings.concurrency,
        "concurrency_id": "answer",
        "api_visibility": "private",
    }
    private = {"api_visibility": "private", "show_progress": "hidden"}
    stream_out = [box, chatbot, log, comment_box]
    box.submit(handlers.submit, [box, log], stream_out, **answer)
    box.submit(None, js=SCROLL_TO_END, **private)
    chatbot.example_select(handlers.pick, [log], stream_out, **answer)
    chatbot.option_select(handlers.pick, [log], stream_out, **answer)
    chatbot.like(handlers.like, [log], [comment_box, feedback_id, status, comment], **private).then(
        None,
        js=FOCUS_COMMENT,
    )
    gr.on(
        [send_comment.click, comment.submit],
        handlers.comment,
        [feedback_id, comment],
        [comment_box, feedback_id, status, comment],
        **private,
    )
    skip_comment.click(
        lambda: (gr.update(visible=False), None), None, [comment_box, feedback_id], **private
    )
    cleared = [chatbot, log, comment_box, feedback_id, status, box]
    clear.click(handlers.clear, None, cleared, **private)
    chatbot.clear(handlers.clear, None, cleared, **private)  # the Chatbot's own trash button


def _api(api: AskApi) -> None:
    """Gradio's `ask` and `feedback` endpoints, for `gradio_client` (scripts may also use the
    plain JSON routes of `api`)."""

    def ask(question: str, history: list | None = None, request: gr.Request = None) -> dict:
        """Answer a question about PTCE from the guide. Streams partial answers; the last value
        is the same JSON object as `python -m assistant ask --json`, plus `answer_id` (give it
        back to `feedback`). `history`: earlier turns,
        [{"role": "user"|"assistant", "content": "..."}]."""
        try:
            api.check(request)
            yield from api.ask(question, history)
        except UserError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except Exception:
            logger.exception("Answer failed")
            raise gr.Error(say.UNEXPECTED, print_exception=False) from None

    def feedback(
        question: str, answer: dict, rating: str, comment: str = "", request: gr.Request = None
    ) -> dict:
        """Record a rating ("up" or "down") of an answer returned by `ask`, with an optional
        comment. The answer's `answer_id` lets the server store the trace it served."""
        try:
            return api.feedback(question, answer, rating, comment, request)
        except UserError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    gr.api(ask, api_name="ask", concurrency_limit=api.concurrency, concurrency_id="answer")
    gr.api(feedback, api_name="feedback")


def build_chat(
    settings: WebSettings,
    get_pipeline: Callable[[], Any],
    store: FeedbackStore,
    limits: ClientLimits | None = None,
    guide: GuideIdentity = UNKNOWN_GUIDE,
    api: AskApi | None = None,
) -> gr.Blocks:
    """The full chat and Gradio's API; pass the same `limits` to `build_widget` so a client's
    questions count once across both pages, and the `api` that also serves the JSON routes
    so that an `answer_id` from one is known to the other. `guide`
    (`identity.guide_identity` of the index) names the guide in the header and the greeting."""
    limits = limits or ClientLimits.from_settings(settings)
    api = api or AskApi(get_pipeline, store, settings, limits)
    handlers = ChatHandlers(get_pipeline, store, "chat", limits)
    with gr.Blocks(title=say.APP_TITLE, analytics_enabled=False) as demo:
        _layout(settings, handlers, guide, compact=False)
        _api(api)
    return demo


def build_widget(
    settings: WebSettings,
    get_pipeline: Callable[[], Any],
    store: FeedbackStore,
    limits: ClientLimits | None = None,
    guide: GuideIdentity = UNKNOWN_GUIDE,
) -> gr.Blocks:
    limits = limits or ClientLimits.from_settings(settings)
    handlers = ChatHandlers(get_pipeline, store, "widget", limits)
    with gr.Blocks(
        title=say.APP_TITLE, analytics_enabled=False, fill_height=True, fill_width=True
    ) as demo:
        _layout(settings, handlers, guide, compact=True)
    return demo


SYSTEM_FONTS = (
    "system-ui",
    "-apple-system",
    "Segoe UI",
    "Roboto",
    "Helvetica Neue",
    "Arial",
    "sans-serif",
)


def theme() -> gr.themes.Base:
    """Gradio's default theme on the system fonts: nothing fetched, no font mixing."""
    return gr.themes.Default(primary_hue="slate", radius_size="md", font=SYSTEM_FONTS)


def css(settings: WebSettings, *, compact: bool = False) -> str:
    """The page styles; the theme colour, a readable text colour on it and the one sentence
    the styles show (above the suggested follow-ups, from `wording`) are filled in."""
    accent = settings.theme_color
    styles = _CSS + (_WIDGET_CSS if compact else "")
    return (
        styles.replace("__ACCENT__", accent)
        .replace("__ON_ACCENT__", render.contrast_text(accent))
        .replace("__CONTINUE__", css_string(say.CONTINUE))
    )


def css_string(text: str) -> str:
    """`text` as a CSS string literal: quoted; quotes, backslashes, line breaks and `<` escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    escaped = escaped.replace("<", "\\3c ")  # no `</style>` from a sentence
    return f'"{escaped}"'


FOCUS_COMMENT = """() => { let tries = 0; const focus = () => {
  const box = document.querySelector('#comment textarea');
  if (box && box.offsetParent !== null) box.focus(); else if (tries++ < 40) setTimeout(focus, 50);
}; focus(); }"""

SCROLL_TO_END = """() => { setTimeout(() => {
  const log = document.querySelector('#conversation [role="log"]'); if (log) log.scrollTop = log.scrollHeight;
}, 100); }"""

HEAD = """<script>
document.documentElement.lang = "fr";
// In a partner's iframe, Escape asks the partner page to close the panel (widget/host.html).
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && window.parent !== window) window.parent.postMessage({ type: "ptce-assistant:close" }, "*");
});
// Gradio labels each message with its raw content (our HTML): let the text speak instead.
new MutationObserver(() => {
  document.querySelectorAll('#conversation [data-testid][aria-label]').forEach((el) => {
    if (el.dataset.testid === "user" || el.dataset.testid === "bot") el.removeAttribute("aria-label");
  });
}).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"] });
// An opened source shows its highlighted sentence, even deep in a long passage.
document.addEventListener("toggle", (event) => {
  const source = event.target;
  if (!source.classList || !source.classList.contains("source") || !source.open) return;
  const passage = source.querySelector(".source-text"), mark = passage && passage.querySelector("mark");
  if (mark) passage.scrollTop = Math.max(0, mark.offsetTop - 24);
}, true);
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.cite");
  if (!link) return;
  const source = document.getElementById(link.getAttribute("href").slice(1));
  if (!source) return;
  event.preventDefault();
  source.open = true;
  source.classList.remove("flash"); void source.offsetWidth; source.classList.add("flash");
  source.scrollIntoView({ block: "nearest", behavior: "smooth" });
  source.querySelector("summary").focus({ preventScroll: true });
});
</script>"""

_CSS = """
:root { --ptce-muted: #4b5563; }
.dark { --ptce-muted: #c4c8cf; }
:root, .dark {
  --ptce-accent: __ACCENT__; --ptce-on-accent: __ON_ACCENT__;
  --color-accent: var(--ptce-accent);
  --color-accent-soft: color-mix(in srgb, var(--ptce-accent) 10%, var(--background-fill-primary));
  --button-primary-background-fill: var(--ptce-accent);
  --button-primary-background-fill-hover: color-mix(in srgb, var(--ptce-accent) 85%, black);
  --button-primary-text-color: var(--ptce-on-accent);
  --button-primary-border-color: var(--ptce-accent);
  --input-border-color-focus: var(--ptce-accent);
}
.gradio-container { max-width: 980px !important; margin: 0 auto; }
.ptce-header h1 { font-size: 1.6rem; font-weight: 700; margin: .25rem 0; }
.ptce-header p, .ptce-note { color: var(--ptce-muted); margin: 0; font-size: .95rem; }
.ptce-note { font-size: .85rem; align-self: center; }
.ptce-greeting { max-width: 34rem; margin: 0 auto; padding: .75rem 1rem; font-size: 1.05rem; line-height: 1.5; text-align: center; }
#conversation .top-panel { display: none; }
#conversation .question { margin: 0; }
#conversation .answer-text { margin: 0 0 .5rem; line-height: 1.55; }
#conversation .message.user { border-color: color-mix(in srgb, var(--ptce-accent) 35%, transparent); }
.cite { display: inline-block; min-width: 1.6em; padding: 0 .3em; margin: 0 .1em; border-radius: .6em;
  background: var(--ptce-accent); color: var(--ptce-on-accent) !important; font-size: .8em; font-weight: 700;
  white-space: nowrap;
  text-align: center; text-decoration: none !important; line-height: 1.5; vertical-align: .1em; }
a.cite:hover { filter: brightness(1.15); }
a.cite:focus-visible, .source summary:focus-visible, .option:focus-visible { outline: 3px solid var(--ptce-accent); outline-offset: 2px; }
.sources { border-top: 1px solid var(--border-color-primary); padding-top: .4rem; margin-top: .4rem; }
#conversation .sources-title { font-size: .85rem; font-weight: 700; color: var(--body-text-color); margin: 0 0 .25rem; }
footer .show-api, footer a, footer button { color: var(--ptce-muted) !important; }
.source { border: 1px solid var(--border-color-primary); border-radius: 8px; margin: .3rem 0; background: var(--background-fill-primary); min-width: 0; overflow-wrap: anywhere; }
.source summary { cursor: pointer; padding: .4rem .6rem; font-size: .95rem; line-height: 1.4; }
.source-n { display: inline-block; font-weight: 700; color: var(--ptce-on-accent); background: var(--ptce-accent);
  border-radius: .6em; padding: 0 .45em; margin-right: .4em; font-size: .8em; }
.source-section { font-weight: 600; }
.source-body { padding: 0 .75rem .6rem; }
.source-title { font-size: .85rem; color: var(--ptce-muted); margin: 0 0 .4rem;
  display: -webkit-box; -webkit-line-clamp: 1; line-clamp: 1; -webkit-box-orient: vertical; overflow: hidden; }
.source-text { position: relative; margin: 0 0 .5rem; padding: .4rem .7rem; border-left: 3px solid var(--ptce-accent);
  font-size: .92rem; line-height: 1.5; max-height: 16rem; overflow-y: auto; }
.source-text mark { background: #fff1a8; color: #1a1a1a; padding: 0 .1em; border-radius: 2px; }
.source-link { font-size: .9rem; }
.source.flash { animation: ptce-flash 1.2s ease-out; }
@keyframes ptce-flash { from { box-shadow: 0 0 0 4px var(--ptce-accent); } to { box-shadow: 0 0 0 0 transparent; } }
.notice { border-radius: 8px; padding: .6rem .8rem; border: 1px solid; }
.notice p { margin: .2rem 0; }
.notice-title { font-weight: 700; }
.notice-abstain { background: #fff8e6; border-color: #c98f12; color: #3d2c00; }
.notice-abstain .notice-title::before { content: "i"; display: inline-block; width: 1.3em; height: 1.3em; line-height: 1.3em;
  margin-right: .4em; border-radius: 50%; background: #8a5a00; color: #fff; text-align: center; font: italic 700 .9em Georgia, serif; }
.notice-error { background: #fdecec; border-color: #d9534f; color: #5a1111; }
#conversation .options { display: flex; flex-wrap: wrap; justify-content: flex-start; align-items: stretch; gap: .5rem; }
#conversation .options::before { content: __CONTINUE__; width: 100%; font-size: .85rem; font-weight: 700;
  color: var(--ptce-muted); }
#conversation .option { flex: 1 1 12rem; max-width: 20rem; border-color: color-mix(in srgb, var(--ptce-accent) 45%, transparent); }
.ptce-sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
.ptce-status { min-height: 1.2em; font-size: .9rem; }
.ptce-privacy { color: var(--ptce-muted); font-size: .78rem; margin: 0; }
.ptce-composer textarea { font-size: 1rem !important; }
.ptce-composer .submit-button { background: var(--ptce-accent) !important; color: var(--ptce-on-accent) !important; font-weight: 600; }
.ptce-bar { background: var(--ptce-accent); padding: .3rem .6rem !important; border-radius: 0 !important; align-items: center; gap: .5rem; }
.ptce-bar-title { margin: 0; font-weight: 700; color: var(--ptce-on-accent); }
@media (max-width: 600px) {
  .gradio-container .main.app { padding: .5rem .5rem !important; }
  .ptce-header h1 { font-size: 1.3rem; }
  .ptce-note { display: none; }
  #conversation .message-row.bubble { max-width: 100%; margin-left: .25rem; margin-right: .25rem; }
  .ptce-header p { display: none; }  /* the greeting says the same */
}
"""

_WIDGET_CSS = """
.gradio-container { max-width: none !important; }
.gradio-container .main.app { padding: .4rem .5rem .25rem !important; }
#conversation { min-height: 0; }
.ptce-greeting { font-size: .95rem; }
.ptce-actions { justify-content: flex-end; }
"""
