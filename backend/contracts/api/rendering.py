"""Fast JSON rendering of orders and contracts.

An order PUT is on every purchase's path, and DRF's field-by-field serialisation cost
about as much as the order's own writes. These functions build the same bodies as plain
dicts; the serializers in ``serializers.py`` stay the schema (OpenAPI) and delegate their
``to_representation`` here, and a test holds both to DRF's own rendering, field by field.
"""

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone


def iso_datetime(value: datetime | None) -> str | None:
    """What DRF's DateTimeField renders: ISO 8601 in the current time zone, UTC as ``Z``."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def contract_dict(contract) -> dict:
    plan = contract.plan_snapshot
    return {
        "number": contract.number,
        "state": contract.state,
        "plan_code": plan["code"],
        "plan_name": plan["name"],
        "product": contract.product_snapshot,
        "price": contract.price,
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


def order_dict(order, contracts) -> dict:
    payment = order.payment
    return {
        "merchant_order_id": order.merchant_order_id,
        "jurisdiction": order.jurisdiction,
        "currency": order.currency,
        "total": order.total,
        "purchased_at": iso_datetime(order.purchased_at),
        "customer_email": order.customer.email,
        "payment": {
            "state": payment.state,
            "amount": payment.amount,
            "currency": payment.currency,
            "client_secret": payment.client_secret,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "failure_message": payment.failure_message,
        },
        "contracts": [contract_dict(contract) for contract in contracts],
    }
