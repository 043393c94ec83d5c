"""Reading claims: scoped to who asks. A shopper reaches their own claims only (another's
is simply not found); the desk reaches all of them."""

from statistics import median

from django.db.models import Count, F
from django.utils.translation import gettext as _

from backend.claims.choices import OPEN_STATES
from backend.claims.models import Claim, ClaimEvent
from backend.common.exceptions import NotFound
from backend.contracts.models import Contract

# Events a shopper sees on their timeline (internal ones, like reassignments, stay inside).
CUSTOMER_EVENTS = frozenset(
    {
        "file",
        "ask_customer",
        "customer_reply",
        "approve",
        "deny",
        "appeal",
        "fulfil",
        "resolution_ship",
        "resolve",
        "close",
        "withdraw",
    }
)


def claim_get_for_customer(*, customer, number: str) -> Claim:
    claim = (
        Claim.objects.select_related("contract", "merchant")
        .filter(number=number, customer=customer)
        .first()
    )
    if claim is None:
        raise NotFound("No such claim.", code="claim_not_found")
    return claim


def claim_list_for_customer(*, customer):
    return (
        Claim.objects.filter(customer=customer)
        .select_related("contract", "resolution")
        .order_by("-created_at", "-id")
    )


def claim_list_for_merchant(*, merchant):
    """The merchant's customers' claims, newest first."""
    return (
        Claim.objects.filter(merchant=merchant)
        .select_related("contract", "customer")
        .order_by("-created_at", "-id")
    )


def claim_get_for_merchant(*, merchant, number: str) -> Claim:
    """One of the merchant's customers' claims; another merchant's is not found."""
    claim = claim_list_for_merchant(merchant=merchant).filter(number=number).first()
    if claim is None:
        raise NotFound("No such claim.", code="claim_not_found")
    return claim


def contract_get_for_merchant(merchant, number: str) -> Contract:
    """A contract the merchant sold, to file a claim on for its shopper."""
    contract = Contract.objects.filter(number=number, merchant=merchant).first()
    if contract is None:
        raise NotFound(_("No such contract."), code="contract_not_found")
    return contract


def claim_get_for_desk(*, number: str) -> Claim:
    claim = (
        Claim.objects.select_related(
            "contract__customer", "contract__merchant", "merchant", "assignee"
        )
        .filter(number=number)
        .first()
    )
    if claim is None:
        raise NotFound("No such claim.", code="claim_not_found")
    return claim


def customer_history(claim: Claim) -> dict:
    """The holder's other claims and purchases, for the desk's claim view."""

    claims = (
        Claim.objects.filter(customer_id=claim.customer_id)
        .exclude(pk=claim.pk)
        .order_by("-created_at")
        .values("number", "state", "reason", "created_at", "approved_amount", "currency")[:20]
    )
    contracts = (
        Contract.objects.filter(customer_id=claim.customer_id)
        .order_by("-purchased_at")
        .values("number", "state", "purchased_at", "price", "currency", "product_snapshot")[:20]
    )
    return {
        "claims": list(claims),
        "contracts": [
            {**c, "product": c.pop("product_snapshot").get("title", "")} for c in contracts
        ],
    }


def desk_metrics(*, merchant_id: int | None = None) -> dict:
    """Backlog by state, open SLA breaches, the median hours to first response and to
    resolution (claims of the last 90 days), and claims per reason."""
    from datetime import timedelta

    from django.utils import timezone

    claims = Claim.objects.all()
    if merchant_id is not None:
        claims = claims.filter(merchant_id=merchant_id)
    backlog = dict(
        claims.filter(state__in=OPEN_STATES)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    recent = claims.filter(created_at__gte=timezone.now() - timedelta(days=90))
    first = [
        d.total_seconds() / 3600
        for d in recent.filter(first_response_at__isnull=False)
        .annotate(wait=F("first_response_at") - F("created_at"))
        .values_list("wait", flat=True)
    ]
    resolution = [
        d.total_seconds() / 3600
        for d in recent.filter(resolved_at__isnull=False)
        .annotate(took=F("resolved_at") - F("created_at"))
        .values_list("took", flat=True)
    ]
    reasons = dict(recent.values_list("reason").annotate(n=Count("id")).values_list("reason", "n"))
    csat = [s for s in recent.exclude(csat_score=None).values_list("csat_score", flat=True)]
    return {
        "backlog": {state: backlog.get(state, 0) for state in OPEN_STATES},
        "open": sum(backlog.values()),
        "sla_breached_open": claims.filter(
            state__in=OPEN_STATES, sla_breached_at__isnull=False
        ).count(),
        "median_hours_to_first_response": round(median(first), 2) if first else None,
        "median_hours_to_resolution": round(median(resolution), 2) if resolution else None,
        "claims_per_reason": reasons,
        "csat_average": round(sum(csat) / len(csat), 2) if csat else None,
        "csat_responses": len(csat),
        "resolved_last_90_days": len(resolution),
        "window_days": 90,
    }


def claim_timeline(claim: Claim, *, for_customer: bool) -> list[ClaimEvent]:
    events = claim.events.order_by("created_at", "id")
    if for_customer:
        return [e for e in events if e.name in CUSTOMER_EVENTS]
    return list(events)


def contract_get_for_customer(customer, number: str) -> Contract:
    """One of the shopper's own contracts, by number (another's is not found)."""
    contract = (
        Contract.objects.select_related("customer").filter(number=number, customer=customer).first()
    )
    if contract is None:
        raise NotFound(_("No such contract."), code="contract_not_found")
    return contract
