"""The money's whole way against the Stripe emulator: a sale, its premium earned, a
cancellation, the statement and the merchant's Connect payout, with the ledger's cash
equal to Stripe's own balance at every step; and a repair partner paid for a repair."""

from datetime import timedelta

import pytest
import requests
from django.db.models import Sum
from django.utils import timezone

from backend.accounts.choices import Role
from backend.claims.desk import claim_approve
from backend.claims.fulfilment import claim_fulfil, resolution_update
from backend.claims.models import RepairPartner
from backend.common.actors import Actor, ActorKind
from backend.contracts.models import Contract
from backend.ledger.earning import earning_post
from backend.ledger.models import EarningDay, Entry, LedgerTransaction
from backend.ledger.reconciliation import stripe_reconcile
from backend.settlement.choices import Cadence
from backend.settlement.claim_payouts import partner_onboarding_start
from backend.settlement.models import ClaimPayout
from backend.settlement.payouts import onboarding_start, payout_execute
from backend.settlement.periods import period_of
from backend.settlement.statements import statement_close
from tests import stripe_helpers as sh
from tests.claims.test_claims_and_cancellation import _claimable, _in_review

pytestmark = pytest.mark.django_db(transaction=True)


def _balance(purpose: str) -> int:
    total = Entry.objects.filter(account__purpose=purpose).aggregate(t=Sum("amount"))["t"]
    return total or 0


def _stripe_balance() -> int:
    [available] = sh.client().v1.balance.retrieve().available
    return available.amount


def test_sale_earning_cancellation_statement_and_connect_payout(paid_order, api, plan, merchant):
    plan.merchant_commission_bp, plan.administrator_fee_bp = 2_000, 1_000
    plan.save()
    _intent, [_kept, cancelled] = paid_order("FLOW-1")
    today = timezone.localdate()
    EarningDay.objects.filter(day__gte=today - timedelta(days=1)).delete()
    earning_post(today)  # a day of premium earned (coverage has started)
    assert api.post(f"/api/v1/contracts/{cancelled}/cancel/", {}, format="json").status_code == 200
    stripe_reconcile(timezone.now().date())  # Stripe's fee posted as Stripe took it
    assert _balance("stripe_cash") == _stripe_balance()

    period = period_of(today, Cadence.MONTHLY)
    statement = statement_close(merchant_id=merchant.pk, currency="USD", period=period)
    assert statement.commission == 2 * 1_999 and statement.clawbacks == -1_999
    assert statement.closing_balance == 1_999
    url = onboarding_start(merchant=merchant, return_url="http://x/", refresh_url="http://x/")
    requests.post(url, allow_redirects=False, timeout=5)
    payout = payout_execute(payout_id=statement.payout.pk)
    assert payout.state == "paid"
    # The merchant is paid what it is owed; the ledger's cash is still Stripe's balance.
    assert _balance("owed_to_merchant") == 0
    assert _balance("stripe_cash") == _stripe_balance()
    assert stripe_reconcile(timezone.now().date()).differences.count() == 0
    # Refund plus retained plus the obligor's earned and unearned premium: the two prices.
    assert (
        -sum(
            _balance(p)
            for p in ("owed_to_obligor", "obligor_unearned_premium", "administrator_revenue")
        )
        + 9_999
        + 1_999
        == 2 * 9_999
    )
    assert LedgerTransaction.objects.filter(kind="earning").exists()


def test_a_repair_partners_invoice_is_paid_once_by_connect_transfer(paid_order, make_user, plan):
    agent = Actor.person(ActorKind.STAFF, make_user(Role.DESK_AGENT))
    partner = RepairPartner.objects.create(name="FixIt Ltd", email="fix@example.com")
    url = partner_onboarding_start(partner=partner, return_url="http://x/")
    requests.post(url, allow_redirects=False, timeout=5)
    _intent, [number] = paid_order("FLOW-2", quantity=1)
    claim = _in_review(_claimable(Contract.objects.get(number=number)), agent)
    claim_approve(claim_id=claim.pk, actor=agent, amount=4_000, resolution="repair")
    claim_fulfil(claim_id=claim.pk, actor=agent, partner=partner)
    resolution_update(claim_id=claim.pk, actor=agent, action="complete")
    payout = ClaimPayout.objects.get(claim=claim)
    assert payout.method == "connect" and payout.state == "paid"
    [transfer] = sh.client().v1.transfers.list().data
    assert transfer.amount == 4_000 and transfer.id == payout.stripe_transfer_id
    assert _balance("claims_payable") == 0  # owed at approval, paid at the repair's end
    assert LedgerTransaction.objects.filter(kind="payout", reference=transfer.id).count() == 1
