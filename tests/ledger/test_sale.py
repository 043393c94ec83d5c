"""A sale posts to the ledger once per contract, from the split the contract snapshotted."""

import pytest

from backend.contracts.models import Contract
from backend.events import delivery
from backend.events.models import Delivery
from backend.ledger.models import Entry, LedgerTransaction
from backend.ledger.postings import sale_post
from backend.plans.models import MerchantPlan

pytestmark = pytest.mark.django_db(transaction=True)


def _entries(contract) -> dict[str, int]:
    posted = LedgerTransaction.objects.get(source=f"contract:{contract.pk}:sale")
    return {e.account.purpose: e.amount for e in posted.entries.select_related("account")}


def test_each_activated_contract_posts_its_sale_once(paid_order, plan, merchant):
    plan.merchant_commission_bp, plan.administrator_fee_bp = 2_500, 1_000
    plan.save()
    MerchantPlan.objects.filter(plan=plan, merchant=merchant).update(merchant_commission_bp=3_000)
    paid_order("LEDGER-1", quantity=2)
    contracts = list(Contract.objects.filter(state="active"))
    assert len(contracts) == 2
    for contract in contracts:
        assert _entries(contract) == {
            "stripe_cash": 9_999,
            "owed_to_merchant": -2_999,
            "obligor_unearned_premium": -6_001,
            "administrator_revenue": -999,
        }
    # Cash at Stripe equals what the shopper was charged.
    cash = sum(
        Entry.objects.filter(account__purpose="stripe_cash").values_list("amount", flat=True)
    )
    assert cash == 2 * 9_999
    # A redelivered event, or the rule run again, posts nothing more.
    first = Delivery.objects.filter(subscriber="ledger.contracts").first()
    Delivery.objects.filter(pk=first.pk).update(state="pending", started_at=None)
    delivery.deliver(first.pk)
    sale_post(contract_id=contracts[0].pk)
    assert LedgerTransaction.objects.filter(kind="sale").count() == 2


def test_a_contract_sold_before_splits_owes_its_whole_price_to_the_obligor(
    stripe_api, put_order, order_body
):
    assert put_order("LEDGER-2", order_body(quantity=1)).status_code == 201
    contract = Contract.objects.get()  # pending: its sale is not posted yet
    snapshot = {k: v for k, v in contract.plan_snapshot.items() if k != "price_split"}
    Contract.objects.filter(pk=contract.pk).update(plan_snapshot=snapshot)
    sale_post(contract_id=contract.pk)
    assert _entries(contract) == {"stripe_cash": 9_999, "obligor_unearned_premium": -9_999}
