"""The merchant console in real headless Chromium, against a live server on the demo's
catalogue: a new admin accepts the e-mailed invite, reads the go-live checklist, creates an
API key, registers a webhook endpoint (a real HTTP receiver here) and sees its test event
delivered and signed, switches a plan off, previews the widget on its own products, and
reads its claims and analytics; the console in Polish and Chinese. Screenshots in
test-artifacts/merchant/ (look at them)."""

import hashlib
import hmac
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from backend.accounts.models import User
from backend.merchants.models import Merchant, MerchantAPIKey
from backend.merchants.selectors import invite_token
from backend.merchants.services import merchant_invite_create
from backend.plans.models import MerchantPlan
from tests.conftest import new_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "merchant"
PASSWORD = "a-long-enough-pass-phrase"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def receiver():
    """A merchant's webhook receiver on a local port: it records what it is sent."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.received = received
    server.url = f"http://127.0.0.1:{server.server_port}/coverdesk/hooks"
    yield server
    server.shutdown()


def _demo():
    from backend.demo.seeding import seed_catalogue, seed_crm, seed_users

    seed_users(seed_catalogue())
    seed_crm()
    return Merchant.objects.get(slug="voltmart")


def test_a_new_admin_sets_up_the_store_from_the_invite(live_server, chromium, receiver, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    merchant = _demo()
    invite = merchant_invite_create(merchant=merchant, email="ops@voltmart.example")
    errors: list[str] = []
    page = new_page(chromium, errors)

    # The invite: whom it is for, then the account.
    page.goto(f"{live_server.url}/merchant/#invite={invite_token(invite)}")
    page.locator("[data-invite-for]").filter(has_text="VoltMart").wait_for()
    assert "ops@voltmart.example" in page.locator("[data-invite-for]").inner_text()
    page.get_by_label("First name").fill("Olga")
    page.get_by_label("Choose a username").fill("olga")
    page.get_by_label("Choose a password").fill(PASSWORD)
    shot(page, "1-invite")
    page.get_by_role("button", name="Create my account").click()
    page.locator("[data-checklist] li").first.wait_for()
    assert "#invite" not in page.url  # the spent token is dropped from the address
    assert User.objects.get(username="olga").merchant == merchant
    assert "Olga · VoltMart" in page.locator("[data-who]").inner_text()
    assert page.locator("[data-checklist] li.done").count() >= 3  # contact, plans, catalogue
    shot(page, "2-overview-checklist")

    # An API key, shown once, that works.
    page.locator("[data-tab=keys]").click()
    page.get_by_label("Name", exact=True).fill("production server")
    page.get_by_role("button", name="Create a key").click()
    key = page.locator("[data-new-key-value]")
    key.wait_for()
    assert MerchantAPIKey.objects.is_valid(key.inner_text())
    page.locator("[data-keys] tr").filter(has_text="production server").wait_for()
    shot(page, "3-api-key")

    # A webhook endpoint, a test event, the delivery log.
    page.locator("[data-tab=webhooks]").click()
    page.get_by_label("URL", exact=True).fill(receiver.url)
    page.get_by_role("checkbox", name="claim.filed").check()
    page.get_by_role("button", name="Add the endpoint").click()
    secret = page.locator("[data-new-secret-value]")
    secret.wait_for()
    page.get_by_role("button", name="Send a test event").click()
    page.locator("[data-deliveries] .state.delivered").wait_for()
    assert "webhook.test" in page.locator("[data-deliveries]").inner_text()
    [(headers, body)] = receiver.received
    assert json.loads(body)["type"] == "webhook.test"
    stamp, _, signature = headers["Coverdesk-Signature"].partition(",v1=")
    expected = hmac.new(
        secret.inner_text().encode(), f"{stamp[2:]}.".encode() + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(signature, expected)
    shot(page, "4-webhook-delivered")
    page.get_by_role("button", name="Resend").click()
    page.get_by_text("webhook.test is sent again.").wait_for()
    assert len(receiver.received) == 2

    # The plans offered: one switched off.
    page.locator("[data-tab=plans]").click()
    first = page.locator("[data-plans] tr").first
    first.wait_for()
    first.get_by_role("checkbox").uncheck()
    page.locator("[data-status].cd-ok").wait_for()
    assert MerchantPlan.objects.filter(merchant=merchant, is_active=False).count() == 1
    shot(page, "5-plans")

    # The widget: the snippet with the publishable key, the origins, the live preview.
    page.locator("[data-tab=widget]").click()
    page.locator("[data-snippet]").filter(has_text=merchant.publishable_key).wait_for()
    page.locator("#origins").fill("https://voltmart.example\nhttps://shop.voltmart.example/")
    page.locator("[data-origins-form] button").click()
    page.locator("[data-status].cd-ok").wait_for()
    assert Merchant.objects.get(pk=merchant.pk).widget_origins == [
        "https://voltmart.example",
        "https://shop.voltmart.example",
    ]
    preview = page.frame_locator("[data-preview]")
    try:
        preview.locator(".cd-offer-text").first.wait_for(timeout=15_000)
    except Exception:
        shot(page, "6-widget-preview-failed")
        raise
    shot(page, "6-widget-preview")

    page.locator("[data-tab=claims]").click()
    page.locator("[data-claims] tr").first.wait_for()
    shot(page, "7-claims")
    page.locator("[data-tab=analytics]").click()
    page.locator("[data-chart=sla] svg").wait_for()
    page.locator("[data-chart=offers] svg, [data-chart=offers] p").first.wait_for()
    shot(page, "8-analytics")
    assert errors == [], errors


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        (
            "pl-PL",
            ["Przegląd", "Zanim zaczniesz sprzedawać", "Klucze API", "Zestawienia"],
        ),
        ("zh-CN", ["概览", "上线前的准备", "API 密钥", "结算单"]),
    ],
)
def test_the_console_in_the_merchants_language(live_server, chromium, locale, words):
    from backend.demo import data

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _demo()
    errors: list[str] = []
    page = new_page(chromium, errors, locale=locale)
    page.goto(f"{live_server.url}/merchant/")
    page.locator("#username").fill("merchant")
    page.locator("#password").fill(data.DEMO_PASSWORD)
    page.locator("[data-signin-form] button").click()
    page.locator("[data-checklist] li").first.wait_for()
    text = page.locator("body").inner_text()
    assert all(word in text for word in words), text[:500]
    shot(page, f"overview-{locale}")
    page.locator("[data-tab=analytics]").click()
    page.locator("[data-chart=sla] svg").wait_for()
    assert "Loss ratio" not in page.locator("body").inner_text()
    shot(page, f"analytics-{locale}")
    assert errors == [], errors


def test_a_used_invite_link_says_so(live_server, chromium):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    merchant = _demo()
    invite = merchant_invite_create(merchant=merchant, email="late@voltmart.example")
    token = invite_token(invite)
    errors: list[str] = []
    page = new_page(chromium, errors)
    for attempt in ("first", "second"):
        page.goto(f"{live_server.url}/merchant/#invite={token}")
        if attempt == "first":
            page.get_by_label("Choose a username").fill("late")
            page.get_by_label("Choose a password").fill(PASSWORD)
            page.get_by_role("button", name="Create my account").click()
            page.locator("[data-checklist] li").first.wait_for()
            page.locator("[data-signout]").click()
            page.locator("[data-signin]").wait_for()
    page.locator("[data-invite-for].cd-error").wait_for()
    assert "used already" in page.locator("[data-invite-for]").inner_text()
    assert page.locator("[data-invite-form]").is_hidden()
    shot(page, "9-invite-used")
    assert errors == [], errors
