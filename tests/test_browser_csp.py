"""The pages under their Content-Security-Policy in real Chromium: each one works and the
browser reports no violation (tests/conftest.new_page turns any into a page error)."""

import os
from pathlib import Path

import pytest

from backend.accounts.choices import Role
from backend.accounts.models import User
from tests.conftest import new_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "csp"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_api_docs_and_documents_run_under_the_policy(
    live_server, chromium, make_user, stripe_api
):
    from backend.catalog.models import WrittenWarranty
    from backend.demo.seeding import seed_catalogue, seed_reference_data, seed_warranties
    from backend.plans.models import Plan

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    seed_reference_data()
    seed_warranties(seed_catalogue())
    make_user(Role.PLATFORM_ADMIN, password="admin-pass-1234")
    admin = User.objects.get(is_superuser=True)
    errors: list[str] = []
    page = new_page(chromium, errors)

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", "admin-pass-1234")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    page.goto(f"{live_server.url}/admin/contracts/contract/")
    page.wait_for_selector("#changelist")
    page.screenshot(path=str(ARTIFACTS / "admin.png"), full_page=True)

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    page.wait_for_selector(".opblock", timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))

    plan = Plan.objects.filter(is_active=True).first()
    page.goto(f"{live_server.url}/plans/{plan.code}/terms/?jurisdiction=US-CA")
    assert page.locator("h1").first.is_visible()
    warranty = WrittenWarranty.objects.select_related("merchant").first()
    page.goto(f"{live_server.url}/warranties/{warranty.merchant.slug}/{warranty.code}/")
    # The document's own <style> applied (allowed by its hash): its body font is not the default.
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Noto Sans" in family, family
    page.screenshot(path=str(ARTIFACTS / "warranty.png"), full_page=True)

    page.goto(f"{live_server.url}/demo/store/")
    page.wait_for_selector(".cd-offer")  # the widget's offers, styled by its linked sheet
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.cd-offers')).borderRadius")
        == "8px"
    )
    page.screenshot(path=str(ARTIFACTS / "store.png"))
    assert errors == []
