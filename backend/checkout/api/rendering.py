"""Fast JSON rendering of orders.

An order PUT is on every purchase's path, and DRF's field-by-field serialisation cost
about as much as the order's own writes. These functions build the same bodies as plain
dicts; the serializers in ``serializers.py`` stay the schema (OpenAPI) and delegate their
``to_representation`` here, and a test holds both to DRF's own rendering, field by field.
"""

from django.conf import settings

from backend.common.isoformat import iso_datetime
from backend.contracts.payloads import contract_dict


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
