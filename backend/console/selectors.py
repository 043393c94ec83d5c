"""What a merchant has left to do before going live, read from the apps it sets up."""

from dataclasses import dataclass

from backend.catalog.models import Product
from backend.merchants.models import Merchant, MerchantAPIKey
from backend.plans.models import MerchantPlan
from backend.settlement.models import MerchantSettlement
from backend.webhooks.choices import DeliveryState
from backend.webhooks.models import WebhookDelivery


@dataclass(frozen=True)
class Step:
    code: str
    done: bool
    required: bool
    # The console tab where the step is done.
    tab: str


def go_live_checklist(merchant: Merchant) -> list[Step]:
    """The steps in the order a merchant takes them. Required ones stop shoppers being
    served well (or the merchant being paid); the rest are strongly advised."""
    settlement = MerchantSettlement.objects.filter(merchant=merchant).first()
    return [
        Step(
            "support_contact",
            bool(merchant.support_email and merchant.website),
            required=True,
            tab="overview",
        ),
        Step(
            "plans",
            MerchantPlan.objects.filter(
                merchant=merchant, is_active=True, plan__is_active=True
            ).exists(),
            required=True,
            tab="plans",
        ),
        Step(
            "catalogue",
            Product.objects.filter(merchant=merchant, is_active=True).exists(),
            required=True,
            tab="widget",
        ),
        Step(
            "api_key",
            MerchantAPIKey.objects.filter(merchant=merchant, revoked=False).exists(),
            required=True,
            tab="keys",
        ),
        Step("widget_origins", bool(merchant.widget_origins), required=True, tab="widget"),
        Step(
            "webhooks",
            WebhookDelivery.objects.filter(
                endpoint__merchant=merchant,
                endpoint__is_active=True,
                state=DeliveryState.DELIVERED,
            ).exists(),
            required=False,
            tab="webhooks",
        ),
        Step(
            "payouts",
            bool(settlement and settlement.transfers_active and settlement.payouts_enabled),
            required=True,
            tab="statements",
        ),
    ]


def preview_products(merchant: Merchant, *, limit: int = 12):
    """Products of the merchant's catalogue to preview the widget on: one or two of each
    category, so that each plan family shows."""
    picked, seen = [], {}
    for product in (
        Product.objects.filter(merchant=merchant, is_active=True)
        .select_related("category")
        .order_by("category_id", "sku")[:500]
    ):
        if seen.get(product.category_id, 0) < 2:
            picked.append(product)
            seen[product.category_id] = seen.get(product.category_id, 0) + 1
        if len(picked) >= limit:
            break
    return picked
