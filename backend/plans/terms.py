"""The pre-sale terms of a plan, as shown to shoppers, and the hash that proves which.

The terms page, the offers (``terms_sha256``) and checkout all go through ``render_terms``,
so the hash a shopper accepts is the hash of exactly the page they could read.
"""

import hashlib
from functools import lru_cache

from django.template.loader import render_to_string
from django.utils import translation

from backend.common import jurisdictions
from backend.common.money import Money
from backend.plans.catalog_cache import catalog_snapshot
from backend.plans.models import Plan


def render_terms(plan: Plan, jurisdiction: str, language: str) -> str:
    with translation.override(language):
        bands = [
            {
                "from": Money(p.product_price_min, p.currency).format(language),
                "to": Money(p.product_price_max, p.currency).format(language),
                "price": Money(p.price, p.currency).format(language),
                "deductible": Money(p.deductible, p.currency).format(language),
                "limit": Money(p.limit_of_liability, p.currency).format(language)
                if p.limit_of_liability is not None
                else None,
                "fee": Money(p.cancellation_fee, p.currency).format(language),
            }
            for p in plan.prices.all()
        ]
        sold_here = not jurisdiction or (
            jurisdictions.market_matches(frozenset(plan.markets), jurisdiction)
            and not jurisdictions.market_matches(frozenset(plan.excluded_markets), jurisdiction)
        )
        return render_to_string(
            "plans/terms.html",
            {
                "plan": plan,
                "provider": plan.provider,
                "administrator": plan.administrator,
                "jurisdiction": jurisdiction,
                "sold_here": sold_here,
                "bands": bands,
                "categories": [c.name for c in plan.eligible_categories.all()],
                "LANGUAGE_CODE": language,
            },
        )


def sha256(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


def terms_sha256(plan_code: str, jurisdiction: str, language: str) -> str:
    """The hash of the terms page for this plan, jurisdiction and language, now."""
    return _terms_sha256(plan_code, jurisdiction, language, catalog_snapshot().version)


@lru_cache(maxsize=4096)
def _terms_sha256(plan_code: str, jurisdiction: str, language: str, _version: str) -> str:
    # Keyed by the catalogue version: any committed catalogue change renders afresh.
    plan = (
        Plan.objects.select_related("provider", "administrator")
        .prefetch_related("eligible_categories", "prices")
        .get(code=plan_code)
    )
    return sha256(render_terms(plan, jurisdiction, language))
