"""The daily reconciliation of the ledger's cash at Stripe with Stripe's own books.

For one UTC day (Stripe reports in UTC) it reads every balance transaction Stripe created
that day, posts each charge's processing fee as Stripe took it (``stripe:<txn>:fee``, once),
and compares, object by object, what Stripe moved with what the ledger's cash at Stripe
says it moved: a charge with the sales of its PaymentIntent, a refund with its refund's
posting, a transfer with its payout, a dispute's withdrawal with its chargebacks (and its
dispute fee, posted like a charge's fee). Three kinds of difference are listed for finance
staff: at Stripe but not in the ledger, in the ledger but not at Stripe, and amounts that
differ. A payment made just before midnight and posted just after is matched across the
day's edge (Stripe is read a day either side), never reported. Running a day again
replaces its open differences and keeps the ones finance resolved.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from backend.ledger.choices import AccountPurpose, DifferenceKind
from backend.ledger.models import Difference, Entry, Reconciliation
from backend.ledger.services import AccountSpec, Line, accounts_for, post
from backend.payments import stripe_gateway
from backend.payments.stripe_gateway import BalanceEntry

# What each ledger kind moved at Stripe, as Stripe names the balance transaction.
STRIPE_WHAT_OF_KIND = {
    "sale": "charge",
    "fee": "fee",
    "refund": "refund",
    "payout": "transfer",
    "chargeback": "adjustment",  # a dispute's withdrawal (its source: the dispute)
}
# The balance transactions whose fee Stripe takes from the platform with them: a charge's
# processing fee, a dispute's fee. Each is posted as Stripe took it.
FEE_BEARING = ("charge", "adjustment")

Key = tuple[str, str, str]  # (what, reference, currency)


def _stripe_keys(entries: list[BalanceEntry]) -> dict[Key, int]:
    amounts: dict[Key, int] = defaultdict(int)
    for e in entries:
        if e.type in FEE_BEARING:
            reference = e.payment_intent or e.source
            amounts[e.type, reference, e.currency] += e.amount
            if e.fee:
                amounts["fee", reference, e.currency] -= e.fee
        else:
            amounts[e.type, e.source, e.currency] += e.amount - e.fee
    return amounts


def _ledger_keys(*, start: datetime, end: datetime, references: set[str]) -> dict[Key, int]:
    """The ledger's cash at Stripe per object: what was posted in the day, and whatever
    was posted for the day's Stripe objects on another day."""
    rows = (
        Entry.objects.filter(
            account__purpose=AccountPurpose.STRIPE_CASH,
            transaction__kind__in=STRIPE_WHAT_OF_KIND,
        )
        .exclude(transaction__reference="")
        .filter(
            Q(transaction__occurred_at__gte=start, transaction__occurred_at__lt=end)
            | Q(transaction__reference__in=references)
        )
        .values_list("transaction__kind", "transaction__reference", "currency")
        .annotate(total=Sum("amount"))
    )
    amounts: dict[Key, int] = defaultdict(int)
    for kind, reference, currency, total in rows:
        amounts[STRIPE_WHAT_OF_KIND[kind], reference, currency] += total
    return amounts


def _post_fees(entries: list[BalanceEntry]) -> int:
    charged = [e for e in entries if e.type in FEE_BEARING and e.fee]
    currencies = {e.currency for e in charged}
    fee_accounts = {c: AccountSpec(AccountPurpose.STRIPE_FEES, c) for c in currencies}
    cash_accounts = {c: AccountSpec(AccountPurpose.STRIPE_CASH, c) for c in currencies}
    accounts = accounts_for([*fee_accounts.values(), *cash_accounts.values()])
    for e in charged:
        fees, cash = fee_accounts[e.currency], cash_accounts[e.currency]
        post(
            source=f"stripe:{e.id}:fee",
            kind="fee",
            occurred_at=datetime.fromtimestamp(e.created, tz=UTC),
            description=f"Stripe's fee on {e.source}",
            reference=e.payment_intent or e.source,
            lines=[Line(accounts[fees], e.fee), Line(accounts[cash], -e.fee)],
        )
    return len(charged)


def stripe_reconcile(day: date) -> Reconciliation:
    """Reconcile ``day`` (UTC). Calls Stripe first, then writes in one transaction."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    end = start + timedelta(days=1)
    window = stripe_gateway.balance_entries(
        created_from=int((start - timedelta(days=1)).timestamp()),
        created_before=int((end + timedelta(days=1)).timestamp()),
    )
    of_day = [e for e in window if start.timestamp() <= e.created < end.timestamp()]
    with transaction.atomic():
        fees_posted = _post_fees(of_day)
        at_stripe_today = _stripe_keys(of_day)
        at_stripe_near = _stripe_keys(window)
        in_ledger = _ledger_keys(
            start=start, end=end, references={reference for _w, reference, _c in at_stripe_today}
        )
        differences = []
        for key, amount in at_stripe_today.items():
            posted = in_ledger.get(key)
            if posted is None:
                differences.append((DifferenceKind.MISSING_IN_LEDGER, key, amount, None))
            elif posted != amount:
                differences.append((DifferenceKind.AMOUNT, key, amount, posted))
        for key, posted in in_ledger.items():
            if key not in at_stripe_today and key not in at_stripe_near:
                differences.append((DifferenceKind.MISSING_AT_STRIPE, key, None, posted))
        run, _created = Reconciliation.objects.update_or_create(
            day=day,
            defaults={
                "ran_at": timezone.now(),
                "stripe_entries": len(of_day),
                "matched": len(at_stripe_today) - sum(1 for d in differences if d[2] is not None),
                "fees_posted": fees_posted,
            },
        )
        run.differences.filter(resolved_at__isnull=True).delete()
        resolved = set(run.differences.values_list("what", "reference"))
        Difference.objects.bulk_create(
            Difference(
                reconciliation=run,
                kind=kind,
                what=what,
                reference=reference,
                currency=currency,
                stripe_amount=stripe_amount,
                ledger_amount=ledger_amount,
            )
            for kind, (what, reference, currency), stripe_amount, ledger_amount in differences
            if (what, reference) not in resolved
        )
    return run


def difference_resolve(*, difference_id: int, user, note: str) -> Difference:
    """Finance staff mark a difference dealt with (corrected by an adjustment, or
    explained), with who, when and why."""
    with transaction.atomic():
        difference = Difference.objects.select_for_update().get(pk=difference_id)
        if difference.resolved_at is None:
            difference.resolved_at = timezone.now()
            difference.resolved_by = user
            difference.resolution = note[:300]
            difference.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return difference
