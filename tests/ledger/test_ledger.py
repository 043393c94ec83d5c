"""The double-entry ledger: balanced by construction, once per source, never rewritten."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.ledger.choices import AccountPurpose
from backend.ledger.models import Entry, LedgerTransaction
from backend.ledger.services import Line, Unbalanced, account_for, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(merchant):
    return {
        "cash": account_for(AccountPurpose.STRIPE_CASH, "USD"),
        "merchant": account_for(AccountPurpose.OWED_TO_MERCHANT, "USD", merchant_id=merchant.pk),
        "admin": account_for(AccountPurpose.ADMINISTRATOR_REVENUE, "USD"),
        "pln": account_for(AccountPurpose.STRIPE_CASH, "PLN"),
    }


def test_an_account_is_opened_once_per_purpose_currency_and_party(books, merchant):
    again = account_for(AccountPurpose.OWED_TO_MERCHANT, "USD", merchant_id=merchant.pk)
    assert again.pk == books["merchant"].pk and again.kind == "liability"
    assert account_for(AccountPurpose.STRIPE_CASH, "USD").pk == books["cash"].pk


def test_a_transaction_is_posted_once_per_source(books):
    lines = [Line(books["cash"], 1_000), Line(books["merchant"], -300), Line(books["admin"], -700)]
    first = post(source="test:1", kind="sale", lines=lines, occurred_at=timezone.now())
    again = post(source="test:1", kind="sale", lines=lines, occurred_at=timezone.now())
    assert again.pk == first.pk
    assert LedgerTransaction.objects.count() == 1 and Entry.objects.count() == 3


@pytest.mark.parametrize("amounts", [[1_000, -999], [1_000]], ids=["off-by-one", "one-sided"])
def test_lines_that_do_not_balance_are_refused_and_nothing_is_written(books, amounts):
    lines = [Line(books["cash"], amounts[0]), *[Line(books["merchant"], a) for a in amounts[1:]]]
    with pytest.raises(Unbalanced):
        post(source="test:bad", kind="sale", lines=lines, occurred_at=timezone.now())
    assert not LedgerTransaction.objects.exists() and not Entry.objects.exists()


def test_lines_of_nothing_post_nothing(books):
    lines = [Line(books["cash"], 0), Line(books["merchant"], 0)]
    assert post(source="test:zero", kind="refund", lines=lines, occurred_at=timezone.now()) is None
    assert not LedgerTransaction.objects.exists()


def test_each_currency_must_balance_on_its_own(books):
    lines = [Line(books["cash"], 500), Line(books["pln"], -500)]  # sums to 0, but not per currency
    with pytest.raises(Unbalanced):
        post(source="test:fx", kind="sale", lines=lines, occurred_at=timezone.now())


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shares=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=6))
def test_every_posted_transaction_balances_per_currency(books, shares):
    lines = [Line(books["cash"], sum(shares))] + [Line(books["merchant"], -s) for s in shares]
    posted = post(
        source=f"test:prop:{LedgerTransaction.objects.count()}",
        kind="sale",
        lines=lines,
        occurred_at=timezone.now(),
    )
    totals = {}
    for entry in posted.entries.all():
        totals[entry.currency] = totals.get(entry.currency, 0) + entry.amount
    assert set(totals.values()) == {0}


@pytest.mark.postgres
def test_postgresql_refuses_unbalanced_entries_and_any_rewrite(books):
    posted = post(
        source="test:pg",
        kind="sale",
        lines=[Line(books["cash"], 1_000), Line(books["merchant"], -1_000)],
        occurred_at=timezone.now(),
    )
    entry = posted.entries.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(amount=999)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).delete()
    # A transaction written past the service, unbalanced: refused at commit (deferred).
    with pytest.raises(IntegrityError), transaction.atomic():
        rogue = LedgerTransaction.objects.create(
            source="test:rogue", kind="sale", occurred_at=timezone.now()
        )
        Entry.objects.create(transaction=rogue, account=books["cash"], amount=5, currency="USD")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not LedgerTransaction.objects.filter(source="test:rogue").exists()
