"""The daily reconciliation with Stripe's balance transactions, against the emulator."""

import time

import pytest
from django.db.models import Sum
from django.utils import timezone

from backend.contracts.models import Contract
from backend.ledger.choices import DifferenceKind
from backend.ledger.models import Difference, Entry, LedgerTransaction
from backend.ledger.reconciliation import difference_resolve, stripe_reconcile
from backend.ledger.tasks import ledger_reconcile_stripe_task
from backend.payments.models import Payment
from tests import stripe_helpers as sh

pytestmark = pytest.mark.django_db(transaction=True)


def _cash() -> int:
    cash = Entry.objects.filter(account__purpose="stripe_cash")
    return cash.aggregate(total=Sum("amount"))["total"] or 0


def test_a_day_of_sales_and_refunds_reconciles_and_posts_stripes_fees_once(paid_order, api):
    intent_id, [number, _other] = paid_order("RECON-1")
    assert api.post(f"/api/v1/contracts/{number}/cancel/", {}, format="json").status_code == 200
    today = timezone.now().date()

    run = stripe_reconcile(today)
    assert run.stripe_entries == 2 and run.fees_posted == 1  # the charge and the refund
    assert list(run.differences.all()) == []
    [fee] = LedgerTransaction.objects.filter(kind="fee")
    assert fee.reference == intent_id
    # Stripe's price for a US card: 2.9% + 30 cents of the 199.98 charged.
    assert {e.account.purpose: e.amount for e in fee.entries.all()} == {
        "stripe_fees": 610,
        "stripe_cash": -610,
    }
    # The ledger's cash at Stripe is Stripe's own balance.
    [available] = sh.client().v1.balance.retrieve().available
    assert _cash() == available.amount == 19_998 - 9_999 - 610

    stripe_reconcile(today)  # run again: the fee is not posted twice
    assert LedgerTransaction.objects.filter(kind="fee").count() == 1


def test_what_stripe_and_the_ledger_disagree_on_is_listed_and_kept_once_resolved(
    paid_order, make_user
):
    intent_id, _numbers = paid_order("RECON-2", quantity=1)
    stripe = sh.client().v1
    # Money that moved at Stripe behind Coverdesk's back: a refund made in the dashboard.
    stray = stripe.refunds.create(params={"payment_intent": intent_id, "amount": 500})
    # And a sale the ledger recorded under an intent Stripe never charged.
    sale = LedgerTransaction.objects.get(kind="sale")
    LedgerTransaction.objects.filter(pk=sale.pk).update(reference="pi_unknown")
    today = timezone.now().date()

    run = stripe_reconcile(today)
    found = {
        (d.kind, d.what, d.reference): (d.stripe_amount, d.ledger_amount)
        for d in run.differences.all()
    }
    assert found == {
        (DifferenceKind.MISSING_IN_LEDGER, "charge", intent_id): (9_999, None),
        (DifferenceKind.MISSING_IN_LEDGER, "refund", stray.id): (-500, None),
        (DifferenceKind.MISSING_AT_STRIPE, "charge", "pi_unknown"): (None, 9_999),
    }
    finance = make_user()
    refund_difference = Difference.objects.get(what="refund")
    difference_resolve(
        difference_id=refund_difference.pk, user=finance, note="Goodwill refund in the dashboard"
    )
    assert ledger_reconcile_stripe_task(today.isoformat()) == 3
    kept = Difference.objects.get(what="refund")
    assert kept.pk == refund_difference.pk and kept.resolved_by == finance
    assert Difference.objects.filter(resolved_at__isnull=True).count() == 2


def _dispute_of(intent_id: str) -> dict:
    """The dispute the emulator opens on a charge of Stripe's dispute test card, a moment
    after the charge (as the shopper's bank would)."""
    for _attempt in range(50):
        listed = sh.client().v1.disputes.list(params={"payment_intent": intent_id}).data
        if listed:
            return listed[0].to_dict()
        time.sleep(0.1)
    raise AssertionError(f"no dispute of {intent_id}")


def test_a_chargeback_reconciles_with_stripes_dispute_and_its_fee(paid_order, client):
    intent_id, numbers = paid_order("RECON-D", card="4000000000000259")
    dispute = _dispute_of(intent_id)
    assert (dispute["reason"], dispute["amount"]) == ("fraudulent", 19_998)
    sh.deliver(client, sh.event("charge.dispute.created", dispute))
    assert set(Contract.objects.filter(number__in=numbers).values_list("state", flat=True)) == {
        "voided"
    }
    assert (
        Payment.objects.get(stripe_payment_intent_id=intent_id).stripe_dispute_id == dispute["id"]
    )
    chargebacks = LedgerTransaction.objects.filter(kind="chargeback")
    assert chargebacks.count() == 2 and {t.reference for t in chargebacks} == {dispute["id"]}
    run = stripe_reconcile(timezone.now().date())
    assert list(run.differences.all()) == []
    assert run.fees_posted == 2  # the charge's processing fee and the dispute fee
    dispute_fee = LedgerTransaction.objects.get(kind="fee", reference=dispute["id"])
    assert {e.account.purpose: e.amount for e in dispute_fee.entries.all()} == {
        "stripe_fees": 1_500,
        "stripe_cash": -1_500,
    }
    # Cash at Stripe is Stripe's own balance: the charge, less its fee, the withdrawal and
    # the dispute fee.
    [available] = sh.client().v1.balance.retrieve().available
    assert _cash() == available.amount == 19_998 - 610 - 19_998 - 1_500
