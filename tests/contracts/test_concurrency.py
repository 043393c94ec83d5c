"""Races on PostgreSQL: simultaneous cancellations, simultaneous order PUTs."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from backend.checkout.cancellation import contract_cancel
from backend.common.actors import Actor
from backend.contracts.models import Contract, Order
from backend.contracts.services import InvalidTransition
from backend.payments.models import Payment, Refund
from tests import stripe_helpers as sh

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(n, fn):
    """Run ``fn(i)`` in ``n`` threads released together; return results or exceptions."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - returned to the test to assert on
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_cancellations_at_once_refund_exactly_once(paid_order):
    _intent, [number, _] = paid_order()
    contract = Contract.objects.get(number=number)
    results = race(
        2,
        lambda i: contract_cancel(
            contract_id=contract.pk, actor=Actor.system(f"racer {i}"), reason="customer_request"
        ),
    )
    refused = [r for r in results if isinstance(r, InvalidTransition)]
    done = [r for r in results if isinstance(r, tuple)]
    assert len(done) == 1 and len(refused) == 1, results
    assert Refund.objects.filter(contract=contract).count() == 1


def put_at_once(n: int, order_id: str, body: dict, key: str) -> list:
    """The same order PUT by ``n`` clients released together (each its own connection)."""

    def put(_i):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        return client.put(f"/api/v1/orders/{order_id}/", body, format="json")

    return race(n, put)


def test_the_same_order_put_twice_at_once_makes_one_order_and_one_live_intent(
    stripe_api, order_body, api
):
    responses = put_at_once(3, "RACE-1", order_body(), api.key)
    assert all(not isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses).count(500) == 0
    assert {r.status_code for r in responses} <= {200, 201}
    assert Order.objects.count() == 1 and Contract.objects.count() == 2
    payment = Payment.objects.get()
    secrets = {r.json()["payment"]["client_secret"] for r in responses}
    assert secrets == {payment.client_secret}
    # localstripe ignores idempotency keys (Stripe honours them): the payment row is claimed
    # before Stripe is called, so exactly one intent exists, not one per racer.
    intents = sh.client().v1.payment_intents.list().data
    assert [i.id for i in intents] == [payment.stripe_payment_intent_id]


def test_ten_replays_of_one_order_put_at_once_create_exactly_one_intent(
    stripe_api, order_body, api
):
    responses = put_at_once(10, "REPLAY-10", order_body(), api.key)
    assert all(not isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200] * 9 + [201]
    payment = Payment.objects.get()
    assert {r.json()["payment"]["client_secret"] for r in responses} == {payment.client_secret}
    intents = sh.client().v1.payment_intents.list().data
    assert [i.id for i in intents] == [payment.stripe_payment_intent_id]
    assert intents[0].status != "canceled"
