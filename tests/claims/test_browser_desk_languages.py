"""The desk console in the agent's language: Polish and Chinese in real Chromium, the
claim's server-side labels (its state) in the same language. Screenshots are kept in
test-artifacts/claims/ (look at them)."""

import os

import pytest

from backend.accounts.choices import Role
from tests.claims.conftest import file_claim, jpeg, shopper_client
from tests.claims.test_browser_claims import ARTIFACTS, shot
from tests.conftest import new_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        (
            "pl-PL",
            {
                "username": "Nazwa użytkownika",
                "signin": "Zaloguj",
                "take": "Weź następne",
                "heading": "Zgłoszenie {number}",
                "panel": "Umowa i produkt",
                "send": "Wyślij klientowi",
                "state": "W rozpatrywaniu",
                "reason": "Awaria mechaniczna",
            },
        ),
        (
            "zh-CN",
            {
                "username": "用户名",
                "signin": "登录",
                "take": "领取下一个",
                "heading": "理赔 {number}",
                "panel": "合同与产品",
                "send": "发送给客户",
                "state": "审核中",
                "reason": "机械或电气故障",
            },
        ),
    ],
)
def test_the_desk_speaks_the_agents_language(
    live_server, chromium, contract, make_user, locale, words
):
    response = file_claim(
        shopper_client(contract), contract, photos=[_photo()], serial_number="SN-1"
    )
    number = response.json()["number"]
    agent = make_user(Role.DESK_AGENT, password="desk-pass-1234")
    errors: list[str] = []
    desk = new_page(chromium, errors, locale=locale)
    desk.goto(f"{live_server.url}/desk/")
    desk.get_by_label(words["username"]).fill(agent.username)
    desk.locator("#password").fill("desk-pass-1234")
    desk.get_by_role("button", name=words["signin"]).click()
    desk.locator(f"[data-number='{number}']").wait_for()  # signed in, the queue loaded
    desk.get_by_role("button", name=words["take"]).click()
    desk.get_by_role("heading", name=words["heading"].format(number=number)).wait_for()
    view = desk.locator("[data-claim]")
    assert words["panel"] in view.inner_text() and words["reason"] in view.inner_text()
    assert view.locator("[data-state]").inner_text() == words["state"]  # from the server
    assert desk.get_by_role("button", name=words["send"]).is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot(desk, f"desk-{locale}")
    assert errors == []
    desk.close()


def _photo():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")


def test_a_supervisor_cannot_deny_without_saying_why(live_server, chromium, contract, make_user):
    """The reason goes to the customer: the console asks for one rather than making it up."""
    from backend.claims.models import Claim

    number = file_claim(shopper_client(contract), contract).json()["number"]
    agent = make_user(Role.DESK_AGENT)
    Claim.objects.filter(number=number).update(
        state="pending_approval", requested_amount=50_000, assignee=agent
    )
    supervisor = make_user(Role.DESK_SUPERVISOR, password="desk-pass-1234")
    errors: list[str] = []
    desk = new_page(chromium, errors)
    desk.goto(f"{live_server.url}/desk/#claim/{number}")
    desk.get_by_label("Username").fill(supervisor.username)
    desk.get_by_label("Password").fill("desk-pass-1234")
    desk.get_by_role("button", name="Sign in").click()
    # The link opens the claim once signed in. Clicking its row as well opened it twice, and
    # the second rendering could replace the panel under the click that follows.
    desk.get_by_role("heading", name=f"Claim {number}").wait_for()
    desk.locator("[data-refuse]").click()
    desk.get_by_text("Say why it is denied: the customer reads it.").wait_for()
    assert Claim.objects.get(number=number).state == "pending_approval"
    desk.locator("#decide-note").fill("The damage is not covered by a breakdown plan.")
    desk.locator("[data-refuse]").click()
    desk.locator("[data-state='denied']").wait_for()
    claim = Claim.objects.get(number=number)
    assert claim.state == "denied" and claim.decision_note.startswith("The damage is not")
    assert errors == []
    desk.close()
