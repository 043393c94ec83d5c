"""Cache upkeep: any change to the plan catalogue invalidates every process's snapshot.

Bulk queryset updates bypass signals; code that bulk-edits these models must call
``catalog_invalidate()`` itself.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from backend.merchants.models import Merchant
from backend.plans.catalog_cache import catalog_invalidate
from backend.plans.models import MerchantPlan, Plan, PlanPrice, PlanTranslation, Provider


def _catalogue_changed(sender, **kwargs):
    catalog_invalidate()


for _model in (Plan, PlanPrice, PlanTranslation, Provider, MerchantPlan, Merchant):
    post_save.connect(
        _catalogue_changed, sender=_model, dispatch_uid=f"catalog-save-{_model.__name__}"
    )
    post_delete.connect(
        _catalogue_changed, sender=_model, dispatch_uid=f"catalog-delete-{_model.__name__}"
    )
m2m_changed.connect(
    _catalogue_changed,
    sender=Plan.eligible_categories.through,
    dispatch_uid="catalog-plan-categories",
)
