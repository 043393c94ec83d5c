"""What merchants (and finance) read of settlement, scoped to the merchant asking."""

from django.db.models import QuerySet, Sum
from django.utils import timezone

from backend.common.exceptions import NotFound
from backend.ledger.choices import AccountPurpose
from backend.ledger.models import Entry
from backend.settlement.choices import Cadence, StatementState
from backend.settlement.models import MerchantSettlement, Payout, Statement
from backend.settlement.periods import period_of


def statements_of(merchant) -> QuerySet[Statement]:
    """The merchant's closed statements, newest first (an open one is not a document)."""
    return Statement.objects.filter(merchant=merchant, state=StatementState.CLOSED)


def statement_of(merchant, statement_id: int) -> Statement:
    statement = statements_of(merchant).select_related("merchant").filter(pk=statement_id).first()
    if statement is None:
        raise NotFound("No such statement.", code="statement_not_found")
    return statement


def payouts_of(merchant) -> QuerySet[Payout]:
    return Payout.objects.filter(merchant=merchant).select_related("statement")


def settlement_summary(merchant) -> dict:
    """The merchant's balance per currency (what the ledger says it is owed now), its
    current period, its payouts still due and its payout account's state."""
    settlement = MerchantSettlement.objects.filter(merchant=merchant).first()
    cadence = settlement.cadence if settlement else Cadence.MONTHLY
    start, end = period_of(timezone.localdate(), cadence)
    balances = (
        Entry.objects.filter(
            account__purpose=AccountPurpose.OWED_TO_MERCHANT, account__merchant=merchant
        )
        .values_list("currency")
        .annotate(total=Sum("amount"))
        .order_by("currency")
    )
    due = dict(
        Payout.objects.filter(merchant=merchant, state="due")
        .values_list("currency")
        .annotate(total=Sum("amount"))
    )
    if settlement is None or not settlement.stripe_account_id:
        account = "not_started"
    elif settlement.transfers_active:
        account = "active"
    else:
        account = "pending"
    return {
        "cadence": cadence,
        "current_period": {"start": start, "end": end},
        "balances": [
            {"currency": currency, "balance": -total, "payouts_due": due.get(currency, 0)}
            for currency, total in balances
        ],
        "payout_account": {
            "state": account,
            "payouts_enabled": bool(settlement and settlement.payouts_enabled),
            "checked_at": settlement.checked_at if settlement else None,
        },
    }
