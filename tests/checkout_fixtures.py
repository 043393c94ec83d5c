"""Fixtures for tests that go through checkout: a plan, offer tokens, order bodies."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.checkout.orders import LineInput, OrderInput, TermsAcceptance, order_upsert
from backend.common.actors import Actor
from backend.contracts.models import Contract
from backend.contracts.services import contract_activate
from backend.plans.offers import ProductInput, offers_for_product
from backend.plans.terms import terms_sha256
from tests.factories import (
    AdministratorFactory,
    InsuredProviderFactory,
    MerchantPlanFactory,
    PlanFactory,
    PlanPriceFactory,
)

TERMS = {
    "accepted": True,
    "text": "I have read the plan terms and agree to them.",
    "text_version": "checkout-terms-1",
    "ip_address": "203.0.113.9",
    "user_agent": "pytest",
}


@pytest.fixture
def plan(merchant, phones):
    plan = PlanFactory(
        code="phone-2y",
        term_months=24,
        waiting_period_days=30,
        provider=InsuredProviderFactory(),
        coverage_starts="immediate",
    )
    PlanPriceFactory(
        plan=plan,
        product_price_min=0,
        product_price_max=199_999,
        price=9_999,
        cancellation_fee=2_500,
    )
    MerchantPlanFactory(merchant=merchant, plan=plan)
    return plan


@pytest.fixture
def texas_plan(plan):
    """The checkout fixtures' plan, registered in Texas (Tex. Occ. Code 1304.156)."""
    plan.provider.registration_numbers = {"US-TX": "TX-SC-9"}
    plan.provider.save()
    plan.administrator = AdministratorFactory(registration_numbers={"US-TX": "TX-9"})
    plan.merchant_commission_bp, plan.administrator_fee_bp = 2_000, 1_000
    plan.save()
    return plan


@pytest.fixture
def offer(merchant, plan):
    """A fresh offer token for one phone priced $799.00 in California, quantity up to 3."""

    def make(quantity=3, jurisdiction="US-CA", price=79_900, warranty=12):
        product = ProductInput(
            sku="PHONE-9",
            title="Phone 9",
            category="phones",
            price=price,
            currency="USD",
            manufacturer_warranty_months=warranty,
        )
        [o] = offers_for_product(
            merchant_id=merchant.id, product=product, quantity=quantity, jurisdiction=jurisdiction
        ).offers
        return o.token

    return make


@pytest.fixture
def order_body(offer):
    def make(quantity=2, email="ana@example.com", jurisdiction="US-CA", **overrides):
        body = {
            "customer": {"email": email, "first_name": "Ana", "last_name": "Nowak", "locale": "en"},
            "jurisdiction": jurisdiction,
            "lines": [
                {
                    "offer_token": offer(jurisdiction=jurisdiction),
                    "terms_sha256": terms_sha256("phone-2y", jurisdiction, "en"),
                    "quantity": quantity,
                    "product_title": "Phone 9",
                }
            ],
            "terms_acceptance": TERMS,
        }
        body.update(overrides)
        return body

    return make


@pytest.fixture
def put_order(api):
    def put(order_id, body, client: APIClient | None = None):
        return (client or api).put(f"/api/v1/orders/{order_id}/", body, format="json")

    return put


@pytest.fixture
def paid_order(stripe_api, put_order, order_body, client):
    """An order of two units, paid and activated through a signed webhook."""
    from tests import stripe_helpers

    def make(order_id="PAID-1", quantity=2, card=None, **body_overrides):
        body = put_order(order_id, order_body(quantity=quantity, **body_overrides)).json()
        intent_id = body["payment"]["client_secret"].split("_secret")[0]
        stripe_helpers.pay(intent_id, card)
        stripe_helpers.deliver(
            client, stripe_helpers.intent_event("payment_intent.succeeded", intent_id)
        )
        return intent_id, [c["number"] for c in body["contracts"]]

    return make


@pytest.fixture
def sell(merchant, offer, plan):
    """``sell(email=..., days_ago=60)``: an active contract bought ``days_ago`` days ago
    (its waiting period of 30 days long over by default)."""
    counter = iter(range(1_000_000))

    def make(email="ana@example.com", days_ago=60, first_name="Ana", last_name="Nowak", **kw):
        n = next(counter)
        jurisdiction = kw.get("jurisdiction", "US-CA")
        result = order_upsert(
            merchant=merchant,
            data=OrderInput(
                merchant_order_id=f"claims-{n}",
                jurisdiction=jurisdiction,
                customer={
                    "email": email,
                    "first_name": first_name,
                    "last_name": last_name,
                    "locale": kw.get("locale", "en"),
                },
                lines=[
                    LineInput(
                        offer_token=offer(quantity=1, jurisdiction=jurisdiction),
                        terms_sha256=terms_sha256(plan.code, jurisdiction, "en"),
                        quantity=1,
                        product_title="Phone 9",
                    )
                ],
                terms=TermsAcceptance(text="I agree.", text_version="test"),
            ),
        )
        [contract] = result.contracts
        bought = timezone.now() - timedelta(days=days_ago)
        Contract.objects.filter(pk=contract.pk).update(purchased_at=bought)
        contract_activate(contract_id=contract.pk, actor=Actor.system("test"), at=bought)
        return Contract.objects.select_related("customer").get(pk=contract.pk)

    return make
