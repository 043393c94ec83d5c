"""A contract as merchants see it: the body of the API's contract and of every outbound
webhook about one. Defined here, beside the contract, so that the webhooks app and the
API render the same thing without either importing the other."""

from backend.common.isoformat import iso_date, iso_datetime
from backend.contracts.models import Contract


def contract_dict(contract: Contract) -> dict:
    plan = contract.plan_snapshot
    return {
        "number": contract.number,
        "state": contract.state,
        "plan_code": plan["code"],
        "plan_name": plan["name"],
        "product": contract.product_snapshot,
        "price": contract.price,
        "tax": contract.tax,
        "taxes": contract.taxes,
        "currency": contract.currency,
        "jurisdiction": contract.jurisdiction,
        "purchased_at": iso_datetime(contract.purchased_at),
        "activated_at": iso_datetime(contract.activated_at),
        "coverage_start": iso_date(contract.coverage_start),
        "coverage_end": iso_date(contract.coverage_end),
        "waiting_period_ends": iso_date(contract.waiting_period_ends),
        "claims_from": iso_date(contract.claims_from),
        "limit_of_liability": contract.limit_of_liability,
        "limit_remaining": contract.limit_remaining,
        "customer_email": contract.customer.email,
        "ended_at": iso_datetime(contract.ended_at),
    }


def contract_webhook_data(contract: Contract) -> dict:
    """The ``data`` of a ``contract.*`` webhook (load ``customer`` and
    ``order_line__order`` with the contract)."""
    return {
        "contract": contract_dict(contract),
        "merchant_order_id": contract.order_line.order.merchant_order_id,
    }
