"""The marketing console and the post-purchase offer page in real headless Chromium,
against a live server: build a segment and see its live count, export it and watch the
progress bar finish, download the file and check its rows; browse tags and the analytics
charts (a merchant admin reads its own in the merchant console,
tests/merchants/test_browser_console.py); and a shopper buys a plan through an offer link,
paying with localstripe.

Screenshots are kept in test-artifacts/marketing/ (look at them).
"""

import csv
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backend.accounts.choices import Role
from backend.crm.models import ExportJob, Lead, Tag
from backend.crm.services import tag_add
from tests.conftest import fill_test_card, new_page
from tests.test_browser_checkout import stripe_webhooks_to  # noqa: F401 - a fixture

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "marketing"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, server, user, password):
    page.goto(f"{server.url}/marketing/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_segment_live_count_export_and_download(
    live_server, chromium, customer, make_user, sell, merchant
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    user = make_user(Role.MARKETING, password="market-pass-1234")
    vip = Tag.objects.create(slug="vip", name="VIP")
    Tag.objects.create(slug="newsletter", name="Newsletter")
    people = [
        customer("ana@example.com", first_name="Ana", last_name="Nowak"),
        customer("bo@example.com", first_name="Bo", last_name='=HYPERLINK("x")'),
        customer("cy@example.com", first_name="Cy", marketing_email=False),
        customer("di@example.com", first_name="Di", do_not_sell=True),
    ]
    customer("eve@example.com", first_name="Eve")  # not tagged
    for person in people:
        tag_add(customer=person, tag=vip, actor=user, reason="test")
    sell(email="ana@example.com", days_ago=20)

    page = new_page(chromium, errors)
    sign_in(page, live_server, user, "market-pass-1234")
    page.locator("[data-panel=segments]").wait_for()
    page.locator("#tags_any").select_option("vip")
    # Locators, not wait_for_function: that evaluates a string, which the page's CSP refuses.
    expect(page.locator("[data-count]")).to_have_text("4")
    expect(page.locator("[data-reach-email]")).to_have_text("2")
    assert page.locator("[data-sample] tr").count() == 4
    shot(page, "1-segment-live-count")

    page.get_by_label("Segment name").fill("VIPs")
    page.get_by_role("button", name="Save segment").click()
    page.get_by_text("Saved “VIPs”.").wait_for()

    page.get_by_label("Format").select_option("mailchimp")
    page.get_by_role("button", name="Export").click()
    page.get_by_text("Done: 2 rows").wait_for(timeout=20_000)
    assert page.locator("[data-job-progress]").evaluate("p => p.value") == 1
    shot(page, "2-export-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download export").click()
    with open(download.value.path(), encoding="utf-8") as file:
        rows = list(csv.DictReader(io.StringIO(file.read().lstrip("\ufeff"))))
    assert sorted(r["Email Address"] for r in rows) == ["ana@example.com", "bo@example.com"]
    assert next(r for r in rows if r["Email Address"] == "bo@example.com")["Last Name"].startswith(
        "'="
    )
    job = ExportJob.objects.get()
    assert (job.state, job.rows_written, job.requested_by) == ("done", 2, user)

    page.get_by_role("link", name="Tags").click()
    page.locator("[data-tag-customers] tr").first.wait_for()
    shot(page, "3-tags")
    page.get_by_role("link", name="Exports").click()
    page.locator("[data-exports] tr").first.wait_for()
    shot(page, "4-exports")
    page.get_by_role("link", name="Analytics").click()
    page.locator("[data-chart=sla] svg").wait_for()
    page.locator("[data-chart=offers] svg, [data-chart=offers] p").first.wait_for()
    shot(page, "5-analytics")
    assert errors == [], errors


def test_a_shopper_buys_a_plan_through_an_offer_link(
    live_server,
    chromium,
    stripe_api,
    stripe_webhooks_to,  # noqa: F811
):
    from backend.catalog.models import Product
    from backend.crm import leads
    from backend.demo.seeding import seed_catalogue
    from backend.merchants.models import Merchant
    from backend.plans.offers import ProductInput

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    seed_catalogue()
    stripe_webhooks_to(live_server)
    merchant = Merchant.objects.get(slug="voltmart")
    laptop = Product.objects.filter(merchant=merchant, category_id="laptops").first()
    leads.leads_report(
        merchant=merchant,
        report=leads.LeadReport(
            merchant_order_id="web-77",
            jurisdiction="US-CA",
            customer={"email": "kai@example.com", "first_name": "Kai", "last_name": "Ito"},
            purchased_at=timezone.now() - timedelta(days=3),
            lines=[
                leads.LeadLineInput(
                    position=0,
                    product=ProductInput.from_product(laptop, manufacturer_warranty_months=12),
                    quantity=2,
                )
            ],
        ),
    )
    lead = Lead.objects.get()
    errors: list[str] = []
    page = new_page(chromium, errors)
    page.goto(f"{live_server.url}/offers/{leads.lead_token(lead)}/")
    page.locator("input[name=lead-plan]").first.wait_for()
    email = page.get_by_role("textbox", name="E-mail")
    email.wait_for()
    assert email.input_value() == "kai@example.com" and email.get_attribute("readonly") == ""
    assert "not offered or backed by the product's manufacturer" in page.content()
    page.get_by_label("Units to cover").select_option("1")
    page.locator("#cd-card input").first.wait_for()
    fill_test_card(page)
    page.locator("#cd-accept").check()
    shot(page, "7-offer-page")
    page.locator(".cd-checkout button[type=submit]").click()
    page.locator(".cd-checkout .cd-ok").wait_for(timeout=20_000)
    shot(page, "8-offer-paid")
    lead.refresh_from_db()
    assert (lead.quantity_consumed, lead.state) == (1, "open")
    contract = lead.customer.contracts.get()
    assert contract.state == "active" and contract.product_snapshot["category"] == "laptops"
    assert errors == [], errors
