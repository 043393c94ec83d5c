"""The books console in real headless Chromium, on the demo's history: an obligor's closed
month (the chart of earned premium and loss ratio, the totals) and its reports; finance
closing a month, the reconciliation and the payouts. Screenshots in test-artifacts/books/
(look at them)."""

import os
from pathlib import Path

import pytest

from backend.obligors.models import MonthClose
from tests.conftest import new_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "books"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _demo_books():
    from backend.demo.seeding import seed_catalogue, seed_crm, seed_settlement, seed_users

    seed_users(seed_catalogue())
    seed_crm()
    seed_settlement()
    assert MonthClose.objects.count() == 1


def _sign_in(page, server, username):
    from backend.demo import data

    page.goto(f"{server.url}/books/")
    page.locator("#username").fill(username)
    page.locator("#password").fill(data.DEMO_PASSWORD)
    page.locator("[data-signin-form] button").click()
    page.locator("[data-tabs]").wait_for()


def test_an_obligor_reads_its_closed_month_and_downloads_its_reports(live_server, chromium):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _demo_books()
    errors: list[str] = []
    page = new_page(chromium, errors)
    _sign_in(page, live_server, "obligor")
    page.locator("[data-months] tr").first.wait_for()
    assert "Shieldline" in page.locator("[data-who]").inner_text()
    assert page.locator("[data-tab=close]").is_hidden()
    assert page.locator("[data-chart] svg rect").count() >= 1
    month = MonthClose.objects.get().month.strftime("%Y-%m")
    assert month in page.locator("[data-months]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "1-obligor-months.png"), full_page=True)
    page.locator("[data-tab=reports]").click()
    link = page.locator("[data-reports] a").first
    link.wait_for()
    download = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert download.ok and download.body().decode().startswith("Contract,")
    page.screenshot(path=str(ARTIFACTS / "2-obligor-reports.png"), full_page=True)
    assert errors == [], errors


def test_finance_closes_a_month_and_works_the_reconciliation_and_payouts(live_server, chromium):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _demo_books()
    errors: list[str] = []
    page = new_page(chromium, errors)
    _sign_in(page, live_server, "finance")
    page.locator("[data-provider] option").first.wait_for(state="attached")
    page.locator("[data-months] tr").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "3-finance-months.png"), full_page=True)
    page.locator("[data-tab=close]").click()
    page.locator("[data-close-form] button").click()  # last month: closed by the demo already
    page.locator("[data-status].cd-error").wait_for()
    assert "closed already" in page.locator("[data-status]").inner_text()
    page.locator("[data-tab=reconciliation]").click()
    page.locator("[data-differences] tr").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "4-finance-reconciliation.png"), full_page=True)
    page.locator("[data-tab=payouts]").click()
    page.locator("[data-merchant-payouts] tr").first.wait_for()
    assert page.locator("[data-merchant-payouts] button").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "5-finance-payouts.png"), full_page=True)
    page.locator("[data-tab=tax]").click()
    texas = page.locator("[data-tax] tr", has_text="Texas (US-TX)")
    texas.wait_for()
    assert "Texas sales tax 6.25%" in texas.inner_text()
    assert page.locator("[data-tax-files] a", has_text="CSV").count() == 1
    page.screenshot(path=str(ARTIFACTS / "6-finance-tax.png"), full_page=True)
    texas.get_by_label("Payment reference").fill("TX-WEBFILE-1")
    texas.get_by_role("button", name="Record payment").click()
    page.locator("[data-status].ok").wait_for()
    texas.locator(".pill.paid").wait_for()
    page.screenshot(path=str(ARTIFACTS / "7-finance-tax-paid.png"), full_page=True)
    assert errors == [], errors


@pytest.mark.parametrize(
    ("locale", "words"),
    [("pl-PL", ["Zamknięte miesiące", "Gwarant"]), ("zh-CN", ["已结账月份", "责任方"])],
)
def test_the_books_in_the_readers_language(live_server, chromium, locale, words):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _demo_books()
    errors: list[str] = []
    page = new_page(chromium, errors, locale=locale)
    _sign_in(page, live_server, "finance")
    page.locator("[data-months] tr").first.wait_for()
    text = page.locator("body").inner_text()
    assert all(word in text for word in words), text[:400]
    page.screenshot(path=str(ARTIFACTS / f"books-{locale}.png"), full_page=True)
    assert errors == [], errors
