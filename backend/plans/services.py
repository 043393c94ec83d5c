"""A merchant's choice of the plans it offers: which are switched on, in what order. The
catalogue snapshot every process serves offers from is invalidated by the saves
(``signals``), so a switch shows in the widget within the snapshot's check interval."""

from django.db import transaction
from django.utils.translation import gettext as _

from backend.common.exceptions import ValidationFailed
from backend.plans.catalog_cache import catalog_invalidate
from backend.plans.models import MerchantPlan


def merchant_plan_set(*, offering: MerchantPlan, **changes) -> MerchantPlan:
    """Switch one offering on or off, or move it (``is_active``, ``display_order``)."""
    for name, value in changes.items():
        setattr(offering, name, value)
    if changes:
        offering.save(update_fields=list(changes))
    return offering


@transaction.atomic
def merchant_plans_order(*, merchant, codes: list[str]) -> list[MerchantPlan]:
    """Put the merchant's offerings in the order of ``codes`` (every code it offers, once):
    display orders 10, 20, 30, ... in one pass, and one cache invalidation."""
    offerings = {
        o.plan.code: o
        for o in MerchantPlan.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(merchant=merchant)
    }
    if len(set(codes)) != len(codes) or set(codes) != set(offerings):
        message = _("List every plan you offer exactly once.")
        raise ValidationFailed(message, code="plan_order_mismatch", fields={"codes": [message]})
    for position, code in enumerate(codes, start=1):
        offerings[code].display_order = position * 10
    MerchantPlan.objects.bulk_update(offerings.values(), ["display_order"])
    catalog_invalidate()  # bulk_update sends no post_save
    return [offerings[code] for code in codes]
