"""Fast JSON rendering of offers.

The offers endpoint is the hottest path in Coverdesk, and DRF's serializers cost more
than the offer computation itself. The response is therefore built here as plain dicts;
``OffersResponseSerializer`` remains its schema (OpenAPI), and a test holds the two to the
same fields.
"""

from backend.common.languages import name_in, text_language
from backend.common.money import format_minor
from backend.common.packs import pack_for
from backend.plans.offers import Offer, OfferSet, ProductInput
from backend.plans.taxes import TaxRule, tax_lines, tax_rules, tax_total
from backend.plans.terms import terms_sha256

TERMS_CODE_PLACEHOLDER = "__plan_code__"


def taxes_dicts(lines, currency: str, language: str) -> list[dict]:
    """A price's taxes (``plans.taxes.TaxLine``) as the shopper is shown them."""
    return [
        {
            "id": line.id,
            "name": name_in(line.names, language, line.id),
            "rate_bp": line.rate_bp,
            "amount": line.amount,
            "amount_display": format_minor(line.amount, currency, language),
        }
        for line in lines
    ]


def offer_dict(
    offer: Offer,
    *,
    language: str,
    terms_url: str,
    jurisdiction: str,
    taxes: tuple[TaxRule, ...] = (),
) -> dict:
    plan = offer.plan
    tax = tax_lines(offer.price, offer.currency, taxes)
    # In the language its terms page is in: the shopper's, where the plan has text in it.
    name, summary = plan.texts[text_language(plan.texts, language, pack_for(jurisdiction))]
    return {
        "plan_code": plan.code,
        "name": name,
        "summary": summary,
        "provider": plan.provider_name,
        "coverage": plan.coverage,
        "service_type": plan.service_type,
        "term_months": plan.term_months,
        "coverage_starts": plan.coverage_starts,
        "coverage_begins_after_months": offer.coverage_begins_after_months,
        "waiting_period_days": plan.waiting_period_days,
        "currency": offer.currency,
        "price": offer.price,
        "total": offer.total,
        "price_display": format_minor(offer.price, offer.currency, language),
        "tax": tax_total(tax),
        "taxes": taxes_dicts(tax, offer.currency, language),
        "deductible": offer.band.deductible,
        "limit_of_liability": offer.limit_of_liability,
        "terms_url": terms_url.replace(TERMS_CODE_PLACEHOLDER, plan.code, 1),
        "terms_sha256": terms_sha256(plan.code, jurisdiction, language),
        "offer_token": offer.token,
    }


def offers_response(
    *,
    product: ProductInput,
    jurisdiction: str,
    quantity: int,
    offer_set: OfferSet,
    language: str,
    terms_url: str,
) -> dict:
    taxes = tax_rules(jurisdiction)
    return {
        "product": {
            "sku": product.sku,
            "title": product.title,
            "category": product.category,
            "price": product.price,
            "currency": product.currency,
            "manufacturer_warranty_months": product.manufacturer_warranty_months,
        },
        "jurisdiction": jurisdiction,
        "quantity": quantity,
        "expires_at": offer_set.expires_at.isoformat().replace("+00:00", "Z"),
        "offers": [
            offer_dict(
                o, language=language, terms_url=terms_url, jurisdiction=jurisdiction, taxes=taxes
            )
            for o in offer_set.offers
        ],
    }
