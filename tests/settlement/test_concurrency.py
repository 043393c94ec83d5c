"""Races on PostgreSQL: a period closing while a late refund posts, a money event posted by
several workers at once, a payout made by two workers at once."""

import pytest
import requests
from django.db.models import Sum
from django.utils import timezone

from backend.accounts.choices import Role
from backend.checkout.cancellation import contract_cancel
from backend.claims.desk import claim_approve
from backend.common.actors import Actor, ActorKind
from backend.contracts.models import Contract
from backend.ledger.models import Entry, LedgerTransaction
from backend.ledger.postings import sale_post
from backend.settlement.choices import Cadence
from backend.settlement.models import ClaimPayout, Statement, StatementLine
from backend.settlement.payouts import onboarding_start, payout_execute
from backend.settlement.periods import period_of
from backend.settlement.statements import statement_close
from tests import stripe_helpers as sh
from tests.claims.test_claims_and_cancellation import _cancel, _claimable, _in_review
from tests.contracts.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _merchant_entries(merchant):
    return Entry.objects.filter(
        account__purpose="owed_to_merchant", account__merchant_id=merchant.pk
    )


@pytest.mark.parametrize("attempt", range(3))
def test_a_period_closing_while_a_late_refund_posts_counts_it_exactly_once(
    paid_order, plan, merchant, attempt
):
    plan.merchant_commission_bp = 2_000
    plan.save()
    _intent, [number, _other] = paid_order(f"RACE-CLOSE-{attempt}")
    contract = Contract.objects.get(number=number)
    period = period_of(timezone.localdate(), Cadence.MONTHLY)

    def act(i):
        if i == 0:
            return statement_close(merchant_id=merchant.pk, currency="USD", period=period)
        return contract_cancel(
            contract_id=contract.pk, actor=Actor.system("race"), reason="customer_request"
        )

    results = race(2, act)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert LedgerTransaction.objects.filter(kind="cancellation").count() == 1
    following = (period[1], period_of(period[1], Cadence.MONTHLY)[1])
    statement_close(merchant_id=merchant.pk, currency="USD", period=following)
    # Every entry on the merchant's account is in exactly one statement ...
    entries = set(_merchant_entries(merchant).values_list("pk", flat=True))
    covered = list(StatementLine.objects.values_list("entry_id", flat=True))
    assert sorted(covered) == sorted(entries)
    # ... each statement's figures are its lines', and the chain of balances is the ledger's.
    for statement in Statement.objects.all():
        lines = statement.lines.aggregate(total=Sum("amount"))["total"] or 0
        assert statement.closing_balance == statement.opening_balance + lines
    last = Statement.objects.order_by("-period_start").first()
    owed = -(_merchant_entries(merchant).aggregate(total=Sum("amount"))["total"] or 0)
    assert last.closing_balance == owed == 1_999


def test_a_money_event_posted_by_four_workers_at_once_posts_once(stripe_api, put_order, order_body):
    assert put_order("RACE-POST", order_body(quantity=1)).status_code == 201
    contract = Contract.objects.get()  # pending: its sale is not posted yet
    results = race(4, lambda _i: sale_post(contract_id=contract.pk))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.pk for r in results}) == 1
    assert LedgerTransaction.objects.filter(kind="sale").count() == 1


def test_two_workers_paying_one_payout_transfer_once(paid_order, plan, merchant):
    plan.merchant_commission_bp = 2_500
    plan.save()
    url = onboarding_start(merchant=merchant, return_url="http://x/", refresh_url="http://x/")
    requests.post(url, allow_redirects=False, timeout=5)
    paid_order("RACE-PAY")
    period = period_of(timezone.localdate(), Cadence.MONTHLY)
    statement = statement_close(merchant_id=merchant.pk, currency="USD", period=period)
    results = race(2, lambda _i: payout_execute(payout_id=statement.payout.pk))
    assert not [r for r in results if isinstance(r, Exception)], results
    statement.payout.refresh_from_db()
    assert statement.payout.state == "paid"
    assert len(sh.client().v1.transfers.list().data) == 1
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1


@pytest.mark.parametrize("attempt", range(3))
def test_a_refund_and_a_claim_payout_at_once_leave_the_books_balanced(
    paid_order, make_user, attempt
):
    """A cancellation (with its refund) and a reimbursement's approval race: one of them
    happens, and the ledger holds exactly what did, never both."""
    agent = Actor.person(ActorKind.STAFF, make_user(Role.DESK_AGENT))
    _intent, [number] = paid_order(f"RACE-PAYOUT-{attempt}", quantity=1)
    contract = _claimable(Contract.objects.get(number=number))
    claim = _in_review(contract, agent)

    def act(i):
        if i == 0:
            return _cancel(contract)
        return claim_approve(claim_id=claim.pk, actor=agent, amount=3_000, resolution="reimburse")

    results = race(2, act)
    won = [r for r in results if not isinstance(r, Exception)]
    assert len(won) == 1, results
    cancelled = LedgerTransaction.objects.filter(kind="cancellation").exists()
    approved = LedgerTransaction.objects.filter(kind="claim").exists()
    assert cancelled != approved
    assert ClaimPayout.objects.exists() == approved
    for posted in LedgerTransaction.objects.all():
        assert sum(posted.entries.values_list("amount", flat=True)) == 0
