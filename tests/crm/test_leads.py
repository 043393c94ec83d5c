"""Post-purchase offers: lines sold without a plan become leads, a consented customer gets
one factual e-mail per order, and the landing page's token buys through the widget."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone
from rest_framework.test import APIClient

from backend.contracts.models import Contract, Order
from backend.crm import leads
from backend.crm.models import Lead, LeadEvent
from tests.crm.conftest import tags_of

pytestmark = pytest.mark.django_db

PHONE = {"title": "Phone 9", "category": "phones", "price": 79_900, "currency": "USD"}


def report_body(*lines, email="lena@example.com", days_ago=2, consent=True, **overrides):
    body = {
        "customer": {"email": email, "first_name": "Lena", "locale": "en"},
        "jurisdiction": "US-CA",
        "purchased_at": (timezone.now() - timedelta(days=days_ago)).isoformat(),
        "lines": list(lines) or [{"position": 0, "product": PHONE, "quantity": 2}],
        **overrides,
    }
    if consent is not None:
        body["marketing_email_consent"] = {
            "granted": consent,
            "text": "Send me offers for my purchases by e-mail.",
        }
    return body


@pytest.fixture
def report(api, plan):
    def put(order_id="ORD-100", body=None, client=None):
        return (client or api).put(
            f"/api/v1/leads/{order_id}/", body or report_body(), format="json"
        )

    return put


@pytest.fixture
def browser(merchant, plan) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_COVERDESK_KEY=merchant.publishable_key)
    return client


def lead_of(order_id="ORD-100", position=0) -> Lead:
    return Lead.objects.select_related("customer").get(
        merchant_order_id=order_id, position=position
    )


def test_a_line_without_a_plan_becomes_a_lead_once(
    report, rule, plan, django_capture_on_commit_callbacks
):
    rule("offer_declined", "declined-phones", category=["phones"])
    with django_capture_on_commit_callbacks(execute=True):
        response = report()
    assert response.status_code == 200, response.json()
    [line] = response.json()["lines"]
    assert line["skipped"] == "" and line["lead"]["quantity"] == 2
    lead = lead_of()
    bought = lead.purchased_at
    assert lead.window_ends_at == bought + timedelta(days=plan.buying_window_days)
    assert lead.customer.marketing_email is True  # the merchant's consent text is recorded
    assert tags_of(lead.customer) == {"declined-phones"}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = report()
    assert not callbacks  # no second offer_declined event
    assert again.json()["lines"][0]["lead"] == line["lead"]
    assert Lead.objects.count() == 1


def test_lines_no_plan_covers_or_whose_window_closed_are_skipped(report):
    body = report_body(
        {"position": 0, "product": {**PHONE, "price": 999_999_00}, "quantity": 1},
        {"position": 1, "product": PHONE, "quantity": 1},
        days_ago=120,
    )
    lines = report(body=body).json()["lines"]
    assert [(x["position"], x["lead"], x["skipped"]) for x in lines] == [
        (0, None, "no_eligible_plan"),
        (1, None, "window_closed"),
    ]
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purchased_at": "2999-01-01T00:00:00Z"}, "purchased_at"),
        ({"lines": [{"position": 0, "quantity": 1}]}, "lines"),
        (
            {"lines": [{"position": 0, "sku": "A"}, {"position": 0, "sku": "B"}]},
            "lines",
        ),
        ({"lines": [{"position": 0, "product": {**PHONE, "category": "nope"}}]}, "lines"),
    ],
)
def test_bad_reports_are_400_with_the_field(report, change, field):
    response = report(body=report_body(**change))
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Lead.objects.exists()


def test_only_merchants_report_and_each_sees_its_own(report, other_api, make_user):
    from backend.accounts.choices import Role

    report()
    assert other_api.get("/api/v1/leads/ORD-100/").json() == []
    marketing = APIClient()
    marketing.force_login(make_user(Role.MARKETING))
    assert report(client=marketing).status_code == 403
    assert report(client=APIClient()).status_code in (401, 403)


def test_the_token_opens_the_offers_and_rejects_forgeries(report, browser, other_merchant):
    report()
    lead = lead_of()
    token = leads.lead_token(lead)
    body = browser.get(f"/api/v1/widget/leads/{token}/").json()
    assert body["quantity_left"] == 2 and body["customer"]["email"] == "lena@example.com"
    [offer] = body["offers"]["offers"]
    assert offer["plan_code"] == "phone-2y" and body["offers"]["quantity"] == 2

    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (forged, "nonsense", signing.dumps({"l": lead.pk}, salt="other")):
        response = browser.get(f"/api/v1/widget/leads/{bad}/")
        assert response.status_code == 400 and response.json()["code"] == "lead_token_invalid"

    stranger = APIClient()
    stranger.credentials(HTTP_COVERDESK_KEY=other_merchant.publishable_key)
    response = stranger.get(f"/api/v1/widget/leads/{token}/")
    assert response.json()["code"] == "lead_token_invalid"

    Lead.objects.filter(pk=lead.pk).update(window_ends_at=timezone.now() - timedelta(hours=1))
    expired = leads.lead_token(Lead.objects.get(pk=lead.pk))
    response = browser.get(f"/api/v1/widget/leads/{expired}/")
    assert response.status_code == 400 and response.json()["code"] == "lead_token_expired"


def checkout(browser, token, offer, *, quantity, cart="lead-cart-0001", email="lena@example.com"):
    return browser.post(
        "/api/v1/widget/checkout/",
        {
            "cart_id": cart,
            "jurisdiction": "US-CA",
            "accepted_terms": True,
            "lead_token": token,
            "customer": {"email": email, "first_name": "Lena"},
            "lines": [
                {
                    "offer_token": offer["offer_token"],
                    "terms_sha256": offer["terms_sha256"],
                    "quantity": quantity,
                }
            ],
        },
        format="json",
    )


def test_buying_through_the_token_uses_up_the_lead(report, browser, stripe_api):
    report()
    token = leads.lead_token(lead_of())
    [offer] = browser.get(f"/api/v1/widget/leads/{token}/").json()["offers"]["offers"]

    wrong = checkout(browser, token, offer, quantity=1, email="someone@example.com")
    assert wrong.status_code == 400 and wrong.json()["code"] == "lead_customer_mismatch"

    first = checkout(browser, token, offer, quantity=1)
    assert first.status_code == 201, first.json()
    lead = lead_of()
    assert (lead.quantity_consumed, lead.state) == (1, "open")
    assert checkout(browser, token, offer, quantity=1).status_code == 200  # a resend
    assert lead_of().quantity_consumed == 1

    second = checkout(browser, token, offer, quantity=1, cart="lead-cart-0002")
    assert second.status_code == 201
    lead = lead_of()
    assert (lead.quantity_consumed, lead.state) == (2, "converted")
    assert [e.name for e in LeadEvent.objects.filter(lead=lead)] == ["consume", "convert"]
    assert Contract.objects.count() == 2

    # Used up: the page says so, and another cart is refused with nothing written.
    assert browser.get(f"/api/v1/widget/leads/{token}/").json()["code"] == "lead_used_up"
    third = checkout(browser, token, offer, quantity=1, cart="lead-cart-0003")
    assert third.status_code == 409 and third.json()["code"] == "lead_used_up"
    assert Order.objects.count() == 2 and Contract.objects.count() == 2


def test_more_units_than_the_lead_has_rolls_the_order_back(report, browser, stripe_api, offer):
    from backend.plans.terms import terms_sha256

    report(body=report_body({"position": 0, "product": PHONE, "quantity": 1}))
    token = leads.lead_token(lead_of())
    bigger = {
        "offer_token": offer(quantity=3),
        "terms_sha256": terms_sha256("phone-2y", "US-CA", "en"),
    }
    response = checkout(browser, token, bigger, quantity=3)
    assert response.status_code == 409 and response.json()["code"] == "lead_used_up"
    assert not Order.objects.exists() and lead_of().quantity_consumed == 0


def test_one_factual_offer_email_per_order_to_consented_customers(report, settings):
    settings.CRM_LEAD_OFFER_DELAY = timedelta(0)
    report(
        body=report_body(
            {"position": 0, "product": PHONE, "quantity": 1},
            {"position": 1, "product": {**PHONE, "title": "Phone 9 <b>Max</b>"}, "quantity": 1},
        )
    )
    report("ORD-200", report_body(email="quiet@example.com", consent=False))
    due = leads.leads_due_offer()
    assert due == [lead_of().pk]  # one per order; the customer without consent is left out
    assert leads.lead_offer_send(lead_id=due[0]) is True
    [message] = mail.outbox
    assert message.to == ["lena@example.com"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/u/" in message.extra_headers["List-Unsubscribe"]
    assert message.body.count("/offers/") == 2 and "Phone 9 <b>Max</b>" in message.body
    assert "not offered or backed by the product's manufacturer" in message.body
    for pressure in ("hurry", "expiring", "last chance", "act now", "only today"):
        assert pressure not in message.body.lower()
    assert leads.leads_due_offer() == []
    assert leads.lead_offer_send(lead_id=due[0]) is False and len(mail.outbox) == 1


def test_consent_withdrawn_before_sending_sends_nothing(report, settings):
    from backend.crm.consent import withdraw
    from backend.customers.choices import ConsentSource

    settings.CRM_LEAD_OFFER_DELAY = timedelta(0)
    report()
    lead = lead_of()
    withdraw(lead.customer, "email", source=ConsentSource.UNSUBSCRIBE_LINK)
    assert leads.lead_offer_send(lead_id=lead.pk) is False
    assert mail.outbox == []


def test_the_offer_email_waits_for_the_delay(report, settings):
    settings.CRM_LEAD_OFFER_DELAY = timedelta(hours=24)
    report()
    assert leads.leads_due_offer() == []
    later = timezone.now() + timedelta(hours=25)
    assert leads.leads_due_offer(now=later) == [lead_of().pk]


def test_leads_past_their_window_expire_through_a_transition(report):
    report()
    Lead.objects.update(window_ends_at=timezone.now() - timedelta(minutes=1))
    assert leads.leads_expire() == 1
    lead = lead_of()
    assert lead.state == "expired"
    [event] = LeadEvent.objects.filter(lead=lead)
    assert (event.name, event.actor_kind, event.from_state) == ("expire", "system", "open")
    assert leads.leads_expire() == 0


def test_the_landing_page_escapes_and_refuses_bad_links(report, client):
    report(body=report_body({"position": 0, "product": {**PHONE, "title": "<script>x</script>"}}))
    lead = lead_of()
    page = client.get(f"/offers/{leads.lead_token(lead)}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    assert lead.merchant.publishable_key in html and page["Cache-Control"] == "no-store"
    bad = client.get("/offers/forged-token/")
    assert bad.status_code == 400 and "does not work" in bad.content.decode()
