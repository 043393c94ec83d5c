"""Earning the obligor's premium, day by day, set-based.

A contract's net premium is earned pro rata by whole days of coverage, from its coverage
start to its end, rounded down (``earned``): the same days the refund quote counts
(``legal.refunds``), so a cancellation's unearned premium is what the quote leaves.

The daily run does not walk the contracts. For each obligor and currency it asks the
database for one number, what should still be unearned at the end of the day: the sum,
over active contracts, of their net premium less what ``earned`` gives (one aggregate
over the contracts table per plan, ``unearned_targets``). It then posts the difference between the
unearned account's balance and that target, from unearned to earned
(``owed_to_obligor``). Since each day moves the balance to the target, the run corrects
itself: a contract cancelled, voided or fulfilled leaves the target, a late sale joins
it, and a day's posting never depends on the contracts the previous days saw.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from backend.common.dates import midnight
from backend.contracts.choices import ContractState
from backend.contracts.models import Contract
from backend.ledger.choices import AccountPurpose
from backend.ledger.models import EarningDay, Entry
from backend.ledger.services import AccountSpec, Line, accounts_for, post
from backend.plans.models import Plan


def earned(net: int, start: date, end: date, before: date) -> int:
    """The part of ``net`` earned by the coverage days before ``before`` begins."""
    total = max((end - start).days, 1)
    used = min(max((before - start).days, 0), total)
    return net * used // total


def contract_net_premium(contract: Contract) -> int:
    return contract.price if contract.net_premium is None else contract.net_premium


def contract_unearned(contract: Contract, before: date) -> int:
    """What of the contract's premium is still unearned when ``before`` begins."""
    net = contract_net_premium(contract)
    if contract.coverage_start is None or contract.coverage_end is None:
        return net
    return net - earned(net, contract.coverage_start, contract.coverage_end, before)


def _days_between(later: str, earlier: str) -> str:
    """SQL for the whole days from ``earlier`` to ``later`` (two date expressions)."""
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _least(a: str, b: str) -> str:
    return f"LEAST({a}, {b})" if connection.vendor == "postgresql" else f"MIN({a}, {b})"


def _greatest(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if connection.vendor == "postgresql" else f"MAX({a}, {b})"


def unearned_targets(before: date) -> dict[tuple[int, int, str], int]:
    """{(provider, plan, currency): premium of active contracts still unearned when
    ``before`` begins}: one aggregate, ``earned`` in SQL."""
    day = "CAST(%s AS DATE)" if connection.vendor == "postgresql" else "%s"
    total = _greatest(_days_between("c.coverage_end", "c.coverage_start"), "1")
    used = _least(_greatest(_days_between(day, "c.coverage_start"), "0"), total)
    net = "COALESCE(c.net_premium, c.price)"
    # Only table names and the vendor's date functions are formatted in; values are bound.
    sql = f"""
        SELECT p.provider_id, c.plan_id, c.currency, SUM({net} - ({net} * {used}) / {total})
        FROM {Contract._meta.db_table} c JOIN {Plan._meta.db_table} p ON p.id = c.plan_id
        WHERE c.state = %s AND c.coverage_start IS NOT NULL AND c.coverage_end IS NOT NULL
        GROUP BY p.provider_id, c.plan_id, c.currency
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [before.isoformat(), ContractState.ACTIVE])
        return {
            (provider, plan, currency): int(total or 0)
            for provider, plan, currency, total in cursor
        }


@dataclass(frozen=True)
class EarningResult:
    day: date
    posted: int  # transactions written
    earned: int  # sum over currencies, minor units (a report figure, not money)


def _end_of(day: date) -> datetime:
    return midnight(day + timedelta(days=1)) - timedelta(microseconds=1)


def _unearned_balances() -> dict[tuple[int, int, str], int]:
    rows = (
        Entry.objects.filter(account__purpose=AccountPurpose.OBLIGOR_UNEARNED_PREMIUM)
        .values_list("account__provider_id", "account__plan_id", "account__currency")
        .annotate(balance=Sum("amount"))
    )
    return {(provider, plan, currency): -balance for provider, plan, currency, balance in rows}


def earning_post(day: date) -> EarningResult | None:
    """Earn the premium of ``day`` (its coverage days up to its end), once: None when the
    day, or a later one, is earned already (days are earned in order)."""
    if EarningDay.objects.filter(day__gte=day).exists():
        return None
    try:
        with transaction.atomic():
            EarningDay.objects.create(day=day)  # a concurrent run of the day stops here
            return _earn(day)
    except IntegrityError:
        return None


def _earn(day: date) -> EarningResult:
    targets = unearned_targets(day + timedelta(days=1))
    balances = _unearned_balances()
    moves = {}
    for key in sorted(set(targets) | set(balances)):
        moved = balances.get(key, 0) - targets.get(key, 0)
        if moved:
            moves[key] = moved
    P = AccountPurpose
    specs = {
        (key, purpose): AccountSpec(purpose, key[2], provider_id=key[0], plan_id=key[1])
        for key in moves
        for purpose in (P.OBLIGOR_UNEARNED_PREMIUM, P.OWED_TO_OBLIGOR)
    }
    accounts = accounts_for(list(specs.values()))  # one query once they all exist
    for (provider, plan, currency), moved in moves.items():
        key = (provider, plan, currency)
        post(
            source=f"earning:{day.isoformat()}:plan{plan}:{currency}",
            kind="earning",
            occurred_at=_end_of(day),
            description=f"Premium earned on {day.isoformat()}",
            lines=[
                Line(accounts[specs[key, P.OBLIGOR_UNEARNED_PREMIUM]], moved),
                Line(accounts[specs[key, P.OWED_TO_OBLIGOR]], -moved),
            ],
        )
    earned_total = sum(moves.values())
    posted = len(moves)
    return EarningResult(day, posted, earned_total)


def earning_catch_up(*, today: date, most: int = 31) -> list[EarningResult]:
    """Earn every day since the last one earned, up to yesterday (the first run: only
    yesterday), ``most`` days at a time."""
    last = EarningDay.objects.order_by("-day").values_list("day", flat=True).first()
    day = (last + timedelta(days=1)) if last else today - timedelta(days=1)
    results = []
    while day < today and len(results) < most:
        result = earning_post(day)
        if result is not None:
            results.append(result)
        day += timedelta(days=1)
    return results
