"""A merchant admin's Statements tab of the merchant console in real headless Chromium, on the demo's history: the
balance, the closed statements with their PDF, the payouts waiting for a payout account;
then Stripe onboarding through the emulator's page, back to the console, and the payouts
made. Screenshots in test-artifacts/settlement/ (look at them)."""

import os
from pathlib import Path

import pytest

from backend.settlement.models import Payout, Statement
from tests.conftest import new_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "settlement"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, server, locale_words=None):
    from backend.demo import data

    page.goto(f"{server.url}/merchant/")
    page.locator("#username").fill("merchant")
    page.locator("#password").fill(data.DEMO_PASSWORD)
    page.locator("[data-signin-form] button").click()
    page.locator("[data-checklist] li").first.wait_for()


def _demo_books():
    from backend.demo.seeding import seed_catalogue, seed_crm, seed_settlement, seed_users

    seed_users(seed_catalogue())
    seed_crm()
    assert seed_settlement() >= 1
    return Statement.objects.filter(merchant__slug="voltmart")


def test_a_merchant_reads_its_statements_and_sets_up_payouts(
    live_server, chromium, stripe_api, settings
):
    from backend.payments import stripe_gateway

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    statements = _demo_books()
    assert statements.exists() and Payout.objects.filter(state="due").exists()
    # The emulator's balance pays the demo's commission (scripts/run tops it up the same way).
    stripe_gateway._client().v1.topups.create(params={"amount": 10**8, "currency": "usd"})

    errors: list[str] = []
    page = new_page(chromium, errors)
    _sign_in(page, live_server)
    page.locator("[data-tab=statements]").click()
    page.locator("[data-statements] tr").first.wait_for()
    # Periods with activity, and the newest whatever it holds; the rest folded away.
    newest = statements.order_by("-period_start").first()
    shown = statements.filter(lines_count__gt=0).exclude(pk=newest.pk).count() + 1
    assert page.locator("[data-statements] tr").count() == shown < statements.count()
    page.locator("[data-all-periods]").click()
    page.locator("[data-statements] tr").nth(statements.count() - 1).wait_for()
    page.locator("[data-all-periods]").click()
    assert "Payouts are not set up yet" in page.locator("[data-account-state]").inner_text()
    assert page.locator("[data-balances] strong").first.inner_text().startswith("$")
    assert page.locator("[data-payouts] .pill.due").count() == 1  # the catch-up pays once
    page.screenshot(path=str(ARTIFACTS / "1-settlement-before-onboarding.png"), full_page=True)

    pdf = page.request.get(f"{live_server.url}/api/v1/statements/{newest.pk}/pdf/")
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    page.locator("[data-onboard]").click()
    page.get_by_role("button", name="Complete onboarding").wait_for()
    page.screenshot(path=str(ARTIFACTS / "2-stripe-onboarding.png"), full_page=True)
    page.get_by_role("button", name="Complete onboarding").click()
    page.wait_for_url(f"{live_server.url}/merchant/#statements")
    page.locator("[data-account-state].ok").wait_for()
    assert "receives payouts" in page.locator("[data-account-state]").inner_text()
    assert page.locator("[data-onboard]").is_hidden()
    # Coming back, the payouts that waited were made (the test's tasks run at once).
    assert not Payout.objects.filter(merchant__slug="voltmart", state="due").exists()
    page.reload()
    page.locator("[data-payouts] .pill.paid").first.wait_for()
    assert page.locator("[data-payouts] .pill.due").count() == 0
    page.screenshot(path=str(ARTIFACTS / "3-settlement-paid.png"), full_page=True)
    assert errors == [], errors


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("pl-PL", ["Zestawienia", "Saldo", "Do wypłaty netto"]),
        ("zh-CN", ["结算单", "余额", "应付净额"]),
    ],
)
def test_the_statements_tab_in_the_merchants_language(live_server, chromium, locale, words):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _demo_books()
    errors: list[str] = []
    page = new_page(chromium, errors, locale=locale)
    page.goto(f"{live_server.url}/merchant/#statements")
    _sign_in(page, live_server)
    page.locator("[data-tab=statements]").click()
    page.locator("[data-statements] tr").first.wait_for()
    text = page.locator("body").inner_text()
    assert all(word in text for word in words), text[:400]
    page.screenshot(path=str(ARTIFACTS / f"settlement-{locale}.png"), full_page=True)
    assert errors == [], errors
