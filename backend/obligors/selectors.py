"""What obligors (and finance) read: closed months and their figures, scoped to one
provider."""

from collections import defaultdict
from datetime import date

from django.utils.translation import gettext as _

from backend.common.exceptions import NotFound, ValidationFailed
from backend.obligors.models import MonthClose, PlanMonth

FIGURES = (
    "written_count",
    "written_gross",
    "written_net",
    "refunds_net",
    "chargebacks_net",
    "earned",
    "unearned",
    "claims_paid",
    "claims_reserved",
    "ibnr",
    "administrator_fees",
    "commissions",
)


def parse_month(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("A month is written YYYY-MM, like 2026-11."),
            fields={"month": [_("Not a month: %(value)s") % {"value": text[:20]}]},
            code="invalid_month",
        ) from None


def closed_month(month: date) -> MonthClose:
    close = MonthClose.objects.filter(month=month).first()
    if close is None:
        raise NotFound(
            _("%(month)s is not closed: its reports exist once it is.")
            % {"month": f"{month:%Y-%m}"},
            code="month_not_closed",
        )
    return close


def months_of(provider_id: int) -> list[dict]:
    """Each closed month with the obligor's totals per currency (and its loss ratio)."""
    totals: dict[int, dict[str, dict]] = defaultdict(dict)
    for pm in PlanMonth.objects.filter(provider_id=provider_id).order_by():
        t = totals[pm.close_id].setdefault(pm.currency, dict.fromkeys(FIGURES, 0))
        for name in FIGURES:
            t[name] += getattr(pm, name)
    months = []
    for close in MonthClose.objects.all():
        currencies = []
        for currency, t in sorted(totals.get(close.pk, {}).items()):
            incurred = t["claims_paid"] + t["claims_reserved"] + t["ibnr"]
            currencies.append(
                {
                    "currency": currency,
                    **t,
                    "incurred": incurred,
                    "loss_ratio": round(incurred / t["earned"], 4) if t["earned"] > 0 else None,
                    "remittance": t["written_net"]
                    - t["refunds_net"]
                    - t["chargebacks_net"]
                    - t["claims_paid"],
                }
            )
        months.append(
            {"month": f"{close.month:%Y-%m}", "closed_at": close.closed_at, "totals": currencies}
        )
    return months
