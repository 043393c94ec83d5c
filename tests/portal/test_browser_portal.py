"""The portal speaks the shopper's language: the page is sent with the language the
browser asks for, and its script follows it (screenshots in test-artifacts/portal/)."""

import os
from pathlib import Path

import pytest

from tests.conftest import new_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "portal"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("locale", "lang", "heading", "button", "sent"),
    [
        (
            "pl-PL",
            "pl",
            "Zaloguj się do swoich planów",
            "Wyślij link logowania",
            "link jest w drodze",
        ),
        ("zh-CN", "zh-hans", "登录查看保障计划", "发送登录链接", "登录链接已发出"),
        ("en-GB", "en", "Sign in to your plans", "Send me a sign-in link", "a link is on its way"),
    ],
)
def test_the_sign_in_page_is_in_the_browsers_language(
    chromium, live_server, locale, lang, heading, button, sent
):
    errors = []
    page = new_page(chromium, errors, locale=locale)
    page.goto(f"{live_server.url}/portal/")
    assert page.evaluate("document.documentElement.lang") == lang
    page.get_by_role("heading", name=heading).wait_for()
    page.locator("input[type=email]").fill("nobody@example.com")
    page.get_by_role("button", name=button).click()
    page.get_by_text(sent).wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"sign-in-{lang}.png"), full_page=True)
    assert errors == []
    page.close()
