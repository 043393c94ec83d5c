"""Offer eligibility and offer tokens, through the service."""

import time

import pytest
from django.core import signing

from backend.common.exceptions import ApplicationError
from backend.plans.offers import (
    TOKEN_SALT,
    ProductInput,
    offer_token_verify,
    offers_for_product,
)
from tests.factories import (
    AdministratorFactory,
    CategoryFactory,
    InsuredProviderFactory,
    MerchantPlanFactory,
    PlanFactory,
    PlanPriceFactory,
    ProviderFactory,
)

pytestmark = pytest.mark.django_db


def phone(price=49_999, currency="USD", category="phones", warranty=12):
    return ProductInput(
        sku="P-1",
        title="Phone",
        category=category,
        price=price,
        currency=currency,
        manufacturer_warranty_months=warranty,
    )


def offered(merchant, **plan_kwargs):
    """A plan the merchant offers, with one USD band 100.00 to 999.99 at 49.99."""
    bands = plan_kwargs.pop("bands", [(10_000, 99_999, 4_999)])
    order = plan_kwargs.pop("display_order", 100)
    plan = PlanFactory(**plan_kwargs)
    for lo, hi, price in bands:
        PlanPriceFactory(plan=plan, product_price_min=lo, product_price_max=hi, price=price)
    MerchantPlanFactory(merchant=merchant, plan=plan, display_order=order)
    return plan


def codes(merchant, product=None, jurisdiction="US-CA", quantity=1):
    result = offers_for_product(
        merchant_id=merchant.id,
        product=product or phone(),
        quantity=quantity,
        jurisdiction=jurisdiction,
    )
    return [o.plan.code for o in result.offers]


def test_offers_an_eligible_plan_with_its_band_terms(merchant, phones):
    plan = offered(
        merchant,
        code="p",
        term_months=36,
        coverage="adh",
        waiting_period_days=30,
        coverage_starts="after_manufacturer_warranty",
    )
    result = offers_for_product(
        merchant_id=merchant.id, product=phone(warranty=24), quantity=2, jurisdiction="US-CA"
    )
    [offer] = result.offers
    assert offer.plan.id == plan.id
    assert (offer.price, offer.total, offer.currency) == (4_999, 9_998, "USD")
    assert offer.limit_of_liability == 49_999  # null band limit: the product's price
    assert offer.coverage_begins_after_months == 24
    assert offer.plan.waiting_period_days == 30


def test_excludes_plans_for_other_categories(merchant, phones):
    CategoryFactory(slug="tvs")
    offered(merchant, code="phones-plan")
    offered(merchant, code="tv-plan", categories=["tvs"])
    assert codes(merchant) == ["phones-plan"]
    assert codes(merchant, phone(category="tvs")) == ["tv-plan"]


@pytest.mark.parametrize(
    ("price", "eligible"),
    [(9_999, False), (10_000, True), (50_000, True), (99_999, True), (100_000, False)],
)
def test_price_band_edges_are_inclusive(merchant, phones, price, eligible):
    offered(merchant, code="p")
    assert codes(merchant, phone(price=price)) == (["p"] if eligible else [])


def test_picks_the_band_containing_the_price(merchant, phones):
    offered(
        merchant,
        code="p",
        bands=[(0, 9_999, 999), (10_000, 49_999, 2_999), (50_000, 99_999, 5_999)],
    )
    for price, expected in [(5_000, 999), (10_000, 2_999), (49_999, 2_999), (50_000, 5_999)]:
        [offer] = offers_for_product(
            merchant_id=merchant.id, product=phone(price=price), quantity=1, jurisdiction="US-GA"
        ).offers
        assert offer.price == expected


def test_gap_between_bands_offers_nothing(merchant, phones):
    offered(merchant, code="p", bands=[(0, 9_999, 999), (20_000, 29_999, 2_999)])
    assert codes(merchant, phone(price=15_000)) == []


def test_band_currency_must_match_the_product(merchant, phones):
    offered(merchant, code="p")
    assert codes(merchant, phone(currency="PLN")) == []


@pytest.mark.parametrize(
    ("markets", "excluded", "jurisdiction", "eligible"),
    [
        (["US"], [], "US-CA", True),
        (["US"], ["US-FL"], "US-FL", False),
        (["US"], ["US-FL"], "US-GA", True),
        (["US-CA", "US-NY"], [], "US-NY", True),
        (["US-CA", "US-NY"], [], "US-TX", False),
        (["US"], [], "PL", False),
        (["PL"], [], "PL", True),
        (["EU"], [], "DE", True),
        (["EU"], ["DE"], "DE", False),
        (["EU"], [], "GB", False),
    ],
)
def test_jurisdiction(merchant, phones, markets, excluded, jurisdiction, eligible):
    offered(merchant, code="p", markets=markets, excluded_markets=excluded)
    assert codes(merchant, jurisdiction=jurisdiction) == (["p"] if eligible else [])


def test_a_plan_whose_documents_could_not_comply_in_a_state_is_not_offered_there(merchant, phones):
    """Texas requires the provider's and the administrator's registration numbers."""
    unregistered = AdministratorFactory()
    registered = AdministratorFactory(registration_numbers={"US-TX": "TX-ADM-1"})
    texan = InsuredProviderFactory(registration_numbers={"US-TX": "TX-SC-1"})
    offered(merchant, code="no-administrator", provider=texan)
    offered(merchant, code="unregistered", administrator=unregistered, provider=texan)
    offered(merchant, code="registered", administrator=registered, provider=texan)
    offered(merchant, code="provider-unregistered", administrator=registered)
    assert codes(merchant, jurisdiction="US-TX") == ["registered"]
    assert sorted(codes(merchant, jurisdiction="US-CA")) == [
        "no-administrator",
        "provider-unregistered",
        "registered",
        "unregistered",
    ]


def test_a_jurisdiction_without_a_pack_is_never_offered(merchant, phones):
    offered(merchant, code="worldwide", markets=["US", "JP", "EU"])
    assert codes(merchant, jurisdiction="JP") == []
    assert codes(merchant, jurisdiction="DE") == ["worldwide"]


def test_admin_says_where_and_why_a_plan_cannot_be_sold(merchant, phones, admin_client):
    plan = offered(merchant, code="no-administrator")
    page = admin_client.get(f"/admin/plans/plan/{plan.pk}/change/").content.decode()
    assert "Where it cannot be sold" in page
    assert "US-TX" in page and "administrator.registration_number is empty" in page


def test_only_plans_the_merchant_offers(merchant, other_merchant, phones):
    offered(merchant, code="mine")
    offered(other_merchant, code="theirs")
    assert codes(merchant) == ["mine"]
    assert codes(other_merchant) == ["theirs"]


def test_inactive_plans_offerings_and_providers_are_not_offered(merchant, phones):
    offered(merchant, code="inactive-plan", is_active=False)
    offered(merchant, code="inactive-provider", provider=ProviderFactory(is_active=False))
    plan = offered(merchant, code="inactive-offering")
    plan.merchant_offerings.update(is_active=False)
    assert codes(merchant) == []


def test_provider_missing_a_disclosure_field_is_not_offered(merchant, phones):
    offered(merchant, code="no-phone", provider=ProviderFactory(toll_free_phone=""))
    offered(merchant, code="insured-no-insurer", provider=InsuredProviderFactory(insurer_name=""))
    offered(merchant, code="complete", provider=InsuredProviderFactory())
    assert codes(merchant) == ["complete"]


def test_sorted_by_merchant_order_then_term_then_price(merchant, phones):
    offered(merchant, code="late", display_order=20, term_months=12)
    offered(merchant, code="three-years", display_order=10, term_months=36)
    offered(
        merchant,
        code="two-years-dear",
        display_order=10,
        term_months=24,
        bands=[(0, 99_999, 7_999)],
    )
    offered(
        merchant,
        code="two-years-cheap",
        display_order=10,
        term_months=24,
        bands=[(0, 99_999, 5_999)],
    )
    assert codes(merchant) == ["two-years-cheap", "two-years-dear", "three-years", "late"]


def test_band_limit_of_liability_and_deductible(merchant, phones):
    plan = offered(merchant, code="p", bands=[])
    PlanPriceFactory(
        plan=plan,
        product_price_min=0,
        product_price_max=99_999,
        price=4_999,
        deductible=2_500,
        limit_of_liability=60_000,
    )
    [offer] = offers_for_product(
        merchant_id=merchant.id, product=phone(), quantity=1, jurisdiction="US-CA"
    ).offers
    assert (offer.band.deductible, offer.limit_of_liability) == (2_500, 60_000)


# --- Offer tokens -------------------------------------------------------------------------


def the_offer(merchant, quantity=3):
    offered(merchant, code="p")
    [offer] = offers_for_product(
        merchant_id=merchant.id, product=phone(), quantity=quantity, jurisdiction="US-NY"
    ).offers
    return offer


def test_token_round_trip_binds_plan_prices_quantity_and_jurisdiction(merchant, phones):
    offer = the_offer(merchant)
    claims = offer_token_verify(token=offer.token, merchant_id=merchant.id)
    assert claims.plan_id == offer.plan.id
    assert (claims.product_price, claims.plan_price, claims.currency) == (49_999, 4_999, "USD")
    assert (claims.quantity, claims.jurisdiction, claims.sku) == (3, "US-NY", "P-1")
    assert claims.expires_at.timestamp() > time.time() + 3600


def test_token_for_another_merchant_is_refused(merchant, other_merchant, phones):
    offer = the_offer(merchant)
    with pytest.raises(ApplicationError) as exc:
        offer_token_verify(token=offer.token, merchant_id=other_merchant.id)
    assert exc.value.code == "offer_token_wrong_merchant"


def test_tampered_token_is_refused(merchant, phones):
    offer = the_offer(merchant)
    payload = signing.Signer(salt=TOKEN_SALT).unsign_object(offer.token)
    payload["pr"] = 1  # a cheaper plan price, re-encoded without the secret
    forged_value = signing.Signer(key="attacker", salt=TOKEN_SALT).sign_object(payload)
    for token in (forged_value, offer.token[:-2] + "xx", offer.token[:40], "", "a" * 5000):
        with pytest.raises(ApplicationError) as exc:
            offer_token_verify(token=token, merchant_id=merchant.id)
        assert exc.value.code == "offer_token_invalid"


def test_expired_token_is_refused(merchant, phones, settings):
    from datetime import timedelta

    settings.OFFER_TOKEN_TTL = timedelta(seconds=-1)
    offer = the_offer(merchant)
    with pytest.raises(ApplicationError) as exc:
        offer_token_verify(token=offer.token, merchant_id=merchant.id)
    assert exc.value.code == "offer_token_expired"
