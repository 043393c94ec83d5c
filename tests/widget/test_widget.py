"""The widget's API, as a shopper's browser uses it with the publishable key."""

import pytest
from rest_framework.test import APIClient

from backend.contracts.models import Order
from backend.customers.models import ConsentRecord
from tests import stripe_helpers as sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(merchant, plan):
    client = APIClient()
    client.credentials(HTTP_COVERDESK_KEY=merchant.publishable_key)
    return client


def offers(browser, price=79_900):
    body = {
        "product": {"title": "Phone 9", "category": "phones", "price": price, "currency": "USD"},
        "jurisdiction": "US-CA",
        "quantity": 2,
    }
    response = browser.post("/api/v1/widget/offers/", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["offers"]


def test_config_names_the_merchant_and_the_local_stripe_js(browser, stripe_api):
    config = browser.get("/api/v1/widget/config/").json()
    assert config["merchant"] == "Acme Electronics"
    assert config["stripe_js_url"] == f"{stripe_api}/js.stripe.com/v3/"
    assert config["terms_text_version"] and "paper copy" in config["terms_text"]


def test_checkout_from_the_widget_then_pay(browser, stripe_api, client):
    [offer] = offers(browser)
    body = {
        "cart_id": "cart-0001-abc",
        "jurisdiction": "US-CA",
        "accepted_terms": True,
        "customer": {"email": "zoe@example.com", "first_name": "Zoe"},
        "lines": [
            {
                "offer_token": offer["offer_token"],
                "terms_sha256": offer["terms_sha256"],
                "quantity": 2,
            }
        ],
    }
    response = browser.post("/api/v1/widget/checkout/", body, format="json")
    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["portal_url"].endswith("/portal/")
    assert browser.post("/api/v1/widget/checkout/", body, format="json").status_code == 200
    assert Order.objects.count() == 1
    consent = ConsentRecord.objects.get(kind="terms_acceptance")
    assert consent.source == "widget" and consent.document_sha256 == offer["terms_sha256"]
    from backend.contracts.models import ContractEvent

    created = ContractEvent.objects.filter(name="create").first()
    assert created.actor_kind == "shopper" and "zoe@example.com" in created.actor_label
    intent = order["payment"]["client_secret"].split("_secret")[0]
    sh.pay(intent)
    sh.deliver(client, sh.intent_event("payment_intent.succeeded", intent))
    assert (
        browser.post("/api/v1/widget/checkout/", body, format="json").json()["contracts"][0][
            "state"
        ]
        == "active"
    )


def test_terms_must_be_accepted(browser, stripe_api):
    [offer] = offers(browser)
    body = {
        "cart_id": "cart-0002-abc",
        "jurisdiction": "US-CA",
        "accepted_terms": False,
        "customer": {"email": "zoe@example.com"},
        "lines": [{"offer_token": offer["offer_token"], "terms_sha256": offer["terms_sha256"]}],
    }
    response = browser.post("/api/v1/widget/checkout/", body, format="json")
    assert response.status_code == 400 and "accepted_terms" in response.json()["fields"]


def test_a_publishable_key_opens_nothing_else(browser, merchant):
    for path in ("/api/v1/products/", "/api/v1/contracts/", "/api/v1/merchant/", "/api/v1/plans/"):
        assert browser.get(path).status_code in (401, 403), path
    assert browser.put("/api/v1/orders/X-1/", {}, format="json").status_code in (401, 403)


def test_unknown_key_is_401(db):
    client = APIClient()
    client.credentials(HTTP_COVERDESK_KEY="pk_cd_nope")
    assert client.get("/api/v1/widget/config/").status_code == 401


def _checkout(browser, cart_id):
    [offer] = offers(browser)
    body = {
        "cart_id": cart_id,
        "jurisdiction": "US-CA",
        "accepted_terms": True,
        "customer": {"email": "zoe@example.com"},
        "lines": [
            {
                "offer_token": offer["offer_token"],
                "terms_sha256": offer["terms_sha256"],
                "quantity": 1,
            }
        ],
    }
    assert browser.post("/api/v1/widget/checkout/", body, format="json").status_code == 201


def test_paying_from_the_widget_activates_at_once(browser, stripe_api):
    from backend.contracts.models import Contract

    _checkout(browser, "cart-pay-0001")
    response = browser.post(
        "/api/v1/widget/pay/",
        {"cart_id": "cart-pay-0001", "payment_method": "pm_card_visa"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "succeeded"
    assert Contract.objects.get().state == "active"  # no need to wait for the webhook


def test_a_declined_card_is_402_and_leaves_payment_failed(browser, stripe_api):
    from backend.contracts.models import Contract

    _checkout(browser, "cart-pay-0002")
    response = browser.post(
        "/api/v1/widget/pay/",
        {"cart_id": "cart-pay-0002", "payment_method": "pm_card_chargeCustomerFail"},
        format="json",
    )
    assert response.status_code == 402
    assert response.json()["code"] == "card_declined"
    assert Contract.objects.get().state == "payment_failed"
