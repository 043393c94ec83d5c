"""What a contract's documents show: its data, formatted for the document's language."""

from django.utils import timezone, translation

from backend.common.jurisdictions import place_name
from backend.common.money import format_minor
from backend.common.packs import pack_for
from backend.legal.refunds import quote_line_label
from backend.legal.rendering import (
    cancellation_terms,
    claim_steps,
    long_date,
    party_data,
    tax_rows,
    transfer_terms,
)
from backend.plans.texts import catalogue_text, snapshot_texts


def document_data(contract, kind: str, language: str) -> dict:
    """Everything a contract document shows, formatted for ``language``."""
    pack = pack_for(contract.jurisdiction)
    plan, product = contract.plan_snapshot, contract.product_snapshot
    customer = contract.customer

    def money(amount):
        return format_minor(amount, contract.currency, language) if amount is not None else ""

    with translation.override(language):
        data = {
            "pack": {"code": pack.code, "name": place_name(contract.jurisdiction, language)},
            "contract": {
                "number": contract.number,
                "jurisdiction": contract.jurisdiction,
                # Where it was sold, by its own name: an Ohio contract under the model act's
                # rules says Ohio, not the rules' "United States".
                "territory": place_name(contract.jurisdiction, language),
                "issued_on": long_date(timezone.localdate(contract.purchased_at), language),
                "price_display": money(contract.price),
                "term_months": str(plan["term_months"]),
                "coverage_start": long_date(contract.coverage_start, language),
                "coverage_end": long_date(contract.coverage_end, language),
                "waiting_period_ends": long_date(contract.waiting_period_ends, language),
                "claims_from": long_date(contract.claims_from, language),
                "limit_display": money(contract.limit_of_liability),
            },
            "holder": {
                "name": " ".join(p for p in (customer.first_name, customer.last_name) if p)
                or customer.email,
                "email": customer.email,
            },
            "seller": {"name": contract.merchant.name},
            "product": {
                "title": product.get("title") or product.get("sku", ""),
                "sku": product.get("sku", ""),
                "price_display": money(product.get("price")),
            },
            "plan": {
                **catalogue_text(snapshot_texts(plan), language),
                "code": plan["code"],
                "deductible_display": money(plan.get("deductible", 0)),
                "waiting_period_days": str(plan.get("waiting_period_days", 0)),
                "transfer_terms": transfer_terms(plan.get("transferable", True)),
            },
            "provider": party_data(plan.get("provider"), pack),
            "administrator": party_data(plan.get("administrator"), pack),
            "claim_steps": claim_steps(),
            "cancellation": cancellation_terms(pack, contract.currency, language),
            "taxes": tax_rows(
                plan.get("price_split", {}).get("taxes", ()), contract.currency, language
            ),
        }
        refund = getattr(contract, "refund", None) if kind == "refund_notice" else None
        if refund is not None:
            quote = refund.quote
            data["refund"] = {
                "lines": [
                    {
                        **_line_label(line, refund.currency, language),
                        "amount_display": money(line["amount"]),
                    }
                    for line in quote.get("lines", [])
                ],
                "total_display": money(refund.amount),
                "due_on": long_date(timezone.localdate(refund.due_at), language),
            }
    return data


def _line_label(line: dict, currency: str, language: str) -> dict:
    """A refund quote line's label in ``language``, and the language it is in: a quote
    stored before lines kept their numbers has only its English label."""
    if "params" not in line:
        return {"label": line["label"], "language": "en"}
    return {
        "label": quote_line_label(line["key"], line["params"], currency, language),
        "language": language,
    }
