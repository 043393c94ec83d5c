from django.db.models import Prefetch

from backend.common.exceptions import NotFound
from backend.plans.models import Plan, PlanPrice


def plan_list_for_merchant(*, merchant):
    """Active plans the merchant offers, in its display order, without N+1."""
    return (
        Plan.objects.filter(
            merchant_offerings__merchant=merchant,
            merchant_offerings__is_active=True,
            is_active=True,
        )
        .select_related("provider")
        .prefetch_related(
            "eligible_categories",
            Prefetch(
                "prices", queryset=PlanPrice.objects.order_by("currency", "product_price_min")
            ),
        )
        .order_by("merchant_offerings__display_order", "term_months", "id")
    )


def plan_get_public(*, code: str) -> Plan:
    """An active plan by code, for its public terms page."""
    try:
        return (
            Plan.objects.select_related("provider", "administrator")
            .prefetch_related("eligible_categories", "prices")
            .get(code=code, is_active=True)
        )
    except Plan.DoesNotExist:
        raise NotFound(f"No plan {code!r}.", code="plan_not_found") from None
