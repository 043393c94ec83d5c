"""A month's figures per plan, read from the ledger (premium, refunds, earning, reserve,
claims paid) and from the contracts and claims (counts, gross amounts, claims still open).

The obligor's ledger accounts are kept per plan, so each premium figure is one sum of
entries: written is the sales' credits to the unearned premium, the obligor's part of the
refunds is what cancellations take from it, earned is what earning (and a cancellation's
remainder) moves to the obligor, the reserve is the unearned account's balance at the
month's end, claims paid are the claims' debits to the obligor's funds. A handful of
queries for every plan of every obligor at once.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import BigIntegerField, Count, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from backend.claims.choices import ClaimState
from backend.claims.models import Claim
from backend.common.dates import midnight
from backend.contracts.models import Contract
from backend.ledger.choices import AccountPurpose
from backend.ledger.models import Entry
from backend.payments.models import Refund
from backend.plans.models import Plan

P = AccountPurpose
OBLIGOR_ACCOUNTS = (P.OBLIGOR_UNEARNED_PREMIUM, P.OWED_TO_OBLIGOR)
# A claim not yet decided for an amount: reserved (its requested or claimed amount).
UNDECIDED = (
    ClaimState.SUBMITTED,
    ClaimState.IN_REVIEW,
    ClaimState.AWAITING_CUSTOMER,
    ClaimState.PENDING_APPROVAL,
    ClaimState.APPEALED,
)


@dataclass
class Figures:
    provider_id: int
    plan_id: int
    currency: str
    values: dict = field(default_factory=lambda: defaultdict(int))


def month_figures(start: date, end: date, provider_id: int | None = None) -> list[Figures]:
    """Every plan's figures for [start, end), optionally one obligor's only."""
    since, until = midnight(start), midnight(end)
    rows: dict[tuple[int, str], Figures] = {}
    plan_rows = Plan.objects.values_list("pk", "provider_id", "ibnr_factor_bp")
    plans = {pk: provider for pk, provider, _factor in plan_rows}
    factors = {pk: factor for pk, _provider, factor in plan_rows}

    def at(plan_id: int, currency: str) -> dict:
        key = (plan_id, currency)
        if key not in rows:
            rows[key] = Figures(plans[plan_id], plan_id, currency)
        return rows[key].values

    entries = Entry.objects.filter(
        account__purpose__in=OBLIGOR_ACCOUNTS, account__plan__isnull=False
    )
    if provider_id is not None:
        entries = entries.filter(account__provider_id=provider_id)
    moved = (
        entries.filter(transaction__occurred_at__gte=since, transaction__occurred_at__lt=until)
        .values_list("account__plan_id", "currency", "account__purpose", "transaction__kind")
        .annotate(total=Sum("amount"))
    )
    for plan_id, currency, purpose, kind, total in moved:
        values = at(plan_id, currency)
        if purpose == P.OBLIGOR_UNEARNED_PREMIUM and kind == "sale":
            values["written_net"] += -total
        if kind == "cancellation":
            values["refunds_net"] += total  # both accounts: the obligor's part of the refund
        if kind == "chargeback":
            values["chargebacks_net"] += total
        if purpose == P.OWED_TO_OBLIGOR and kind in ("earning", "cancellation", "chargeback"):
            values["earned"] += -total
        if purpose == P.OWED_TO_OBLIGOR and kind == "claim":
            values["claims_paid"] += total
    # The reserve: the unearned balance now, less what was posted after the month (a join
    # with the transactions of those few days only, not of the whole history).
    unearned = entries.filter(account__purpose=P.OBLIGOR_UNEARNED_PREMIUM)
    reserve = defaultdict(int)
    for plan_id, currency, total in unearned.values_list("account__plan_id", "currency").annotate(
        total=Sum("amount")
    ):
        reserve[plan_id, currency] += total
    for plan_id, currency, total in (
        unearned.filter(transaction__occurred_at__gte=until)
        .values_list("account__plan_id", "currency")
        .annotate(total=Sum("amount"))
    ):
        reserve[plan_id, currency] -= total
    for (plan_id, currency), total in reserve.items():
        if total:
            at(plan_id, currency)["unearned"] += -total

    contracts = Contract.objects.all()
    if provider_id is not None:
        contracts = contracts.filter(plan__provider_id=provider_id)
    fee = Cast(KT("plan_snapshot__price_split__administrator_fee"), BigIntegerField())
    commission = Cast(KT("plan_snapshot__price_split__merchant_commission"), BigIntegerField())
    sold = Q(activated_at__gte=since, activated_at__lt=until)
    in_force = Q(activated_at__lt=until, coverage_end__gte=end) & (
        Q(ended_at__isnull=True) | Q(ended_at__gte=until)
    )
    # One pass over the contracts for both: those sold in the month, those in force at its end.
    for plan_id, currency, n, gross, fees, commissions, forced in (
        contracts.filter(sold | in_force)
        .values_list("plan_id", "currency")
        .annotate(
            n=Count("id", filter=sold),
            gross=Coalesce(Sum("price", filter=sold), 0),
            fees=Coalesce(Sum(fee, filter=sold), 0),
            commissions=Coalesce(Sum(commission, filter=sold), 0),
            in_force=Count("id", filter=in_force),
        )
    ):
        at(plan_id, currency).update(
            written_count=n,
            written_gross=gross,
            administrator_fees=fees,
            commissions=commissions,
            in_force=forced,
        )

    refunds = Refund.objects.filter(requested_at__gte=since, requested_at__lt=until)
    if provider_id is not None:
        refunds = refunds.filter(contract__plan__provider_id=provider_id)
    for plan_id, currency, n, gross in refunds.values_list(
        "contract__plan_id", "currency"
    ).annotate(n=Count("id"), gross=Sum("amount")):
        at(plan_id, currency).update(cancelled_count=n, refunds_gross=gross)

    claims = Claim.objects.filter(created_at__lt=until).filter(
        Q(state__in=UNDECIDED) | Q(decided_at__gte=until)
    )
    if provider_id is not None:
        claims = claims.filter(contract__plan__provider_id=provider_id)
    estimate = Coalesce("requested_amount", "claimed_amount", 0)
    for plan_id, currency, n, reserved in (
        claims.exclude(state=ClaimState.WITHDRAWN)
        .values_list("contract__plan_id", "currency")
        .annotate(n=Count("id"), reserved=Sum(estimate))
    ):
        at(plan_id, currency).update(claims_open=n, claims_reserved=reserved or 0)

    for figures in rows.values():
        factor = factors[figures.plan_id]
        figures.values["ibnr_factor_bp"] = factor
        figures.values["ibnr"] = max(figures.values["earned"], 0) * factor // 10_000
    return sorted(rows.values(), key=lambda f: (f.provider_id, f.plan_id, f.currency))
