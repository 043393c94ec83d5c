"""Merchant statements from the ledger, closed once per period, and Connect payouts."""

import itertools
from datetime import date, timedelta

import pytest
import requests
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from backend.ledger.models import Entry, LedgerTransaction
from backend.settlement.choices import Cadence
from backend.settlement.models import MerchantSettlement, Payout, Statement
from backend.settlement.payouts import onboarding_start, payout_execute
from backend.settlement.periods import period_of, periods_between
from backend.settlement.statements import statement_close, statements_close_due
from backend.settlement.tasks import payouts_retry_task, statements_close_task
from tests import stripe_helpers as sh


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=800),
    cadence=st.sampled_from(Cadence),
)
def test_periods_follow_each_other_without_gap_or_overlap(start, days, cadence):
    first = period_of(start, cadence)[0]
    periods = periods_between(first, start + timedelta(days=days), cadence)
    for (s1, e1), (s2, _e2) in itertools.pairwise(periods):
        assert e1 == s2 and s1 < e1
    for s, e in periods:
        assert s.day in (1, 16) and e.day in (1, 16)
        if cadence == Cadence.MONTHLY:
            assert s.day == 1 and e.day == 1
    if periods:
        assert periods[-1][1] <= start + timedelta(days=days) < periods[-1][1] + timedelta(days=32)


def _owed(merchant) -> int:
    entries = Entry.objects.filter(
        account__purpose="owed_to_merchant", account__merchant_id=merchant.pk
    )
    return -sum(entries.values_list("amount", flat=True))


def _next_period_start() -> date:
    return period_of(timezone.localdate(), Cadence.MONTHLY)[1]


pytestmark = pytest.mark.django_db(transaction=True)


def test_a_period_closes_once_and_a_late_refund_falls_to_the_next(paid_order, api, plan, merchant):
    plan.merchant_commission_bp = 2_000
    plan.save()
    _intent, [number, _other] = paid_order("ST-1")
    this_period = period_of(timezone.localdate(), Cadence.MONTHLY)

    [statement] = statements_close_due(today=_next_period_start())
    assert (statement.period_start, statement.period_end) == this_period
    assert statement.state == "closed" and statement.lines_count == 2
    assert statement.sales == 19_998 and statement.commission == 2 * 1_999
    assert statement.closing_balance == 3_998 == _owed(merchant)
    assert statement.payout.amount == 3_998 and statement.payout.state == "due"
    assert statements_close_due(today=_next_period_start()) == []  # closed once

    # A cancellation after the close (its refund dated in the closed period) changes
    # nothing there: it is the next statement's.
    assert api.post(f"/api/v1/contracts/{number}/cancel/", {}, format="json").status_code == 200
    again = statement_close(merchant_id=merchant.pk, currency="USD", period=this_period)
    assert again.pk == statement.pk and again.clawbacks == 0 and again.closing_balance == 3_998
    following = statement_close(
        merchant_id=merchant.pk, currency="USD", period=_following(this_period)
    )
    assert following.opening_balance == 3_998
    assert following.clawbacks == -1_999 and following.refunds == 9_999
    # Its balance is still owed, but the first payout is still due for most of it.
    assert following.closing_balance == 1_999
    assert not Payout.objects.filter(statement=following).exists()


def _onboard(merchant) -> None:
    url = onboarding_start(merchant=merchant, return_url="http://x/back", refresh_url="http://x/")
    assert requests.post(url, allow_redirects=False, timeout=5).status_code == 302


def _following(period: tuple[date, date]) -> tuple[date, date]:
    return period[1], period_of(period[1], Cadence.MONTHLY)[1]


def test_clawbacks_above_the_commission_carry_a_negative_balance_forward(
    paid_order, api, plan, merchant
):
    plan.merchant_commission_bp = 2_000
    plan.save()
    _onboard(merchant)
    _intent, [first, second] = paid_order("ST-2")
    period = period_of(timezone.localdate(), Cadence.MONTHLY)
    paid = statement_close(merchant_id=merchant.pk, currency="USD", period=period)
    assert payout_execute(payout_id=paid.payout.pk).state == "paid"
    # Both contracts cancelled in the free look after the commission was paid out.
    for number in (first, second):
        assert api.post(f"/api/v1/contracts/{number}/cancel/", {}, format="json").status_code == 200
    negative = statement_close(merchant_id=merchant.pk, currency="USD", period=_following(period))
    assert negative.opening_balance == 3_998
    assert negative.payouts == -3_998 and negative.clawbacks == -3_998
    assert negative.closing_balance == -3_998 == _owed(merchant)
    assert not hasattr(negative, "payout") or negative.payout is None
    # Carried forward, never lost: the next statement opens owing it.
    carried = statement_close(
        merchant_id=merchant.pk, currency="USD", period=_following(_following(period))
    )
    assert carried.opening_balance == carried.closing_balance == -3_998
    assert Payout.objects.count() == 1


def test_a_payout_waits_for_onboarding_then_is_paid_once_through_connect(
    paid_order, plan, merchant
):
    plan.merchant_commission_bp = 2_500
    plan.save()
    paid_order("ST-3")
    statements_close_task.apply()  # not yet due: the period runs
    assert not Statement.objects.exists()
    [statement] = statements_close_due(today=_next_period_start())
    payout = statement.payout

    payout = payout_execute(payout_id=payout.pk)
    assert payout.state == "due" and payout.failure_code == "account_not_onboarded"
    assert "setting up payouts" in payout.failure_message

    url = onboarding_start(
        merchant=merchant, return_url="http://x/back", refresh_url="http://x/again"
    )
    assert requests.post(url, allow_redirects=False, timeout=5).status_code == 302
    payout.last_attempt_at = timezone.now() - timedelta(hours=2)
    payout.save(update_fields=["last_attempt_at"])
    assert payouts_retry_task.apply().get() == 1
    payout.refresh_from_db()
    assert payout.state == "paid" and payout.stripe_transfer_id.startswith("tr_")
    settlement = MerchantSettlement.objects.get(merchant=merchant)
    assert settlement.transfers_active
    [transfer] = (
        sh.client().v1.transfers.list(params={"transfer_group": payout.transfer_group}).data
    )
    assert transfer.amount == payout.amount == 4_998
    assert transfer.destination == settlement.stripe_account_id
    assert _owed(merchant) == 0
    assert LedgerTransaction.objects.get(kind="payout").reference == transfer.id

    assert payout_execute(payout_id=payout.pk).state == "paid"  # once
    assert len(sh.client().v1.transfers.list().data) == 1
