"""Cancellations, refunds and chargebacks in the ledger, and the daily earning of premium."""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from backend.accounts.choices import Role
from backend.claims.desk import claim_approve
from backend.common.actors import Actor, ActorKind
from backend.contracts.models import Contract
from backend.ledger.earning import contract_unearned, earning_catch_up, earning_post
from backend.ledger.models import EarningDay, Entry, LedgerTransaction
from backend.ledger.postings import cancellation_lines, chargeback_lines, sale_lines
from backend.payments.models import Payment, Refund
from backend.payments.services import payment_disputed
from backend.plans.choices import Clawback
from backend.plans.split import SplitRates, refund_shares, split_price
from tests import stripe_helpers as sh
from tests.claims.test_claims_and_cancellation import _claimable, _in_review


@st.composite
def splits(draw):
    price = draw(st.integers(min_value=0, max_value=10**9))
    commission = draw(st.integers(min_value=0, max_value=10_000))
    fee = draw(st.integers(min_value=0, max_value=10_000 - commission))
    rules = (draw(st.sampled_from(Clawback)), draw(st.sampled_from(Clawback)))
    return split_price(price, "EUR", SplitRates(commission, fee), rules).as_dict()


@given(split=splits(), data=st.data())
def test_a_refund_is_shared_back_by_the_rules_and_always_sums_to_the_refund(split, data):
    refund = data.draw(st.integers(min_value=0, max_value=split["price"]))
    free_look = data.draw(st.booleans())
    shares = refund_shares(split, refund=refund, free_look=free_look)
    assert shares.total == refund
    assert min(shares.merchant_commission, shares.administrator_fee, shares.net_premium) >= 0
    assert shares.merchant_commission <= split["merchant_commission"]
    assert shares.administrator_fee <= split["administrator_fee"]
    rule = split["clawback_in_free_look" if free_look else "clawback_after_free_look"]
    if rule == Clawback.NONE:
        assert shares.merchant_commission == 0
    elif rule == Clawback.FULL:
        assert shares.merchant_commission == min(split["merchant_commission"], refund)
    elif split["price"]:
        exact = split["merchant_commission"] * refund / split["price"]
        assert shares.merchant_commission <= exact < shares.merchant_commission + 1


@given(split=splits(), data=st.data())
def test_sale_then_cancellation_balances_and_leaves_refund_plus_retained_equal_to_price(
    split, data
):
    refund = data.draw(st.integers(min_value=0, max_value=split["price"]))
    unearned = data.draw(st.integers(min_value=0, max_value=split["net_premium"]))
    free_look = data.draw(st.booleans())
    books = defaultdict(int)
    # Earning moved (net - unearned) from unearned to earned before the cancellation.
    books["obligor_unearned_premium"] += split["net_premium"] - unearned
    books["owed_to_obligor"] -= split["net_premium"] - unearned
    for rule in (
        sale_lines(split),
        cancellation_lines(split, refund=refund, free_look=free_look, unearned=unearned),
    ):
        assert sum(rule.values()) == 0  # every transaction balances
        for purpose, amount in rule.items():
            books[purpose] += amount
    assert books["obligor_unearned_premium"] == 0  # nothing left to earn
    retained = -(books["owed_to_merchant"] + books["administrator_revenue"])
    earned = -books["owed_to_obligor"]
    assert refund + retained + earned == split["price"]
    assert -books["refunds_payable"] == refund == books["stripe_cash"] - split["price"] + refund


@given(split=splits(), data=st.data())
def test_a_chargeback_takes_everything_back(split, data):
    unearned = data.draw(st.integers(min_value=0, max_value=split["net_premium"]))
    books = defaultdict(int)
    books["obligor_unearned_premium"] += split["net_premium"] - unearned
    books["owed_to_obligor"] -= split["net_premium"] - unearned
    for rule in (sale_lines(split), chargeback_lines(split, unearned=unearned)):
        assert sum(rule.values()) == 0
        for purpose, amount in rule.items():
            books[purpose] += amount
    assert not any(books.values())


def _balance(purpose: str, **party) -> int:
    entries = Entry.objects.filter(
        account__purpose=purpose, **{f"account__{k}": v for k, v in party.items()}
    )
    return entries.aggregate(total=Sum("amount"))["total"] or 0


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_contract_posts_its_refund_and_cash_matches_stripe(
    paid_order, api, plan, merchant, django_capture_on_commit_callbacks
):
    plan.merchant_commission_bp, plan.administrator_fee_bp = 2_000, 1_000
    plan.save()
    intent_id, [number, _other] = paid_order("LEDGER-C1")
    response = api.post(f"/api/v1/contracts/{number}/cancel/", {}, format="json")
    assert response.status_code == 200, response.json()
    refund = Refund.objects.get()
    assert refund.state == "succeeded" and refund.amount == 9_999  # in the free look

    cancelled = LedgerTransaction.objects.get(kind="cancellation")
    lines = {e.account.purpose: e.amount for e in cancelled.entries.select_related("account")}
    assert lines == {
        "owed_to_merchant": 1_999,  # the full commission, clawed back in the free look
        "administrator_revenue": 999,
        "obligor_unearned_premium": 7_001,
        "refunds_payable": -9_999,
    }
    paid = LedgerTransaction.objects.get(kind="refund")
    assert paid.reference == refund.stripe_refund_id
    assert LedgerTransaction.objects.filter(kind="sale", reference=intent_id).count() == 2
    # The ledger's cash is what Stripe charged less what it refunded.
    stripe = sh.client().v1
    charged = stripe.payment_intents.retrieve(intent_id).amount
    refunded = sum(r.amount for r in stripe.refunds.list(params={"payment_intent": intent_id}).data)
    assert _balance("stripe_cash") == charged - refunded == 9_999
    assert _balance("refunds_payable") == 0
    assert _balance("owed_to_merchant", merchant_id=merchant.pk) == -1_999  # the other sale's


@pytest.mark.django_db(transaction=True)
def test_premium_is_earned_day_by_day_and_a_cancellation_stops_it(sell, api):
    old, recent = sell(days_ago=200), sell(email="bo@example.com", days_ago=20)
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)

    result = earning_post(yesterday)
    assert result.posted == 1
    contracts = Contract.objects.filter(pk__in=[old.pk, recent.pk])
    expected = sum(contract_unearned(c, today) for c in contracts)
    assert -_balance("obligor_unearned_premium") == expected
    earned = -_balance("owed_to_obligor")
    assert earned + expected == old.price + recent.price
    assert earning_post(yesterday) is None  # once per day
    assert earning_post(yesterday - timedelta(days=3)) is None  # and in order

    # Cancelled after its free look: the refund is pro rata, and its premium leaves.
    response = api.post(f"/api/v1/contracts/{old.number}/cancel/", {}, format="json")
    assert response.status_code == 200, response.json()
    refund = Refund.objects.get(contract=old)
    assert 0 < refund.amount < old.price
    EarningDay.objects.filter(day=yesterday).delete()  # earn the day again, as if it were today
    earning_post(yesterday)
    recent.refresh_from_db()
    assert -_balance("obligor_unearned_premium") == contract_unearned(recent, today)
    # Refund plus what the obligor earned plus what is unearned is the price of both.
    assert (
        refund.amount - _balance("owed_to_obligor") - _balance("obligor_unearned_premium")
        == old.price + recent.price
    )


@pytest.mark.django_db(transaction=True)
def test_the_daily_run_catches_up_on_missed_days_once(sell):
    sell(days_ago=100)
    today = timezone.localdate()
    EarningDay.objects.create(day=today - timedelta(days=5))
    days = [r.day for r in earning_catch_up(today=today)]
    assert days == [today - timedelta(days=n) for n in (4, 3, 2, 1)]
    assert earning_catch_up(today=today) == []
    assert LedgerTransaction.objects.filter(kind="earning").count() == 4


@pytest.mark.django_db(transaction=True)
def test_a_chargeback_reverses_the_sale_in_full(paid_order, plan):
    plan.merchant_commission_bp = 2_500
    plan.save()
    intent_id, _numbers = paid_order("LEDGER-D1", quantity=1)
    payment_disputed(payment_intent_id=intent_id, actor=Actor.system("stripe"), reason="fraudulent")
    assert Contract.objects.get().state == "voided"
    assert LedgerTransaction.objects.filter(kind="chargeback", reference=intent_id).count() == 1
    for purpose in ("stripe_cash", "owed_to_merchant", "obligor_unearned_premium"):
        assert _balance(purpose) == 0
    assert Payment.objects.get().state == "disputed"


@pytest.mark.django_db(transaction=True)
def test_an_approved_claim_is_owed_from_the_obligors_funds_once(sell, make_user):
    agent = Actor.person(ActorKind.STAFF, make_user(Role.DESK_AGENT))
    contract = _claimable(sell())
    claim = _in_review(contract, agent)
    claim_approve(claim_id=claim.pk, actor=agent, amount=2_000, resolution="reimburse")
    posted = LedgerTransaction.objects.get(kind="claim")
    assert posted.description == claim.number
    assert {e.account.purpose: e.amount for e in posted.entries.select_related("account")} == {
        "owed_to_obligor": 2_000,
        "claims_payable": -2_000,
    }
