"""Orders and payment against a real localstripe: upsert, idempotency, bad tokens, outages."""

import pytest
from django.core import signing

from backend.contracts.models import Contract, ContractEvent, Order
from backend.customers.models import ConsentRecord
from backend.payments.models import Payment
from backend.plans.offers import TOKEN_SALT
from backend.plans.terms import terms_sha256
from tests import stripe_helpers
from tests.checkout_fixtures import TERMS

pytestmark = pytest.mark.django_db


def test_put_creates_pending_contracts_and_a_payment_intent(stripe_api, put_order, order_body):
    response = put_order("A-1001", order_body(quantity=2))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["total"] == 2 * 9_999 and body["currency"] == "USD"
    assert body["payment"]["state"] == "requires_payment"
    assert body["payment"]["client_secret"].startswith("pi_")
    assert body["payment"]["publishable_key"] == "pk_test_coverdesk_tests"
    assert [c["state"] for c in body["contracts"]] == ["pending_payment"] * 2
    assert len({c["number"] for c in body["contracts"]}) == 2
    contract = Contract.objects.first()
    assert contract.plan_snapshot["cancellation_fee"] == 2_500
    assert contract.plan_snapshot["provider"]["insurer_name"]
    assert contract.limit_of_liability == 79_900 == contract.limit_remaining
    consent = ConsentRecord.objects.get(kind="terms_acceptance")
    assert consent.document_sha256 == terms_sha256("phone-2y", "US-CA", "en")
    assert consent.ip_address == "203.0.113.9" and consent.document_ref == "phone-2y@US-CA"
    assert ContractEvent.objects.filter(name="create").count() == 2


def test_resending_the_same_order_returns_the_same_contracts_and_one_intent(
    stripe_api, put_order, order_body
):
    first = put_order("A-1002", order_body()).json()
    again = put_order("A-1002", order_body())  # fresh offer tokens, same content
    assert again.status_code == 200
    assert [c["number"] for c in again.json()["contracts"]] == [
        c["number"] for c in first["contracts"]
    ]
    assert again.json()["payment"]["client_secret"] == first["payment"]["client_secret"]
    assert Order.objects.count() == 1 and Payment.objects.count() == 1
    assert Contract.objects.count() == 2


def test_same_order_id_with_other_lines_is_a_conflict(stripe_api, put_order, order_body):
    put_order("A-1003", order_body(quantity=1))
    response = put_order("A-1003", order_body(quantity=2))
    assert response.status_code == 409
    assert response.json()["code"] == "order_conflict"
    assert Contract.objects.count() == 1


def test_order_ids_are_per_merchant(stripe_api, put_order, order_body, other_api, offer):
    put_order("SAME-1", order_body())
    response = put_order("SAME-1", order_body(), client=other_api)
    assert response.status_code == 400  # the offer token belongs to the first merchant
    assert response.json()["code"] == "offer_token_wrong_merchant"
    assert other_api.get("/api/v1/orders/SAME-1/").status_code == 404


def _tampered(token: str, **changes) -> str:
    payload = signing.Signer(salt=TOKEN_SALT).unsign_object(token)
    payload.update(changes)
    return signing.Signer(key="not-our-secret", salt=TOKEN_SALT).sign_object(payload)


@pytest.mark.parametrize(
    ("mangle", "code"),
    [
        (lambda t: t[:-3] + "abc", "offer_token_invalid"),
        (lambda t: _tampered(t, pr=1), "offer_token_invalid"),
        (lambda t: "garbage", "offer_token_invalid"),
    ],
)
def test_forged_or_tampered_tokens_are_refused(stripe_api, put_order, order_body, mangle, code):
    body = order_body()
    body["lines"][0]["offer_token"] = mangle(body["lines"][0]["offer_token"])
    response = put_order("A-1004", body)
    assert response.status_code == 400 and response.json()["code"] == code
    assert not Order.objects.exists() and not Payment.objects.exists()


def test_expired_token_is_refused(stripe_api, put_order, order_body, settings, offer):
    from datetime import timedelta

    settings.OFFER_TOKEN_TTL = timedelta(seconds=-1)
    response = put_order("A-1005", order_body())
    assert response.status_code == 400
    assert response.json()["code"] == "offer_token_expired"


def test_token_must_match_jurisdiction_and_quantity(stripe_api, put_order, order_body, offer):
    body = order_body()
    body["lines"][0]["offer_token"] = offer(jurisdiction="US-NY")
    assert put_order("A-1006", body).json()["code"] == "offer_jurisdiction_mismatch"
    assert put_order("A-1007", order_body(quantity=4)).json()["code"] == "offer_quantity_exceeded"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {
                "terms_acceptance": {
                    **TERMS,
                    "accepted": False,
                }
            },
            "terms_acceptance",
        ),
        ({"customer": {"email": "not-an-email"}}, "customer"),
        ({"lines": []}, "lines"),
        ({"jurisdiction": "XX"}, "jurisdiction"),
    ],
)
def test_bad_order_bodies_name_the_field(stripe_api, put_order, order_body, change, field):
    response = put_order("A-1008", {**order_body(), **change})
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_payment_intent_succeeded_webhook_activates_the_contracts(
    stripe_api, put_order, order_body, client
):
    body = put_order("A-1009", order_body()).json()
    intent_id = body["payment"]["client_secret"].split("_secret")[0]
    assert stripe_helpers.pay(intent_id).status == "succeeded"
    response = stripe_helpers.deliver(
        client, stripe_helpers.intent_event("payment_intent.succeeded", intent_id)
    )
    assert response.status_code == 200 and response.json() == {"received": True, "duplicate": False}
    contracts = Contract.objects.all()
    assert {c.state for c in contracts} == {"active"}
    contract = contracts[0]
    assert contract.coverage_start.isoformat() == contract.purchased_at.date().isoformat()
    assert (contract.coverage_end - contract.coverage_start).days in (730, 731)
    assert (contract.waiting_period_ends - contract.coverage_start).days == 30
    assert Payment.objects.get().state == "succeeded"
    assert ContractEvent.objects.filter(name="activate", actor_kind="stripe").count() == 2


def test_a_declined_card_leaves_a_clean_retriable_payment_failed(
    stripe_api, put_order, order_body, client
):
    body = put_order("A-1010", order_body(quantity=1)).json()
    intent_id = body["payment"]["client_secret"].split("_secret")[0]
    stripe_helpers.pay(intent_id, card=stripe_helpers.DECLINED_CARD)
    stripe_helpers.deliver(
        client, stripe_helpers.intent_event("payment_intent.payment_failed", intent_id)
    )
    contract = Contract.objects.get()
    assert contract.state == "payment_failed"
    payment = Payment.objects.get()
    assert payment.state == "failed" and "declined" in payment.failure_message.lower()

    # The shopper tries another card and the same intent succeeds. (localstripe cannot
    # retry an intent after a failed charge, as Stripe can, so Stripe's event is signed here.)
    retried = stripe_helpers.intent_event("payment_intent.succeeded", intent_id)
    retried["data"]["object"]["status"] = "succeeded"
    stripe_helpers.deliver(client, retried)
    contract.refresh_from_db()
    assert contract.state == "active"
    order = put_order("A-1010", order_body(quantity=1)).json()  # a resend changes nothing
    assert order["payment"]["state"] == "succeeded"


def test_stripe_down_is_a_503_and_nothing_is_active(put_order, order_body, settings, stripe_api):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port
    response = put_order("A-1011", order_body())
    assert response.status_code == 503
    assert response.json()["code"] == "payment_provider_unavailable"
    assert Payment.objects.get().state == "creating"
    assert not Contract.objects.exclude(state="pending_payment").exists()

    settings.STRIPE_API_BASE = stripe_api  # Stripe is back: the resend finishes the job
    response = put_order("A-1011", order_body())
    assert response.status_code == 200
    assert response.json()["payment"]["state"] == "requires_payment"


def test_terms_that_changed_since_the_shopper_read_them_are_refused(
    stripe_api, put_order, order_body
):
    body = order_body()
    body["lines"][0]["terms_sha256"] = "0" * 64
    response = put_order("T-1", body)
    assert response.status_code == 409
    assert response.json()["code"] == "terms_changed"
    assert "terms_sha256" in response.json()["fields"]["lines"]["0"]
    assert not Order.objects.exists()


def test_terms_in_the_shoppers_language_are_accepted(stripe_api, put_order, order_body):
    body = order_body()
    body["lines"][0]["terms_sha256"] = terms_sha256("phone-2y", "US-CA", "pl")
    assert put_order("T-2", body).status_code == 201
    assert ConsentRecord.objects.get(kind="terms_acceptance").document_sha256 == (
        terms_sha256("phone-2y", "US-CA", "pl")
    )
