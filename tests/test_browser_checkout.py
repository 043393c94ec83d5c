"""The whole shopper path in real headless Chromium, against a live server and localstripe:
demo store -> widget offer -> terms -> pay with a test card -> portal shows the contract.

Screenshots of each step are kept in test-artifacts/ (look at them).
"""

import os
import re
from pathlib import Path

import pytest
import requests
from django.core import mail

from tests.conftest import fill_test_card

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "checkout"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def stripe_webhooks_to(stripe_api, settings):
    """Have localstripe send its webhooks to a live server, for this test only: the live
    server outlives the test, and localstripe keeps webhook registrations until restarted."""

    def register(url):
        requests.post(
            f"{stripe_api}/_config/webhooks/coverdesk",
            timeout=5,
            data={"url": url, "secret": settings.STRIPE_WEBHOOK_SECRET},
        )

    yield lambda server: register(f"{server.url}/api/v1/webhooks/stripe/")
    register("http://127.0.0.1:9/discard")


def _store(page, live_server, stripe_webhooks_to):
    """The demo store open on its catalogue, its first product's offers shown."""
    from backend.demo.seeding import seed_catalogue

    seed_catalogue()
    stripe_webhooks_to(live_server)
    page.goto(f"{live_server.url}/demo/store/")
    product = page.locator("[data-product]").first
    product.locator(".cd-offer").first.wait_for()
    return product


def _fill_checkout(page, email: str, first_name: str) -> None:
    page.get_by_role("textbox", name="E-mail").fill(email)
    page.get_by_role("textbox", name="First name").fill(first_name)
    fill_test_card(page)
    page.locator("#cd-accept").check()


def test_shopper_buys_a_plan_and_finds_it_in_the_portal(
    live_server, browser_page, stripe_webhooks_to
):
    from backend.contracts.models import Contract

    page, errors = browser_page
    product = _store(page, live_server, stripe_webhooks_to)
    shot(page, "1-store-with-offers")

    offer = product.locator(".cd-offer").nth(1)  # the first plan after "No protection"
    with page.expect_popup() as terms_popup:
        offer.get_by_role("link", name="See plan terms").click()
    terms = terms_popup.value
    terms.wait_for_load_state()
    assert "What is not covered" in terms.content() and "California" in terms.content()
    assert "Statements required by law" in terms.content()
    shot(terms, "2-plan-terms")
    terms.close()

    offer.locator("input[type=radio]").check()
    product.get_by_role("button", name="Add to cart").click()
    page.locator("#cd-card input").first.wait_for()
    _fill_checkout(page, "browser.shopper@example.com", "Dana")
    shot(page, "3-checkout")
    page.locator(".cd-checkout button[type=submit]").click()
    page.locator(".cd-checkout .cd-ok").wait_for(timeout=20_000)
    assert "active" in page.locator(".cd-checkout [role=status]").inner_text()
    shot(page, "4-paid")
    contract = Contract.objects.get(customer__email="browser.shopper@example.com")
    assert contract.state == "active"

    page.goto(f"{live_server.url}/portal/")
    page.get_by_label("E-mail").fill("browser.shopper@example.com")
    page.get_by_role("button", name="Send me a sign-in link").click()
    page.get_by_text("a link is on its way").wait_for()
    [message] = [m for m in mail.outbox if "sign-in link" in m.subject]
    link = re.search(r"https?://\S+\?token=[\w-]+", message.body).group(0)
    page.goto(link)
    card = page.locator(f"[data-contract='{contract.number}']")
    card.wait_for()
    assert "Active" in card.inner_text() and contract.number in card.inner_text()
    document = card.get_by_role("link", name=re.compile(r"^Contract · English \(legally binding\)"))
    assert document.get_attribute("href").endswith("/documents/service_contract/en/")
    with page.expect_download() as download:
        document.click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    shot(page, "5-portal")

    card.get_by_role("button", name="Ask for a paper copy").click()
    card.get_by_label("Postal address").fill("1 Market St\nSan Francisco, CA 94105")
    card.get_by_role("button", name="Post me a paper copy").click()
    page.get_by_text("We will post your paper copy by").wait_for()
    shot(page, "5b-paper-copy")

    card.get_by_role("button", name="Cancel this plan").click()
    page.get_by_text("If you cancel today").wait_for()
    shot(page, "6-cancel-quote")
    assert errors == [], errors


def test_a_texas_shopper_sees_the_sales_tax_included_in_the_price(
    live_server, browser_page, stripe_webhooks_to
):
    from backend.contracts.models import Contract

    page, errors = browser_page
    product = _store(page, live_server, stripe_webhooks_to)
    product.get_by_label("Plans for shoppers in").select_option("US-TX")
    tax = product.locator(".cd-offer .cd-tax").first
    tax.wait_for()
    assert re.fullmatch(r" \(includes \$\d+\.\d\d Texas sales tax\)", tax.inner_text())
    offer = product.locator(".cd-offer").nth(1)
    offer.locator("input[type=radio]").check()
    product.get_by_role("button", name="Add to cart").click()
    page.locator("#cd-card input").first.wait_for()
    note = page.locator(".cd-checkout .cd-tax").inner_text()
    assert re.fullmatch(r"includes \$\d+\.\d\d Texas sales tax", note)
    _fill_checkout(page, "texas.shopper@example.com", "Tex")
    shot(page, "7-texas-checkout")
    page.locator(".cd-checkout button[type=submit]").click()
    page.locator(".cd-checkout .cd-ok").wait_for(timeout=20_000)
    contract = Contract.objects.get(customer__email="texas.shopper@example.com")
    assert (contract.jurisdiction, contract.state) == ("US-TX", "active")
    assert f"${contract.tax // 100}.{contract.tax % 100:02d}" in note
    assert errors == [], errors
