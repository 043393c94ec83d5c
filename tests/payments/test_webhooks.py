"""Stripe webhooks in: signatures, replays, duplicates, ordering, and chaos."""

import random
import time

import pytest

from backend.contracts.models import Contract, ContractEvent
from backend.payments.models import Payment, Refund, StripeEvent
from tests import stripe_helpers as sh

pytestmark = pytest.mark.django_db


def test_bad_signature_is_400_and_stores_nothing(client, stripe_api):
    evt = sh.event("payment_intent.succeeded", {"id": "pi_x", "object": "payment_intent"})
    response = sh.deliver(client, evt, secret="whsec_someone_else")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert not StripeEvent.objects.exists()


def test_missing_signature_and_malformed_body(client, db):
    response = client.post("/api/v1/webhooks/stripe/", data=b"{}", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_signature"
    body, header = b"not json", sh.signed({})[1]
    response = client.post(
        "/api/v1/webhooks/stripe/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xd7\xfb binary",
        b"[1, 2]",
        b'{"type": "payment_intent.succeeded"}',
        b'{"id": 7, "type": 1}',
    ],
)
def test_a_signed_body_that_is_not_an_event_is_400(client, db, body):
    payload, header = sh.signed(body)
    response = client.post(
        "/api/v1/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400 and response.json()["code"] == "malformed_request"
    assert not StripeEvent.objects.exists()


def test_a_replayed_old_event_is_refused(client, db):
    evt = sh.event("payment_intent.succeeded", {"id": "pi_x", "object": "payment_intent"})
    response = sh.deliver(client, evt, timestamp=int(time.time()) - 3600)
    assert response.status_code == 400 and response.json()["code"] == "invalid_signature"
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize(("offset", "accepted"), [(3600, False), (301, False), (120, True)])
def test_an_event_dated_in_the_future_is_refused_past_the_tolerance(client, db, offset, accepted):
    evt = sh.event("customer.created", {"id": "cus_future"})
    response = sh.deliver(client, evt, timestamp=int(time.time()) + offset)
    if accepted:  # a sender's clock a little ahead is within the tolerance
        assert response.status_code == 200
    else:
        assert response.status_code == 400 and response.json()["code"] == "invalid_signature"
        assert not StripeEvent.objects.exists()


def test_unknown_event_types_are_stored_and_ignored(client, db):
    response = sh.deliver(client, sh.event("customer.created", {"id": "cus_1"}))
    assert response.status_code == 200
    assert StripeEvent.objects.get().status == "ignored"


def test_a_duplicate_event_is_a_no_op(paid_order, client):
    intent_id, numbers = paid_order()
    evt = sh.intent_event("payment_intent.succeeded", intent_id, event_id="evt_dupe")
    assert sh.deliver(client, evt).json()["duplicate"] is False
    assert sh.deliver(client, evt).json()["duplicate"] is True
    assert StripeEvent.objects.filter(event_id="evt_dupe").count() == 1
    assert ContractEvent.objects.filter(name="activate").count() == len(numbers)


def test_a_late_failure_after_success_changes_nothing(paid_order, client):
    intent_id, _numbers = paid_order()
    sh.deliver(client, sh.intent_event("payment_intent.payment_failed", intent_id))
    assert Payment.objects.get().state == "succeeded"
    assert set(Contract.objects.values_list("state", flat=True)) == {"active"}


def test_a_dispute_voids_the_contracts_and_flags_them(paid_order, client):
    intent_id, _numbers = paid_order()
    dispute = {
        "id": "dp_1",
        "object": "dispute",
        "charge": "ch_1",
        "payment_intent": intent_id,
        "reason": "fraudulent",
    }
    sh.deliver(client, sh.event("charge.dispute.created", dispute))
    contracts = Contract.objects.all()
    assert {c.state for c in contracts} == {"voided"}
    assert all(c.flagged_for_desk and "fraudulent" in c.flag_reason for c in contracts)
    assert Payment.objects.get().state == "disputed"
    # A success arriving after the dispute never re-activates anything.
    sh.deliver(client, sh.intent_event("payment_intent.succeeded", intent_id))
    assert {c.state for c in Contract.objects.all()} == {"voided"}


def test_chaos_every_event_three_times_shuffled_with_forgeries(
    stripe_api, put_order, order_body, client, api, django_capture_on_commit_callbacks
):
    """Three orders: one paid, one declined then abandoned, one paid then cancelled and
    refunded. Every event is delivered three times in random order, with forged events
    (wrong secret, stale timestamp, altered body) mixed in."""
    rng = random.Random(1234)
    events = []
    intents = {}
    for order_id, card in (("CH-1", None), ("CH-2", sh.DECLINED_CARD), ("CH-3", None)):
        body = put_order(order_id, order_body(quantity=2)).json()
        intent = body["payment"]["client_secret"].split("_secret")[0]
        intents[order_id] = intent
        sh.pay(intent, card=card)
        kind = "payment_intent.payment_failed" if card else "payment_intent.succeeded"
        events.append(sh.intent_event(kind, intent))

    deliveries = [(evt, {}) for evt in events for _ in range(3)]
    forged = sh.intent_event("payment_intent.succeeded", intents["CH-2"])
    forged["data"]["object"]["status"] = "succeeded"
    deliveries += [
        (forged, {"secret": "whsec_attacker"}),
        (forged, {"timestamp": int(time.time()) - 7200}),
    ]
    rng.shuffle(deliveries)
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [sh.deliver(client, evt, **kw).status_code for evt, kw in deliveries]
    assert statuses.count(400) == 2 and statuses.count(200) == len(deliveries) - 2

    states = dict(
        Contract.objects.values_list("order_line__order__merchant_order_id", "state").distinct()
    )
    assert states == {"CH-1": "active", "CH-2": "payment_failed", "CH-3": "active"}
    assert ContractEvent.objects.filter(name="activate").count() == 4  # never twice

    # Cancel CH-3's contracts through the merchant API; Stripe then confirms each refund
    # three times, shuffled.
    numbers = Contract.objects.filter(order_line__order__merchant_order_id="CH-3").values_list(
        "number", flat=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        for number in numbers:
            response = api.post(f"/api/v1/contracts/{number}/cancel/", {}, format="json")
            assert response.status_code == 200, response.json()
    refunds = list(Refund.objects.all())
    assert len(refunds) == 2 and {r.state for r in refunds} == {"succeeded"}
    charge = sh.client().v1.payment_intents.retrieve(intents["CH-3"]).latest_charge
    charge_id = charge if isinstance(charge, str) else charge.id
    refunded = sh.event(
        "charge.refunded",
        {
            "id": charge_id,
            "object": "charge",
            "payment_intent": intents["CH-3"],
            "amount_refunded": sum(r.amount for r in refunds),
            "refunds": {"data": [{"id": r.stripe_refund_id} for r in refunds]},
        },
    )
    again = [refunded] * 3
    rng.shuffle(again)
    for evt in again:
        assert sh.deliver(client, evt).status_code == 200
    assert Refund.objects.filter(state="succeeded").count() == 2
    stripe_refunds = sh.client().v1.refunds.list(params={"payment_intent": intents["CH-3"]})
    assert len(stripe_refunds.data) == 2  # one Stripe refund per contract, never more
