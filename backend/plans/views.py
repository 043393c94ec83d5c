"""Public pages of the plan catalogue (HTML, no authentication)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from backend.common import jurisdictions
from backend.common.exceptions import NotFound
from backend.common.money import Money
from backend.plans.selectors import plan_get_public


@require_GET
def plan_terms(request, code: str):
    """The full terms of a plan for a jurisdiction, reachable from every offer before payment.

    A plain rendering for now; the compliant, versioned document per jurisdiction pack
    replaces it when documents are issued from legal templates.
    """
    try:
        plan = plan_get_public(code=code)
    except NotFound:
        raise Http404("No such plan") from None
    jurisdiction = jurisdictions.normalise(request.GET.get("jurisdiction", ""))
    if jurisdiction and not jurisdictions.is_shopper_jurisdiction(jurisdiction):
        jurisdiction = ""
    language = getattr(request, "LANGUAGE_CODE", "en")
    bands = [
        {
            "currency": p.currency,
            "from": Money(p.product_price_min, p.currency).format(language),
            "to": Money(p.product_price_max, p.currency).format(language),
            "price": Money(p.price, p.currency).format(language),
            "deductible": Money(p.deductible, p.currency).format(language),
            "limit": Money(p.limit_of_liability, p.currency).format(language)
            if p.limit_of_liability is not None
            else None,
        }
        for p in plan.prices.all()
    ]
    sold_here = not jurisdiction or (
        jurisdictions.market_matches(frozenset(plan.markets), jurisdiction)
        and not jurisdictions.market_matches(frozenset(plan.excluded_markets), jurisdiction)
    )
    return render(
        request,
        "plans/terms.html",
        {
            "plan": plan,
            "provider": plan.provider,
            "administrator": plan.administrator,
            "jurisdiction": jurisdiction,
            "sold_here": sold_here,
            "bands": bands,
            "categories": [c.name for c in plan.eligible_categories.all()],
        },
    )
