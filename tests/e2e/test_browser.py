"""End to end in headless Chromium: the chat, the widget on a partner page, the refusal to
be framed by other sites, and feedback landing in the database."""

from __future__ import annotations

import sqlite3
import urllib.request

import pytest

pytestmark = pytest.mark.browser  # skipped when /usr/bin/chromium is missing (see conftest)

QUESTION = "Comment un département peut-il financer l'animation d'un PTCE ?"
DESKTOP, PHONE = (1280, 800), (390, 844)

# Records, in the page, how many citations the last answer shows after each change.
WATCH_STREAM = """() => {
  window.__citeCounts = [];
  new MutationObserver(() => {
    const bots = document.querySelectorAll('#conversation [data-testid="bot"]');
    const last = bots[bots.length - 1];
    const n = last ? last.querySelectorAll('.answer-text .cite').length : 0;
    const seen = window.__citeCounts;
    if (seen[seen.length - 1] !== n) seen.push(n);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""


def ask(scope, question: str = QUESTION) -> None:
    """Type a question in the chat (a page or a frame) and wait for the finished answer."""
    box = scope.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    scope.locator("#conversation .options").last.wait_for()  # suggestions come with the last step


def open_cited_source(scope):
    """Click the last [n] of the last answer; return the source it points to."""
    cite = scope.locator('#conversation [data-testid="bot"] a.cite').last
    target = cite.get_attribute("href").lstrip("#")
    cite.click()
    return scope.locator(f"#{target}")


def test_chat_streams_an_answer_whose_citation_opens_its_source(app_server, page_at, screenshots):
    from playwright.sync_api import expect

    page = page_at(*DESKTOP)
    page.goto(app_server.url + "/")
    expect(page.locator("#question textarea")).to_be_visible()
    page.screenshot(path=screenshots / "chat-desktop-empty.png")
    page.evaluate(WATCH_STREAM)
    ask(page)

    counts = page.evaluate("window.__citeCounts")
    final = counts[-1]
    assert final >= 1, "the answer has no citation"
    if final >= 2:  # a streamed answer shows its sentences (and their [n]) one after another
        assert len({c for c in counts if c > 0}) >= 2, f"no intermediate step seen: {counts}"

    source = open_cited_source(page)
    expect(source).to_have_attribute("open", "")
    expect(source.locator("mark").first).to_be_visible()
    page.screenshot(path=screenshots / "chat-desktop.png")
    # « Ouvrir dans le guide » opens the guide itself (the app's /guide page) at the section.
    href = source.locator(".source-link").get_attribute("href")
    assert href.startswith("guide#"), href
    guide = page_at(*DESKTOP)
    guide.goto(f"{app_server.url}/{href}")
    section = guide.locator(f"#{href.split('#', 1)[1]}")
    expect(section).to_be_visible()
    expect(guide.locator("body")).to_contain_text("Les départements interviennent")

    phone = page_at(*PHONE)
    phone.goto(app_server.url + "/")
    ask(phone)
    phone.screenshot(path=screenshots / "chat-phone.png")

    # a question the guide does not answer gets a notice, not an answer, and no [n]
    ask(phone, "Quelle est la recette de la tarte tatin ?")
    notice = phone.locator('#conversation [data-testid="bot"]').last.locator(".notice-abstain")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Pas de réponse dans le guide")
    assert phone.locator('#conversation [data-testid="bot"]').last.locator("a.cite").count() == 0
    phone.screenshot(path=screenshots / "chat-phone-abstention.png")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_widget_on_the_partner_page_answers_with_citations(
    app_server, host_site, page_at, screenshots, size
):
    from playwright.sync_api import expect

    page = page_at(*size)
    page.goto(f"{host_site.url}/host.html?app={app_server.url}")
    page.locator(".ptce-launcher").click()
    frame = page.frame_locator("#ptce-panel iframe")
    expect(frame.locator("#question textarea")).to_be_visible()
    ask(frame)
    source = open_cited_source(frame)
    expect(source).to_have_attribute("open", "")
    expect(source.locator("mark").first).to_be_visible()
    name = "desktop" if size == DESKTOP else "phone"
    page.screenshot(path=screenshots / f"widget-host-{name}.png")
    assert page.context.cookies() == []  # nothing for third-party cookie blocking to break

    # the API answers this allowed origin's scripts (CORS)
    status = page.evaluate(
        f"fetch('{app_server.url}/gradio_api/info').then(r => r.status, () => 'blocked')"
    )
    assert status == 200


def test_a_site_that_is_not_allowed_cannot_frame_the_widget(
    app_server, host_site, other_site, page_at
):
    with urllib.request.urlopen(f"{app_server.url}/widget/") as r:
        csp = r.headers["Content-Security-Policy"]
    assert csp == f"frame-ancestors 'self' {host_site.origin}"
    assert other_site.origin not in csp

    page = page_at(*DESKTOP)
    page.goto(f"{other_site.url}/frame.html")
    page.wait_for_timeout(3000)
    frame = next(f for f in page.frames if f != page.main_frame)
    assert frame.locator("#question").count() == 0, (
        "the widget rendered inside a page of another site"
    )
    assert (
        not frame.url.startswith(app_server.url + "/widget")
        or frame.evaluate("document.body.innerText") == ""
    )

    # and its scripts cannot read the API (no CORS header for this origin)
    status = page.evaluate(
        f"fetch('{app_server.url}/gradio_api/info').then(r => r.status, () => 'blocked')"
    )
    assert status == "blocked"


def test_thumbs_down_with_a_comment_lands_in_the_database(app_server, page_at):
    from playwright.sync_api import expect

    page = page_at(*DESKTOP)
    page.goto(app_server.url + "/")
    ask(page, "Quels rôles pour les collectivités ?")
    page.locator(
        '#conversation button[aria-label="Je n\'aime pas"], #conversation button[aria-label="Dislike"]'
    ).last.click()
    comment = page.locator("#comment textarea")
    expect(comment).to_be_visible()
    expect(comment).to_be_focused()
    comment.fill("Il manque les montants.")
    page.get_by_role("button", name="Envoyer le commentaire").click()
    expect(page.locator("#status")).to_contain_text("Commentaire enregistré")

    with sqlite3.connect(app_server.database) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM feedback ORDER BY id DESC LIMIT 1").fetchone()
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert (row["rating"], row["comment"], row["surface"]) == (
        "down",
        "Il manque les montants.",
        "chat",
    )
    assert row["question"] == "Quels rôles pour les collectivités ?" and row["query"]
    assert (
        row["chunk_ids"].startswith('["')
        and row["model"]
        and row["index_version"].startswith("build-")
    )
