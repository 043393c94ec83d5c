"""Cancellation and refunds, expiry, transfer, reconciliation and e-mails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from backend.checkout.transfer import contract_transfer
from backend.common.actors import Actor
from backend.contracts.models import Contract, ContractEvent
from backend.contracts.services import contracts_expire_due
from backend.payments import refunds as payment_refunds
from backend.payments.models import Payment, Refund
from backend.payments.tasks import payments_reconcile_task, refunds_retry_and_accrue_task
from tests import stripe_helpers as sh

pytestmark = pytest.mark.django_db


def test_quote_then_cancel_refunds_once_through_stripe(
    paid_order, api, django_capture_on_commit_callbacks
):
    intent_id, [number, _other] = paid_order()
    quote = api.get(f"/api/v1/contracts/{number}/refund-quote/").json()
    assert quote["free_look"] is True and quote["pack"] == "US-CA"
    assert quote["total"] == 9_999 and quote["lines"][0]["amount_display"] == "$99.99"

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/contracts/{number}/cancel/",
            {"reason": "customer_request", "note": "Changed my mind"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["contract"]["state"] == "cancelled"
    assert body["refund"]["amount"] == 9_999
    refund = Refund.objects.get()
    assert refund.state == "succeeded" and refund.stripe_refund_id.startswith("re_")
    [stripe_refund] = sh.client().v1.refunds.list(params={"payment_intent": intent_id}).data
    assert stripe_refund.amount == 9_999
    event = ContractEvent.objects.get(name="cancel")
    assert event.actor_kind == "merchant" and event.reason == "Changed my mind"
    assert any("is cancelled" in m.subject for m in mail.outbox)
    assert "$99.99" in mail.outbox[-1].body


def test_cancelling_twice_is_409(paid_order, api, django_capture_on_commit_callbacks):
    _intent, [number, _] = paid_order()
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"/api/v1/contracts/{number}/cancel/", {}, format="json")
    response = api.post(f"/api/v1/contracts/{number}/cancel/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["state"] == "cancelled"
    assert Refund.objects.count() == 1


def test_unpaid_contracts_cannot_be_cancelled(stripe_api, put_order, order_body, api):
    number = put_order("U-1", order_body()).json()["contracts"][0]["number"]
    assert (
        api.post(f"/api/v1/contracts/{number}/cancel/", {}, format="json").json()["code"]
        == "invalid_transition"
    )
    assert api.get(f"/api/v1/contracts/{number}/refund-quote/").status_code == 409


def test_another_merchants_contract_is_not_found(paid_order, other_api):
    _intent, [number, _] = paid_order()
    for response in (
        other_api.get(f"/api/v1/contracts/{number}/"),
        other_api.get(f"/api/v1/contracts/{number}/refund-quote/"),
        other_api.post(f"/api/v1/contracts/{number}/cancel/", {}, format="json"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "contract_not_found"
    assert other_api.get("/api/v1/contracts/").json()["count"] == 0
    assert Contract.objects.filter(state="active").count() == 2


def test_a_refund_that_fails_stays_visible_and_is_retried(
    paid_order, api, settings, stripe_api, django_capture_on_commit_callbacks
):
    _intent, [number, _] = paid_order()
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # Stripe goes down
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/contracts/{number}/cancel/", {}, format="json")
    assert response.status_code == 200  # the cancellation itself is done
    refund = Refund.objects.get()
    assert refund.state == "failed" and refund.failure_message
    settings.STRIPE_API_BASE = stripe_api  # back up: the periodic task retries it
    refunds_retry_and_accrue_task()
    refund.refresh_from_db()
    assert refund.state == "succeeded"


def test_overdue_refunds_accrue_the_jurisdictions_penalty(
    paid_order, api, settings, django_capture_on_commit_callbacks
):
    _intent, [number, _] = paid_order()
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"/api/v1/contracts/{number}/cancel/", {}, format="json")
    refund = Refund.objects.get()
    Refund.objects.filter(pk=refund.pk).update(
        late_penalty_percent_per_month=10, due_at=timezone.now() - timedelta(days=40)
    )
    payment_refunds.refunds_accrue_penalties(now=timezone.now())
    payment_refunds.refunds_accrue_penalties(now=timezone.now())  # idempotent
    refund.refresh_from_db()
    assert refund.penalty_accrued == refund.amount * 10 * 2 // 100  # two started months


def test_expiry_is_batched_and_idempotent(paid_order):
    paid_order("EXP-1", quantity=3)
    end = Contract.objects.first().coverage_end
    assert contracts_expire_due(today=end - timedelta(days=1)) == 0
    assert contracts_expire_due(today=end, batch_size=2) == 3
    assert contracts_expire_due(today=end) == 0
    assert set(Contract.objects.values_list("state", flat=True)) == {"expired"}
    assert ContractEvent.objects.filter(name="expire", actor_kind="system").count() == 3


def test_transfer_keeps_the_contract_active_and_is_audited(paid_order):
    _intent, [number, _] = paid_order()
    contract = Contract.objects.get(number=number)
    contract_transfer(
        contract_id=contract.pk,
        actor=Actor.system("test"),
        new_owner={"email": "Bob@Example.com", "first_name": "Bob"},
        reason="Sold the phone",
    )
    contract.refresh_from_db()
    assert contract.state == "active" and contract.customer.email == "bob@example.com"
    event = ContractEvent.objects.get(name="transfer")
    assert event.reason == "Sold the phone" and event.data["to_customer"] == contract.customer_id


def test_reconciliation_activates_a_payment_whose_webhook_was_lost(
    stripe_api, put_order, order_body
):
    body = put_order("LOST-1", order_body()).json()
    intent_id = body["payment"]["client_secret"].split("_secret")[0]
    sh.pay(intent_id)  # paid, but Stripe's webhook never arrives
    Payment.objects.update(updated_at=timezone.now() - timedelta(minutes=10))
    assert payments_reconcile_task() == 1
    assert set(Contract.objects.values_list("state", flat=True)) == {"active"}
    assert ContractEvent.objects.filter(name="activate", actor_label="reconciliation").count() == 2
    assert payments_reconcile_task() == 0


def test_activation_email_is_in_the_shoppers_language(
    stripe_api, put_order, order_body, client, django_capture_on_commit_callbacks
):
    body = order_body()
    body["customer"]["locale"] = "pl"
    order = put_order("PL-1", body).json()
    intent_id = order["payment"]["client_secret"].split("_secret")[0]
    sh.pay(intent_id)
    with django_capture_on_commit_callbacks(execute=True):
        sh.deliver(client, sh.intent_event("payment_intent.succeeded", intent_id))
        sh.deliver(client, sh.intent_event("payment_intent.succeeded", intent_id))
    activated = [m for m in mail.outbox if order["contracts"][0]["number"] in m.subject]
    assert len(activated) == 1  # once, however many times the event arrives
    assert activated[0].to == ["ana@example.com"]


def test_staff_cancel_from_the_back_office(
    paid_order, admin_client, django_capture_on_commit_callbacks
):
    _intent, [number, other] = paid_order()
    contract = Contract.objects.get(number=number)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/contracts/contract/",
            {"action": "cancel_with_refund", "_selected_action": [contract.pk]},
            follow=True,
        )
    assert response.status_code == 200
    contract.refresh_from_db()
    assert contract.state == "cancelled"
    event = ContractEvent.objects.get(contract=contract, name="cancel")
    assert event.actor_kind == "staff" and event.actor_user is not None
    assert Contract.objects.get(number=other).state == "active"
