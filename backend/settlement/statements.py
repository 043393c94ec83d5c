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

from datetime import date, datetime, time

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

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


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def cadence_of(merchant_id: int) -> str:
    settlement = MerchantSettlement.objects.filter(merchant_id=merchant_id).first()
    return settlement.cadence if settlement else Cadence.MONTHLY


def _claim_lines(statement: Statement, account: Account) -> None:
    """Every entry on ``account`` before the period's end that no statement covers yet."""
    line, entry, tx = (m._meta.db_table for m in (StatementLine, Entry, LedgerTransaction))
    category = (
        "CASE t.kind "
        + " ".join(f"WHEN '{kind}' THEN '{cat}'" for kind, cat in CATEGORY_OF_KIND.items())
        + f" ELSE '{LineCategory.ADJUSTMENT}' END"
    )
    sql = f"""
        INSERT INTO {line} (statement_id, entry_id, transaction_id, category, amount,
                            occurred_at, description)
        SELECT %s, e.id, t.id, {category}, -e.amount, t.occurred_at, t.description
        FROM {entry} e JOIN {tx} t ON t.id = e.transaction_id
        WHERE e.account_id = %s AND t.occurred_at < %s
          AND NOT EXISTS (SELECT 1 FROM {line} l WHERE l.entry_id = e.id)
    """  # noqa: S608 - table names and our own constant kinds only; values are bound
    with connection.cursor() as cursor:
        end = connection.ops.adapt_datetimefield_value(_midnight(statement.period_end))
        cursor.execute(sql, [statement.pk, account.pk, end])


def _gross(statement: Statement, kind: str, purpose: AccountPurpose) -> int:
    """The shoppers' side of the statement's lines of ``kind``: what the sales charged, or
    the cancellations refunded (each line's transaction's entry on ``purpose``, found by
    the transaction's index, not by scanning the ledger)."""
    line, entry, account = (m._meta.db_table for m in (StatementLine, Entry, Account))
    sql = f"""
        SELECT COALESCE(SUM(e.amount), 0) FROM {line} l
        JOIN {entry} e ON e.transaction_id = l.transaction_id
        JOIN {account} a ON a.id = e.account_id AND a.purpose = %s
        JOIN ledger_ledgertransaction t ON t.id = l.transaction_id AND t.kind = %s
        WHERE l.statement_id = %s
    """  # noqa: S608 - table names only; values are bound
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(purpose), kind, statement.pk])
        return abs(int(cursor.fetchone()[0]))


def statement_close(
    *,
    merchant_id: int,
    currency: str,
    period: tuple[date, date],
    at: datetime | None = None,
    pay: bool = True,
) -> Statement:
    """Close the merchant's statement of ``period`` in ``currency`` (opening it if need
    be): idempotent, a closed statement is returned as it is. ``pay``: leave what it owes
    as a payout (a catch-up over several periods pays once, after the last)."""
    at = at or timezone.now()
    start, end = period
    with transaction.atomic():
        merchant = Merchant.objects.only("pk", "default_locale").get(pk=merchant_id)
        statement, _created = Statement.objects.get_or_create(
            merchant_id=merchant_id,
            currency=currency,
            period_start=start,
            defaults={
                "period_end": end,
                "cadence": cadence_of(merchant_id),
                "language": merchant.default_locale,
            },
        )
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        if statement.state == StatementState.CLOSED:
            return statement
        account = Account.objects.filter(
            purpose=AccountPurpose.OWED_TO_MERCHANT, currency=currency, merchant_id=merchant_id
        ).first()
        if account is not None:
            _claim_lines(statement, account)
        previous = (
            Statement.objects.filter(
                merchant_id=merchant_id,
                currency=currency,
                state=StatementState.CLOSED,
                period_start__lt=start,
            )
            .order_by("-period_start")
            .first()
        )
        totals = {name: 0 for name in TOTAL_OF_CATEGORY.values()}
        count = 0
        for category, total, n in (
            StatementLine.objects.filter(statement=statement)
            .values_list("category")
            .annotate(total=Sum("amount"), n=Count("id"))
        ):
            totals[TOTAL_OF_CATEGORY[category]] = total
            count += n
        opening = previous.closing_balance if previous else 0
        totals.update(
            opening_balance=opening,
            closing_balance=opening + sum(totals.values()),
            sales=_gross(statement, "sale", AccountPurpose.STRIPE_CASH),
            refunds=_gross(statement, "cancellation", AccountPurpose.REFUNDS_PAYABLE),
            lines_count=count,
        )
        statement.close(at=at, totals=totals)
        statement.save()
        if pay:
            _payout_due(statement)
    return statement


def _payout_due(statement: Statement) -> Payout | None:
    """What the closed statement leaves to pay: its balance less payouts still due (those
    are in the balance too, until they are paid), if above the merchant's minimum."""
    unpaid = (
        Payout.objects.filter(
            merchant_id=statement.merchant_id,
            currency=statement.currency,
            state=PayoutState.DUE,
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    due = statement.closing_balance - unpaid
    settlement = MerchantSettlement.objects.filter(merchant_id=statement.merchant_id).first()
    minimum = settlement.minimum_payout if settlement else 0
    if due <= 0 or due < minimum:
        return None
    payout = Payout.objects.create(
        merchant_id=statement.merchant_id,
        statement=statement,
        amount=due,
        currency=statement.currency,
        idempotency_key=f"coverdesk-statement-{statement.pk}-payout",
    )
    return payout


def statements_close_due(*, today: date) -> list[Statement]:
    """Close every merchant's periods that have ended, oldest first; the statements
    closed now (with the payouts they leave due)."""
    closed = []
    accounts = Account.objects.filter(
        purpose=AccountPurpose.OWED_TO_MERCHANT, merchant__isnull=False
    ).values_list("merchant_id", "currency")
    for merchant_id, currency in accounts:
        cadence = cadence_of(merchant_id)
        last = (
            Statement.objects.filter(
                merchant_id=merchant_id, currency=currency, state=StatementState.CLOSED
            )
            .order_by("-period_end")
            .values_list("period_end", flat=True)
            .first()
        )
        if last is None:
            first = (
                Entry.objects.filter(
                    account__purpose=AccountPurpose.OWED_TO_MERCHANT,
                    account__merchant_id=merchant_id,
                    currency=currency,
                )
                .order_by("transaction__occurred_at")
                .values_list("transaction__occurred_at", flat=True)
                .first()
            )
            if first is None:
                continue
            last = period_of(timezone.localdate(first), cadence)[0]
        periods = periods_between(last, today, cadence)
        for n, period in enumerate(periods, start=1):
            closed.append(
                statement_close(
                    merchant_id=merchant_id,
                    currency=currency,
                    period=period,
                    pay=n == len(periods),
                )
            )
    return closed


def current_period(merchant_id: int, today: date) -> tuple[date, date]:
    return period_of(today, cadence_of(merchant_id))
