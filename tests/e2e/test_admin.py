"""The editors' page in a real browser: readers' declined questions and a thumbs-down with a
comment, then /admin refuses a browser without the token (401) and shows the digest, grouped,
with the token (HTTP Basic, as a browser asks for it). Screenshot: digest.png."""

from __future__ import annotations

import pytest
from conftest import ADMIN_TOKEN

pytestmark = pytest.mark.browser

PENSIONS = (
    "Que pensez-vous de la réforme des retraites ?",
    "Quel est votre avis sur la réforme des retraites ?",
    "La réforme des retraites, vous en pensez quoi ?",
)
WEATHER = ("Quel temps fera-t-il à Lille demain ?", "Quelle météo prévoit-on à Lille demain ?")
COMMENT = "J'aurais aimé savoir s'il pleuvra pour la réunion du PTCE."


def test_the_digest_page_needs_the_token_and_groups_the_questions(
    app_server, browser, page_at, screenshots
):
    from gradio_client import Client

    api = Client(f"{app_server.url}/", verbose=False, download_files=False)
    answers = [api.predict(q, None, api_name="/ask") for q in (*PENSIONS, *WEATHER)]
    assert all(a["abstained"] for a in answers)
    saved = api.predict(WEATHER[0], answers[-2], "down", COMMENT, api_name="/feedback")
    assert saved["saved"]

    from playwright.sync_api import Error as PlaywrightError

    anonymous = page_at(1280, 800)
    response = anonymous.request.get(f"{app_server.url}/admin")
    assert response.status == 401 and "retraites" not in response.text()
    assert response.headers["www-authenticate"].startswith("Basic")
    with pytest.raises(PlaywrightError, match="AUTH"):  # the browser asks; nobody answers
        anonymous.goto(f"{app_server.url}/admin")

    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="fr-FR",
        http_credentials={"username": "editeur", "password": ADMIN_TOKEN},
    )
    try:
        page = context.new_page()
        response = page.goto(f"{app_server.url}/admin")
        assert response.status == 200
        rows = page.locator("tbody tr")
        texts = [rows.nth(i).inner_text() for i in range(rows.count())]
        pensions = next(t for t in texts if "réforme des retraites" in t)
        weather = next(t for t in texts if "Lille demain" in t)
        assert all(q in pensions for q in PENSIONS) and COMMENT not in pensions
        assert all(q in weather for q in WEATHER) and COMMENT in weather and "50 %" in weather
        assert page.locator("#chart").is_visible()
        page.screenshot(path=screenshots / "digest.png", full_page=True)
    finally:
        context.close()


def test_the_chat_and_the_widget_say_what_is_kept(app_server, page_at):
    from playwright.sync_api import expect

    from assistant.wording import privacy_notice

    for path in ("/", "/widget/"):
        page = page_at(1280, 800)
        page.goto(app_server.url + path)
        notice = page.locator(".ptce-privacy")
        expect(notice).to_be_visible()
        expect(notice).to_have_text(privacy_notice(90))
