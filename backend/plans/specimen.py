"""The data of a plan's specimen contract: the pre-sale terms page shows the same template
and clauses its contracts are issued with, before any sale fixes a buyer or a price."""

from django.utils import translation
from django.utils.translation import gettext as _

from backend.common.jurisdictions import place_name
from backend.common.money import format_minor
from backend.common.packs import Pack
from backend.legal.rendering import (
    cancellation_terms,
    claim_steps,
    party_data,
    tax_rows,
    transfer_terms,
)
from backend.plans.snapshots import plan_parties
from backend.plans.taxes import pack_tax_rules
from backend.plans.texts import catalogue_text, plan_texts


def specimen_data(plan, pack: Pack, language: str, jurisdiction: str = "") -> dict:
    """The data of a specimen contract: the plan's real terms, with placeholders for what
    only a sale fixes (the buyer, the product, the price band, the dates)."""
    parties = plan_parties(plan)
    bands = list(plan.prices.all())
    with translation.override(language):
        buying_day = _("the day you buy the plan")
        starts = (
            buying_day
            if plan.coverage_starts == "immediate"
            else _("the day the manufacturer's warranty ends")
        )
        see_table = _("as shown at checkout, by the product's price (see the table below)")
        place = place_name(jurisdiction, language) if jurisdiction else ""
        return {
            "specimen": True,
            "pack": {"code": pack.code, "name": place or pack.display_name(language)},
            "contract": {
                "number": _("SPECIMEN"),
                "jurisdiction": jurisdiction,
                "territory": place or pack.display_name(language),
                "issued_on": buying_day,
                "price_display": see_table,
                "term_months": str(plan.term_months),
                "coverage_start": starts,
                "coverage_end": _("%(months)d months later") % {"months": plan.term_months},
                "waiting_period_ends": _("%(days)d days after you buy")
                % {"days": plan.waiting_period_days}
                if plan.waiting_period_days
                else buying_day,
                # Claims run from the later of coverage start and the waiting period's end.
                "claims_from": starts
                if plan.coverage_starts != "immediate"
                else (
                    _("%(days)d days after you buy") % {"days": plan.waiting_period_days}
                    if plan.waiting_period_days
                    else buying_day
                ),
                "limit_display": see_table,
            },
            "holder": {"name": _("You, the buyer of the plan"), "email": ""},
            "seller": {"name": _("The store you buy the product from")},
            "product": {
                "title": _("The product you buy this plan for"),
                "sku": "",
                "price_display": "",
            },
            "plan": {
                **catalogue_text(plan_texts(plan), language),
                "code": plan.code,
                "deductible_display": see_table,
                "waiting_period_days": str(plan.waiting_period_days),
                "transfer_terms": transfer_terms(plan.transferable),
            },
            "bands": [
                {
                    "product_price_from": format_minor(b.product_price_min, b.currency, language),
                    "product_price_to": format_minor(b.product_price_max, b.currency, language),
                    "price": format_minor(b.price, b.currency, language),
                    "deductible": format_minor(b.deductible, b.currency, language),
                    "limit": format_minor(b.limit_of_liability, b.currency, language)
                    if b.limit_of_liability is not None
                    else _("the product's purchase price"),
                    "fee": format_minor(b.cancellation_fee, b.currency, language),
                }
                for b in bands
            ],
            "provider": party_data(parties["provider"], pack),
            "administrator": party_data(parties["administrator"], pack),
            "claim_steps": claim_steps(),
            "cancellation": cancellation_terms(
                pack, bands[0].currency if bands else "USD", language
            ),
            # The taxes its prices include here: the rates only; a sale fixes the amounts.
            "taxes": tax_rows(
                [rule.as_dict() for rule in pack_tax_rules(pack)],
                bands[0].currency if bands else "USD",
                language,
            ),
        }
