"""Analytics for marketing and merchants: the offer funnel, claim rates and reasons (the
product-defect signal), loss ratios per plan, and the desk's SLA trend.

Every function takes ``merchant_id`` (None: all merchants) and aggregates in the database;
only the SLA medians are taken in Python, over one week's worth of durations at a time.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Q, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from backend.claims.choices import ClaimState
from backend.claims.models import Claim
from backend.contracts.choices import ContractState
from backend.contracts.models import Contract
from backend.crm.choices import LeadState, OfferEventKind
from backend.crm.models import Lead, OfferStat
from backend.crm.selectors import PAID_STATES
from backend.payments.models import Refund
from backend.plans.models import Plan

# Claims that never count: withdrawn by the shopper.
NOT_CLAIMS = (ClaimState.WITHDRAWN,)
# Claims whose approved amount was (or is being) paid out.
PAID_CLAIM_STATES = (
    ClaimState.APPROVED,
    ClaimState.IN_FULFILLMENT,
    ClaimState.RESOLVED,
    ClaimState.CLOSED,
)
GROUPINGS = ("category", "sku", "merchant")


@dataclass(frozen=True)
class Period:
    since: date
    until: date  # inclusive

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.since, datetime.min.time()))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(
            datetime.combine(self.until + timedelta(days=1), datetime.min.time())
        )


# --- Recording offer events --------------------------------------------------------------


@dataclass(frozen=True)
class OfferEvent:
    kind: OfferEventKind
    plan_code: str
    category: str


def offer_events_record(*, merchant_id: int, events: list[OfferEvent], day: date | None = None):
    """Count offer events up in place: one ``INSERT ... ON CONFLICT DO UPDATE`` for the
    batch, rows in key order (two concurrent batches never wait on each other in a cycle)."""
    day = day or timezone.localdate()
    counts: dict[tuple, int] = {}
    for event in events:
        key = (day, merchant_id, event.plan_code, event.category, str(event.kind))
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return 0
    rows = sorted(counts.items())
    table = OfferStat._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    params = [p for key, n in rows for p in (*key, n)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, merchant_id, plan_code, category, kind, count) "  # noqa: S608 - the table name is ours
            f"VALUES {values} ON CONFLICT (day, merchant_id, plan_code, category, kind) "
            f"DO UPDATE SET count = {table}.count + excluded.count",
            params,
        )
    return len(events)


# --- Reading ------------------------------------------------------------------------------


def _scoped(queryset, merchant_id: int | None):
    return queryset if merchant_id is None else queryset.filter(merchant_id=merchant_id)


def offer_funnel(*, merchant_id: int | None, period: Period) -> list[dict]:
    """Per plan: how often it was shown, declined and bought (units), and the conversion
    rate (units bought per impression)."""
    stats = (
        _scoped(OfferStat.objects.all(), merchant_id)
        .filter(day__gte=period.since, day__lte=period.until)
        .values("plan_code")
        .annotate(
            impressions=Coalesce(Sum("count", filter=Q(kind=OfferEventKind.IMPRESSION)), Value(0)),
            declines=Coalesce(Sum("count", filter=Q(kind=OfferEventKind.DECLINE)), Value(0)),
        )
        .order_by()
    )
    sold = (
        _scoped(Contract.objects.all(), merchant_id)
        .filter(state__in=PAID_STATES, purchased_at__gte=period.start, purchased_at__lt=period.end)
        .values(plan_code=F("plan__code"), plan_name=F("plan__name"))
        .annotate(units=Count("id"))
        .order_by()
    )
    rows: dict[str, dict] = {}
    for row in stats:
        rows[row["plan_code"]] = {
            "plan_code": row["plan_code"],
            "plan_name": "",
            "impressions": row["impressions"],
            "declines": row["declines"],
            "units": 0,
        }
    for row in sold:
        entry = rows.setdefault(
            row["plan_code"],
            {"plan_code": row["plan_code"], "impressions": 0, "declines": 0, "units": 0},
        )
        entry["units"] = row["units"]
        entry["plan_name"] = row["plan_name"]
    names = _plan_names([code for code, row in rows.items() if not row.get("plan_name")])
    for code, row in rows.items():
        row["plan_name"] = row.get("plan_name") or names.get(code, code)
        row["conversion_rate"] = (
            round(row["units"] / row["impressions"], 4) if row["impressions"] else None
        )
    return sorted(rows.values(), key=lambda r: (-r["impressions"], -r["units"], r["plan_code"]))


def _plan_names(codes: list[str]) -> dict[str, str]:

    if not codes:
        return {}
    return dict(Plan.objects.filter(code__in=codes).values_list("code", "name"))


def lead_funnel(*, merchant_id: int | None, period: Period) -> dict:
    """Post-purchase offers: leads recorded, e-mails sent, leads bought through, units."""
    leads = _scoped(Lead.objects.all(), merchant_id).filter(
        created_at__gte=period.start, created_at__lt=period.end
    )
    totals = leads.aggregate(
        leads=Count("id"),
        offered=Count("id", filter=Q(offer_sent_at__isnull=False)),
        converted=Count("id", filter=Q(quantity_consumed__gt=0)),
        units=Coalesce(Sum("quantity"), Value(0)),
        units_bought=Coalesce(Sum("quantity_consumed"), Value(0)),
        open=Count("id", filter=Q(state=LeadState.OPEN)),
    )
    return totals


def claim_rates(*, merchant_id: int | None, period: Period, by: str, limit: int = 50) -> list:
    """Per category, SKU or merchant: plans sold in the period, claims filed on them, the
    claim rate, and the claims per reason. The highest claim rates first (the groups with
    at least one claim): the products that fail."""
    if by not in GROUPINGS:
        raise ValueError(by)
    contracts = _scoped(Contract.objects.all(), merchant_id).filter(
        state__in=PAID_STATES, purchased_at__gte=period.start, purchased_at__lt=period.end
    )
    key = F("merchant__slug") if by == "merchant" else KeyTextTransform(by, "product_snapshot")
    sold = dict(
        contracts.annotate(key=key).values("key").annotate(n=Count("id")).values_list("key", "n")
    )
    claim_key = F("merchant__slug") if by == "merchant" else F(by)
    claims = (
        Claim.objects.filter(contract__in=contracts)
        .exclude(state__in=NOT_CLAIMS)
        .annotate(key=claim_key)
        .values("key", "reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    groups: dict[str, dict] = {}
    for row in claims:
        group = groups.setdefault(row["key"] or "", {"claims": 0, "reasons": {}})
        group["claims"] += row["n"]
        group["reasons"][row["reason"]] = row["n"]
    rows = []
    for name, group in groups.items():
        units = sold.get(name, 0)
        rows.append(
            {
                "key": name,
                "contracts": units,
                "claims": group["claims"],
                "claim_rate": round(group["claims"] / units, 4) if units else None,
                "reasons": dict(sorted(group["reasons"].items(), key=lambda kv: -kv[1])),
            }
        )
    rows.sort(key=lambda r: (-(r["claim_rate"] or 0), -r["claims"], r["key"]))
    return rows[:limit]


def loss_ratios(*, merchant_id: int | None, period: Period) -> list[dict]:
    """Per plan and currency, for plans sold in the period: premiums kept (prices less
    refunds), the part of them earned to date, claims paid (approved amounts), and the loss
    ratio, claims paid over earned premium (as an insurer reads it: a young book of
    two-year plans has earned little of its premium, so its early claims weigh more than
    against everything written)."""
    contracts = _scoped(Contract.objects.all(), merchant_id).filter(
        state__in=PAID_STATES, purchased_at__gte=period.start, purchased_at__lt=period.end
    )
    premiums = {
        (r["plan__code"], r["currency"]): r
        for r in contracts.values("plan__code", "plan__name", "currency")
        .annotate(written=Sum("price"), contracts=Count("id"))
        .order_by()
    }
    refunds = {
        (r["contract__plan__code"], r["currency"]): r["amount"]
        for r in Refund.objects.filter(contract__in=contracts)
        .values("contract__plan__code", "currency")
        .annotate(amount=Sum("amount"))
        .order_by()
    }
    earned = earned_premiums(contracts, timezone.localdate())
    paid = {
        (r["contract__plan__code"], r["currency"]): r
        for r in Claim.objects.filter(
            contract__in=contracts, state__in=PAID_CLAIM_STATES, approved_amount__isnull=False
        )
        .values("contract__plan__code", "currency")
        .annotate(
            paid=Coalesce(Sum("approved_amount"), Value(0), output_field=IntegerField()),
            claims=Count("id"),
        )
        .order_by()
    }
    rows = []
    for key, premium in premiums.items():
        kept = premium["written"] - refunds.get(key, 0)
        claims = paid.get(key, {"paid": 0, "claims": 0})
        rows.append(
            {
                "plan_code": key[0],
                "plan_name": premium["plan__name"],
                "currency": key[1],
                "contracts": premium["contracts"],
                "premiums": kept,
                "earned_premiums": earned.get(key, 0),
                "refunds": refunds.get(key, 0),
                "claims_paid": claims["paid"],
                "paid_claims": claims["claims"],
                "loss_ratio": round(claims["paid"] / earned[key], 4) if earned.get(key) else None,
            }
        )
    rows.sort(key=lambda r: (-(r["loss_ratio"] or 0), r["plan_code"], r["currency"]))
    return rows


def earned_premiums(contracts, today: date) -> dict[tuple[str, str], int]:
    """Premium earned by ``today`` per plan and currency, in minor units: an active
    contract earns its price pro rata to the days of its coverage gone by (none before its
    coverage starts); a cancelled one earned what it kept, its refund having given back the
    rest; an expired or fulfilled one earned it all. The database groups the contracts by
    state and coverage dates, so Python sees a row per plan and day of sale, not per
    contract."""
    earned: dict[tuple[str, str], int] = {}
    groups = (
        contracts.values("plan__code", "currency", "state", "coverage_start", "coverage_end")
        .annotate(
            price=Sum("price"),
            refunded=Coalesce(Sum("refund__amount"), Value(0), output_field=IntegerField()),
        )
        .order_by()
    )
    for group in groups:
        kept = group["price"] - group["refunded"]
        if group["state"] == ContractState.ACTIVE:
            kept = _pro_rata(kept, group["coverage_start"], group["coverage_end"], today)
        key = (group["plan__code"], group["currency"])
        earned[key] = earned.get(key, 0) + kept
    return earned


def _pro_rata(amount: int, start: date | None, end: date | None, today: date) -> int:
    """The part of ``amount`` for the days of coverage gone by on ``today``: none before
    coverage starts (it may start when the manufacturer's warranty ends), all of it for a
    coverage without length; rounded down, in minor units."""
    if start is None or today < start:
        return 0
    if end is None or end <= start:
        return amount
    days = (end - start).days
    return amount * min((today - start).days, days) // days


def sla_trend(*, merchant_id: int | None, weeks: int = 12) -> list[dict]:
    """Per week (Monday) of filing: claims filed, how many breached their SLA, and the median
    hours to first response and to decision."""
    today = timezone.localdate()
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    claims = _scoped(Claim.objects.all(), merchant_id).filter(
        created_at__gte=timezone.make_aware(datetime.combine(start, datetime.min.time()))
    )
    counts = {
        row["week"].date() if isinstance(row["week"], datetime) else row["week"]: row
        for row in claims.annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(filed=Count("id"), breached=Count("id", filter=Q(sla_breached_at__isnull=False)))
        .order_by()
    }
    durations: dict[date, dict[str, list[float]]] = {}
    rows = (
        claims.annotate(
            week=TruncWeek("created_at"),
            first=F("first_response_at") - F("created_at"),
            decision=F("decided_at") - F("created_at"),
        )
        .values_list("week", "first", "decision")
        .order_by()
    )
    for week, first, decision in rows.iterator(chunk_size=5000):
        week = week.date() if isinstance(week, datetime) else week
        bucket = durations.setdefault(week, {"first": [], "decision": []})
        if first is not None:
            bucket["first"].append(first.total_seconds() / 3600)
        if decision is not None:
            bucket["decision"].append(decision.total_seconds() / 3600)
    trend = []
    for index in range(weeks):
        week = start + timedelta(days=7 * index)
        row = counts.get(week, {"filed": 0, "breached": 0})
        bucket = durations.get(week, {"first": [], "decision": []})
        trend.append(
            {
                "week": week,
                "filed": row["filed"],
                "breached": row["breached"],
                "breach_rate": round(row["breached"] / row["filed"], 4) if row["filed"] else None,
                "median_first_response_hours": round(median(bucket["first"]), 1)
                if bucket["first"]
                else None,
                "median_decision_hours": round(median(bucket["decision"]), 1)
                if bucket["decision"]
                else None,
            }
        )
    return trend
