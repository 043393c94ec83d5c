"""Helpers for tests that pay through localstripe and receive Stripe webhooks."""

import hashlib
import hmac
import json
import secrets
import time

import stripe
from django.conf import settings

DECLINED_CARD = "4000000000000341"


def client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE}
    )


def pay(payment_intent_id: str, card: str | None = None):
    """What Stripe.js does in the shopper's browser: attach a card and confirm."""
    c = client()
    if card is None:
        method = "pm_card_visa"
    else:
        method = c.v1.payment_methods.create(
            params={
                "type": "card",
                "card": {"number": card, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
            }
        ).id
    c.v1.payment_intents.update(payment_intent_id, params={"payment_method": method})
    try:
        return c.v1.payment_intents.confirm(payment_intent_id)
    except stripe.CardError:
        return c.v1.payment_intents.retrieve(payment_intent_id)


def signed(event: dict | bytes, secret: str | None = None, timestamp: int | None = None):
    """Sign a webhook body the way Stripe does: ``t=<ts>,v1=HMAC-SHA256(ts.body)``."""
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    ts = int(time.time()) if timestamp is None else timestamp
    key = (secret or settings.STRIPE_WEBHOOK_SECRET).encode()
    signature = hmac.new(key, f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={ts},v1={signature}"


def event(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{secrets.token_hex(8)}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": obj},
    }


def intent_event(event_type: str, payment_intent_id: str, event_id: str | None = None) -> dict:
    """An event carrying the PaymentIntent as localstripe has it now."""
    intent = client().v1.payment_intents.retrieve(payment_intent_id).to_dict()
    return event(event_type, intent, event_id)


def deliver(api_client, evt: dict, **sign_kwargs):
    body, header = signed(evt, **sign_kwargs)
    return api_client.post(
        "/api/v1/webhooks/stripe/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
