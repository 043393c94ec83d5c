"""Closing a merchant's statements: each period once, in order, from the ledger.

A statement covers the entries on the merchant's ledger account (what it is owed) that
happened before its period ends and that no earlier statement covered. Closing claims
them in one set-based ``INSERT ... SELECT`` under the statement's row lock, and a unique
constraint holds each entry to one statement, so an entry committed while a close runs (a
late refund, say) is never lost and never counted twice: it falls to the next period.
Totals are summed from the lines at close and never change after it. A negative closing
balance (clawbacks above the period's commission) is carried forward as the next
statement's opening balance; a positive one, less payouts still due, becomes a payout.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from backend.common.dates import midnight
from backend.ledger.choices import AccountPurpose
from backend.ledger.models import Account, Entry, LedgerTransaction
from backend.merchants.models import Merchant
from backend.settlement.choices import Cadence, LineCategory, PayoutState, StatementState
from backend.settlement.models import MerchantSettlement, Payout, Statement, StatementLine
from backend.settlement.periods import period_of, periods_between

CATEGORY_OF_KIND = {
    "sale": LineCategory.COMMISSION,
    "cancellation": LineCategory.CLAWBACK,
    "chargeback": LineCategory.CLAWBACK,
    "adjustment": LineCategory.ADJUSTMENT,
    "payout": LineCategory.PAYOUT,
}
TOTAL_OF_CATEGORY = {
    LineCategory.COMMISSION: "commission",
    LineCategory.CLAWBACK: "clawbacks",
    LineCategory.ADJUSTMENT: "adjustments",
    LineCategory.PAYOUT: "payouts",
}


@dataclass(frozen=True)
class Due:
    """A merchant's account whose statement of a period is to close."""

    merchant_id: int
    currency: str
    account_id: int | None  # None: the merchant has no ledger account in the currency yet
    pay: bool = True  # leave what the statement owes as a payout


def _mapping(statements: dict, dues: list[Due]) -> tuple[str, list]:
    """A CTE of (account, statement) pairs, for one set-based statement over all of them."""
    pairs = [(d.account_id, statements[d.merchant_id, d.currency].pk) for d in dues if d.account_id]
    values = ", ".join(["(%s, %s)"] * len(pairs))
    return f"WITH m(account_id, statement_id) AS (VALUES {values})", [v for p in pairs for v in p]


def _claim_lines(statements: dict, dues: list[Due], end: date) -> None:
    """Every entry on the accounts before the period's end that no statement covers yet,
    each into its merchant's statement: one INSERT ... SELECT for all of them."""
    if not any(d.account_id for d in dues):
        return
    line, entry, tx = (m._meta.db_table for m in (StatementLine, Entry, LedgerTransaction))
    category = (
        "CASE t.kind "
        + " ".join(f"WHEN '{kind}' THEN '{cat}'" for kind, cat in CATEGORY_OF_KIND.items())
        + f" ELSE '{LineCategory.ADJUSTMENT}' END"
    )
    cte, params = _mapping(statements, dues)
    sql = f"""
        {cte}
        INSERT INTO {line} (statement_id, entry_id, transaction_id, category, amount,
                            occurred_at, description)
        SELECT m.statement_id, e.id, t.id, {category}, -e.amount, t.occurred_at, t.description
        FROM m JOIN {entry} e ON e.account_id = m.account_id
        JOIN {tx} t ON t.id = e.transaction_id
        WHERE t.occurred_at < %s
          AND NOT EXISTS (SELECT 1 FROM {line} l WHERE l.entry_id = e.id)
    """  # noqa: S608 - table names and our own constant kinds only; values are bound
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, connection.ops.adapt_datetimefield_value(midnight(end))])


def _totals(ids: list[int]) -> dict[int, dict]:
    """Each statement's sums per category and its line count, then its gross sales and
    refunds (the shoppers' side of its lines' transactions: a sale's price, a
    cancellation's refund; a chargeback's is none)."""
    totals = {pk: {**dict.fromkeys(TOTAL_OF_CATEGORY.values(), 0), "lines_count": 0,
                   "sales": 0, "refunds": 0} for pk in ids}  # fmt: skip
    for statement_id, category, total, n in (
        StatementLine.objects.filter(statement_id__in=ids)
        .values_list("statement_id", "category")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    ):
        totals[statement_id][TOTAL_OF_CATEGORY[category]] = total
        totals[statement_id]["lines_count"] += n
    # Per line, its transaction's entry on cash at Stripe (a sale's price) or on refunds
    # owed (a cancellation's refund), looked up by the transaction's index: a join would
    # be planned before the lines just claimed are in the statistics, and scan every entry.
    # (A sale the merchant's store took the money for debits what the store owes instead.)
    accounts = defaultdict(list)
    sold_into = (AccountPurpose.STRIPE_CASH, AccountPurpose.STORE_RECEIVABLE)
    for pk, purpose in Account.objects.filter(
        purpose__in=(*sold_into, AccountPurpose.REFUNDS_PAYABLE)
    ).values_list("pk", "purpose"):
        accounts["cash" if purpose in sold_into else "refunds"].append(pk)
    cash, refunds = accounts["cash"], accounts["refunds"]

    def among(pks: list[int]) -> str:
        return ", ".join(["%s"] * len(pks)) or "NULL"

    line, entry = StatementLine._meta.db_table, Entry._meta.db_table
    side = f"SELECT SUM(e.amount) FROM {entry} e WHERE e.transaction_id = l.transaction_id"  # noqa: S608
    sql = f"""
        SELECT l.statement_id, l.category, COALESCE(SUM(CASE l.category
            WHEN %s THEN ({side} AND e.account_id IN ({among(cash)}))
            ELSE ({side} AND e.account_id IN ({among(refunds)})) END), 0)
        FROM {line} l
        WHERE l.statement_id IN ({among(ids)}) AND l.category IN (%s, %s)
        GROUP BY l.statement_id, l.category
    """  # noqa: S608 - table names only; values are bound
    commission, clawback = LineCategory.COMMISSION, LineCategory.CLAWBACK
    with connection.cursor() as cursor:
        cursor.execute(sql, [commission, *cash, *refunds, *ids, commission, clawback])
        for statement_id, category, total in cursor.fetchall():
            totals[statement_id]["sales" if category == commission else "refunds"] = abs(int(total))
    return totals


def statements_close(
    *, period: tuple[date, date], dues: list[Due], at: datetime | None = None
) -> list[Statement]:
    """Close the statements of ``period`` for every merchant account in ``dues`` (opening
    them as need be), set-based: one claim of the entries, one sum per figure, for all of
    them. Idempotent: a statement closed already is returned as it is."""
    at = at or timezone.now()
    start, end = period
    if not dues:
        return []
    with transaction.atomic():
        merchants = {d.merchant_id for d in dues}
        locales = dict(
            Merchant.objects.filter(pk__in=merchants).values_list("pk", "default_locale")
        )
        cadences = dict(
            MerchantSettlement.objects.filter(merchant_id__in=merchants).values_list(
                "merchant_id", "cadence"
            )
        )
        Statement.objects.bulk_create(
            [
                Statement(
                    merchant_id=d.merchant_id,
                    currency=d.currency,
                    period_start=start,
                    period_end=end,
                    cadence=cadences.get(d.merchant_id, Cadence.MONTHLY),
                    language=locales[d.merchant_id],
                )
                for d in dues
            ],
            ignore_conflicts=True,  # opened already (or by a concurrent close)
        )
        found = {
            (s.merchant_id, s.currency): s
            for s in Statement.objects.select_for_update()
            .filter(merchant_id__in=merchants, period_start=start)
            .order_by("pk")
        }
        statements = {(d.merchant_id, d.currency): found[d.merchant_id, d.currency] for d in dues}
        open_dues = [
            d for d in dues if statements[d.merchant_id, d.currency].state != StatementState.CLOSED
        ]
        if open_dues:
            _claim_lines(statements, open_dues, end)
            totals = _totals([statements[d.merchant_id, d.currency].pk for d in open_dues])
            openings = _closing_balances_before(open_dues, start)
            unpaid = _unpaid(open_dues)
            minimums = dict(
                MerchantSettlement.objects.filter(merchant_id__in=merchants).values_list(
                    "merchant_id", "minimum_payout"
                )
            )
            for due in open_dues:
                statement = statements[due.merchant_id, due.currency]
                figures = totals[statement.pk]
                opening = openings.get((due.merchant_id, due.currency), 0)
                moved = sum(figures[name] for name in TOTAL_OF_CATEGORY.values())
                statement.close(
                    at=at,
                    totals={
                        **figures,
                        "opening_balance": opening,
                        "closing_balance": opening + moved,
                    },
                )
                statement.save()
                if due.pay:
                    _payout_due(
                        statement,
                        unpaid.get((due.merchant_id, due.currency), 0),
                        minimums.get(due.merchant_id, 0),
                    )
    return [statements[d.merchant_id, d.currency] for d in dues]


def _closing_balances_before(dues: list[Due], start: date) -> dict[tuple[int, str], int]:
    """Each merchant's closing balance of its last closed statement before ``start``."""
    latest = (
        Statement.objects.filter(
            merchant_id__in={d.merchant_id for d in dues},
            state=StatementState.CLOSED,
            period_start__lt=start,
        )
        .order_by("merchant_id", "currency", "-period_start")
        .values_list("merchant_id", "currency", "closing_balance")
    )
    balances: dict[tuple[int, str], int] = {}
    for merchant_id, currency, closing in latest:
        balances.setdefault((merchant_id, currency), closing)  # the first is the latest
    return balances


def _unpaid(dues: list[Due]) -> dict[tuple[int, str], int]:
    rows = (
        Payout.objects.filter(merchant_id__in={d.merchant_id for d in dues}, state=PayoutState.DUE)
        .values_list("merchant_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(m, c): total for m, c, total in rows}


def statement_close(
    *,
    merchant_id: int,
    currency: str,
    period: tuple[date, date],
    at: datetime | None = None,
    pay: bool = True,
) -> Statement:
    """Close one merchant's statement of ``period`` in ``currency`` (``statements_close``
    for one). ``pay``: leave what it owes as a payout."""
    account = (
        Account.objects.filter(
            purpose=AccountPurpose.OWED_TO_MERCHANT, currency=currency, merchant_id=merchant_id
        )
        .values_list("pk", flat=True)
        .first()
    )
    [statement] = statements_close(
        period=period, dues=[Due(merchant_id, currency, account, pay)], at=at
    )
    return statement


def _payout_due(statement: Statement, unpaid: int, minimum: int) -> Payout | None:
    """What the closed statement leaves to pay: its balance less payouts still due (those
    are in the balance too, until they are paid), if above the merchant's minimum."""
    due = statement.closing_balance - unpaid
    if due <= 0 or due < minimum:
        return None
    return Payout.objects.create(
        merchant_id=statement.merchant_id,
        statement=statement,
        amount=due,
        currency=statement.currency,
        idempotency_key=f"coverdesk-statement-{statement.pk}-payout",
    )


def statements_close_due(*, today: date) -> list[Statement]:
    """Close every merchant's periods that have ended, oldest first, all merchants due for
    a period at once; the statements closed now (with the payouts they leave due: after a
    merchant's last period only)."""
    accounts = list(
        Account.objects.filter(
            purpose=AccountPurpose.OWED_TO_MERCHANT, merchant__isnull=False
        ).values_list("pk", "merchant_id", "currency")
    )
    last_closed = {
        (merchant_id, currency): last
        for merchant_id, currency, last in Statement.objects.filter(state=StatementState.CLOSED)
        .values_list("merchant_id", "currency")
        .annotate(last=Max("period_end"))
        .order_by()
    }
    # Where a merchant's first period starts: only asked of accounts never stated yet.
    never = [a for a, m, c in accounts if (m, c) not in last_closed]
    first_entry = dict(
        Entry.objects.filter(account_id__in=never)
        .values_list("account_id")
        .annotate(first=Min("transaction__occurred_at"))
        .order_by()
        if never
        else ()
    )
    cadences = dict(MerchantSettlement.objects.values_list("merchant_id", "cadence"))
    by_period: dict[tuple[date, date], list[tuple[int, int, str]]] = defaultdict(list)
    last_period: dict[int, tuple[date, date]] = {}
    for account_id, merchant_id, currency in accounts:
        cadence = cadences.get(merchant_id, Cadence.MONTHLY)
        start = last_closed.get((merchant_id, currency))
        if start is None:
            first = first_entry.get(account_id)
            if first is None:
                continue
            start = period_of(timezone.localdate(first), cadence)[0]
        periods = periods_between(start, today, cadence)
        for period in periods:
            by_period[period].append((account_id, merchant_id, currency))
        if periods:
            last_period[account_id] = periods[-1]
    closed = []
    for period in sorted(by_period):
        dues = [
            Due(merchant_id, currency, account_id, pay=last_period[account_id] == period)
            for account_id, merchant_id, currency in by_period[period]
        ]
        closed += statements_close(period=period, dues=dues)
    return closed
