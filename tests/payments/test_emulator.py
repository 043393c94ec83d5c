"""The project's Stripe emulator (scripts/run_localstripe.py) behaves as Stripe's test mode
where the demo and the tests rely on it: numbers read as typed, and decline cards decline."""

import pytest

from backend.payments import stripe_gateway
from tests import stripe_helpers as sh

pytestmark = pytest.mark.django_db


def _token_card(number: str) -> str:
    """What the emulator's Stripe.js does with the card field (the widget's path)."""
    token = sh.client().v1.tokens.create(
        params={"card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    return token.card.id


def _intent(amount=1999) -> str:
    return sh.client().v1.payment_intents.create(params={"amount": amount, "currency": "usd"}).id


@pytest.mark.parametrize(
    "typed", ["4242 4242 4242 4242", "4242-4242-4242-4242", "4242424242424242"]
)
def test_the_test_card_typed_as_printed_pays(stripe_api, typed):
    intent = _intent()
    info = stripe_gateway.payment_intent_confirm(intent, payment_method=_token_card(typed))
    assert info.status == "succeeded", info


@pytest.mark.parametrize(
    "card",
    ["4000 0000 0000 0002", "4000000000009995", "4000000000000069", "4000000000000341"],
)
def test_the_standard_decline_cards_decline(stripe_api, card):
    intent = _intent()
    info = stripe_gateway.payment_intent_confirm(intent, payment_method=_token_card(card))
    assert info.status != "succeeded" and info.last_error, info
    method = sh.client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": card, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    intent = _intent()
    again = stripe_gateway.payment_intent_confirm(intent, payment_method=method.id)
    assert again.status != "succeeded" and again.last_error, again
