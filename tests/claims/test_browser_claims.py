"""A claim from both sides in real headless Chromium, against a live server: the shopper
files a claim with a photo in the portal, an agent takes it in the desk console and asks for
more, the shopper replies, and the agent approves a repair.

Screenshots of both consoles are kept in test-artifacts/claims/ (look at them).
"""

import os
import re
from pathlib import Path

import pytest
from django.core import mail

from backend.accounts.choices import Role
from backend.claims.models import Claim
from tests.claims.conftest import jpeg
from tests.conftest import new_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "claims"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in_shopper(page, server, email):
    page.goto(f"{server.url}/portal/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Send me a sign-in link").click()
    page.get_by_text("a link is on its way").wait_for()
    [message] = [m for m in mail.outbox if "sign-in link" in m.subject][-1:]
    page.goto(re.search(r"https?://\S+\?token=[\w-]+", message.body).group(0))


def test_a_claim_from_the_portal_to_an_approved_repair(
    live_server, chromium, contract, make_user, tmp_path
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "broken-screen.jpg"
    photo.write_bytes(jpeg(size=(640, 480), color=(40, 40, 40)))
    errors: list[str] = []
    agent_user = make_user(Role.DESK_AGENT, password="desk-pass-1234")

    # The shopper files a claim, answering the guided questions first.
    shopper = new_page(chromium, errors)
    sign_in_shopper(shopper, live_server, contract.customer.email)
    card = shopper.locator(f"[data-contract='{contract.number}']")
    card.get_by_role("button", name="Something broke? File a claim").click()
    form = shopper.locator("[data-claim-form]")
    form.wait_for()
    for question in form.locator("[data-question]").all():
        question.get_by_label("Yes").check()
    form.get_by_label("What happened").select_option("mechanical_failure")
    form.get_by_label("Describe the problem").fill(
        "The screen stays black since Tuesday; the phone still vibrates on calls."
    )
    form.get_by_label("Serial number").fill("SN-4711")
    form.get_by_label("Photos of the problem").set_input_files(str(photo))
    shot(shopper, "1-portal-claim-form")
    form.get_by_role("button", name="Send my claim").click()
    shopper.get_by_text(re.compile(r"Claim CL-\d{4}-\w+ is filed")).wait_for()
    claim = Claim.objects.get(contract=contract)
    assert claim.evidence.count() == 1 and claim.answers
    shopper.locator(f"[data-claim='{claim.number}']").wait_for()
    shot(shopper, "2-portal-claim-filed")

    # An agent signs in to the desk and takes it with the keyboard.
    desk = new_page(chromium, errors)
    desk.goto(f"{live_server.url}/desk/")
    desk.get_by_label("Username").fill(agent_user.username)
    desk.get_by_label("Password").fill("desk-pass-1234")
    desk.get_by_role("button", name="Sign in").click()
    desk.locator("[data-take-next]").wait_for()
    desk.locator(f"[data-number='{claim.number}']").wait_for()
    desk.keyboard.press("n")
    desk.get_by_role("heading", name=f"Claim {claim.number}").wait_for()
    assert desk.locator(".evidence img").count() == 1
    assert "size=thumbnail" in desk.locator(".evidence img").get_attribute("src")  # the small one
    # It loads. (Not wait_for_function: that evaluates a string, which the page's CSP refuses.)
    image = desk.locator(".evidence img")
    for _ in range(50):
        if image.evaluate("img => img.complete && img.naturalWidth") > 0:
            break
        desk.wait_for_timeout(100)
    assert image.evaluate("img => img.naturalWidth") > 0
    assert "Earlier claims" not in desk.locator("[data-claim]").inner_text()
    # The guided answers read as the questions the shopper saw, each with its answer.
    answers = desk.locator("[data-claim] .answers").inner_text()
    assert "Have you switched it off and on again?" in answers and "Yes" in answers
    assert "restarted" not in answers and "[object" not in desk.locator("[data-claim]").inner_text()
    shot(desk, "3-desk-claim-taken")
    desk.keyboard.press("r")
    desk.keyboard.type(
        "Hello Ana, I am sorry about your phone. Could you send a photo of the back?"
    )
    desk.locator("[data-ask]").click()
    desk.locator("[data-state='awaiting_customer']").wait_for()
    shot(desk, "4-desk-asked")

    # The shopper answers from the claim page.
    shopper.goto(f"{live_server.url}/portal/#claim/{claim.number}")
    page = shopper.locator(f"[data-claim-page='{claim.number}']")
    page.wait_for()
    assert "Could you send a photo of the back?" in page.inner_text()
    page.get_by_label("Your reply").fill("Here it is, thank you.")
    back = tmp_path / "back.jpg"
    back.write_bytes(jpeg(size=(640, 480), color=(90, 90, 90)))
    page.get_by_label("Add photos").set_input_files(str(back))
    page.get_by_role("button", name="Send", exact=True).click()
    shopper.locator("[data-claim-page] [data-state='in_review']").wait_for()
    shot(shopper, "5-portal-replied")

    # The agent sees the reply and approves a repair.
    desk.reload()
    desk.get_by_role("heading", name=f"Claim {claim.number}").wait_for()
    assert "Here it is, thank you." in desk.locator("[data-thread]").inner_text()
    desk.keyboard.press("a")
    desk.locator("#f-amount").fill("150")
    desk.locator("#f-resolution").select_option("repair")
    desk.get_by_role("button", name="Approve").click()
    desk.locator("[data-state='approved']").wait_for()
    shot(desk, "6-desk-approved")
    claim.refresh_from_db()
    assert claim.state == "approved" and claim.approved_amount == 15_000
    assert claim.resolution_kind == "repair"

    shopper.reload()
    shopper.locator("[data-claim-page] [data-state='approved']").wait_for()
    shot(shopper, "7-portal-approved")
    assert errors == [], errors


def test_the_desk_shows_only_its_sign_in_before_anyone_signs_in(live_server, chromium):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    page = new_page(chromium, errors)
    page.goto(f"{live_server.url}/desk/")
    page.locator("[data-signin]").wait_for()
    assert page.locator("[data-signin]").is_visible()
    # The queue, Take next and the claim panel lay out as a grid; `hidden` still hides them.
    assert not page.locator("[data-desk]").is_visible()
    assert not page.locator("[data-signout]").is_visible()
    shot(page, "desk-signed-out")
    assert errors == []
