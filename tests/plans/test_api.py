"""The offers and plans endpoints: input validation, isolation, query counts."""

import pytest
from django.urls import reverse

from backend.plans import catalog_cache
from backend.plans.offers import offer_token_verify
from tests.factories import (
    CategoryFactory,
    MerchantPlanFactory,
    PlanFactory,
    PlanPriceFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/offers/"


@pytest.fixture
def catalogue(merchant, phones):
    """Three plans offered by ``merchant`` for phones in the US, and one product."""
    for n, months in enumerate((12, 24, 36)):
        plan = PlanFactory(code=f"phone-{months}m", term_months=months)
        PlanPriceFactory(
            plan=plan, product_price_min=0, product_price_max=99_999, price=2_000 + 1_000 * n
        )
        MerchantPlanFactory(merchant=merchant, plan=plan)
    return ProductFactory(merchant=merchant, sku="PHONE-1", price=59_999)


def post(client, body, **extra):
    return client.post(URL, body, format="json", **extra)


def test_offers_by_sku(api, catalogue):
    response = post(api, {"sku": "PHONE-1", "jurisdiction": "us-ca", "quantity": 2})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["product"]["sku"] == "PHONE-1"
    assert body["jurisdiction"] == "US-CA"
    assert [o["plan_code"] for o in body["offers"]] == ["phone-12m", "phone-24m", "phone-36m"]
    first = body["offers"][0]
    assert (first["price"], first["total"], first["currency"]) == (2_000, 4_000, "USD")
    assert first["price_display"] == "$20.00"
    assert first["terms_url"] == "http://testserver/plans/phone-12m/terms/?jurisdiction=US-CA"
    assert first["limit_of_liability"] == 59_999
    claims = offer_token_verify(token=first["offer_token"], merchant_id=catalogue.merchant_id)
    assert (claims.quantity, claims.product_price) == (2, 59_999)


def test_offers_for_an_inline_product(api, catalogue):
    response = post(
        api,
        {
            "product": {
                "title": "Phone X",
                "category": "phones",
                "price": 10_000,
                "currency": "USD",
            },
            "jurisdiction": "US-NY",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["product"]["sku"] is None
    assert body["product"]["manufacturer_warranty_months"] == 12
    assert len(body["offers"]) == 3


def test_price_display_follows_the_language(api, catalogue):
    response = post(api, {"sku": "PHONE-1", "jurisdiction": "US-CA"}, HTTP_ACCEPT_LANGUAGE="pl")
    assert response.json()["offers"][0]["price_display"] == "20,00\xa0USD"


def test_no_eligible_plans_is_an_empty_list(api, catalogue):
    response = post(api, {"sku": "PHONE-1", "jurisdiction": "PL"})
    assert response.status_code == 200
    assert response.json()["offers"] == []


def test_query_count_does_not_grow_with_plans(api, merchant, catalogue, django_assert_num_queries):
    post(api, {"sku": "PHONE-1", "jurisdiction": "US-CA"})  # warms the snapshot and last_used
    # One query authenticates the key, one loads the product; none per plan.
    with django_assert_num_queries(2):
        assert len(post(api, {"sku": "PHONE-1", "jurisdiction": "US-CA"}).json()["offers"]) == 3
    for months in (48, 60, 72):
        plan = PlanFactory(code=f"more-{months}", term_months=months)
        PlanPriceFactory(plan=plan)
        MerchantPlanFactory(merchant=merchant, plan=plan)
    catalog_cache._current = None  # what the committed change would have triggered
    post(api, {"sku": "PHONE-1", "jurisdiction": "US-CA"})
    with django_assert_num_queries(2):
        assert len(post(api, {"sku": "PHONE-1", "jurisdiction": "US-CA"}).json()["offers"]) == 6


def test_inline_product_costs_two_queries(api, catalogue, django_assert_num_queries):
    body = {
        "product": {"title": "T", "category": "phones", "price": 100, "currency": "USD"},
        "jurisdiction": "US-CA",
    }
    post(api, body)
    with django_assert_num_queries(2):  # the key, and the category list for validation
        assert post(api, body).status_code == 200


def test_another_merchants_sku_is_not_found(other_api, catalogue):
    response = post(other_api, {"sku": "PHONE-1", "jurisdiction": "US-CA"})
    assert response.status_code == 404
    assert response.json()["code"] == "product_not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sku": "PHONE-1"}, "jurisdiction"),
        ({"sku": "PHONE-1", "jurisdiction": "XX"}, "jurisdiction"),
        ({"sku": "PHONE-1", "jurisdiction": "US"}, "jurisdiction"),
        ({"sku": "PHONE-1", "jurisdiction": "US-ZZ"}, "jurisdiction"),
        ({"sku": "PHONE-1", "jurisdiction": 7}, "jurisdiction"),
        ({"sku": "PHONE-1", "jurisdiction": "US-CA", "quantity": 0}, "quantity"),
        ({"sku": "PHONE-1", "jurisdiction": "US-CA", "quantity": 100}, "quantity"),
        ({"sku": "PHONE-1", "jurisdiction": "US-CA", "quantity": 1.5}, "quantity"),
        ({"sku": "PHONE-1", "jurisdiction": "US-CA", "quantity": "2"}, "quantity"),
        ({"jurisdiction": "US-CA"}, "sku"),
        (
            {
                "sku": "PHONE-1",
                "jurisdiction": "US-CA",
                "product": {"title": "T", "category": "phones", "price": 1, "currency": "USD"},
            },
            "sku",
        ),
        (
            {
                "jurisdiction": "US-CA",
                "product": {"title": "T", "category": "phones", "price": -1, "currency": "USD"},
            },
            "product",
        ),
        (
            {
                "jurisdiction": "US-CA",
                "product": {"title": "T", "category": "phones", "price": 9.99, "currency": "USD"},
            },
            "product",
        ),
        (
            {
                "jurisdiction": "US-CA",
                "product": {"title": "T", "category": "phones", "price": "999", "currency": "USD"},
            },
            "product",
        ),
        (
            {
                "jurisdiction": "US-CA",
                "product": {"title": "T", "category": "phones", "price": 999, "currency": "ZZZ"},
            },
            "product",
        ),
        (
            {
                "jurisdiction": "US-CA",
                "product": {"title": "T", "category": "boats", "price": 999, "currency": "USD"},
            },
            "product",
        ),
    ],
)
def test_bad_input_names_the_field(api, catalogue, body, field):
    response = post(api, body)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "validation_error"
    assert field in error["fields"], error
    assert error["message"]


def test_inline_field_errors_are_nested(api, catalogue):
    response = post(
        api,
        {
            "jurisdiction": "US-CA",
            "product": {"title": "T", "category": "boats", "price": -5, "currency": "ZZZ"},
        },
    )
    fields = response.json()["fields"]["product"]
    assert set(fields) == {"category", "price", "currency"}
    assert "boats" in fields["category"][0]


def test_malformed_json_is_400(api, catalogue):
    response = api.post(URL, data='{"sku": "PHONE-1",', content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "malformed_request",
        "message": "The request body is not valid JSON.",
        "fields": {},
    }


def test_non_object_body_is_400(api, catalogue):
    response = api.post(URL, data="[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_form_encoded_body_is_415(api, catalogue):
    response = api.post(URL, data="sku=PHONE-1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    "header", [None, "Api-Key nope", "Api-Key abc.def", "Bearer x", "Api-Key "]
)
def test_missing_or_wrong_key_is_401(client, catalogue, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.post(
        URL, {"sku": "PHONE-1", "jurisdiction": "US-CA"}, content_type="application/json", **extra
    )
    assert response.status_code == 401
    assert response.json()["code"] in {"not_authenticated", "authentication_failed"}
    assert response["WWW-Authenticate"] == "Api-Key"


def test_plans_list_shows_only_the_merchants_plans(
    api, other_api, merchant, catalogue, other_merchant, django_assert_max_num_queries
):
    other_plan = PlanFactory(code="other")
    MerchantPlanFactory(merchant=other_merchant, plan=other_plan)
    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/plans/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [p["code"] for p in body["results"]] == ["phone-12m", "phone-24m", "phone-36m"]
    assert body["results"][0]["prices"][0]["price"] == 2_000
    assert body["results"][0]["categories"] == ["phones"]
    assert [p["code"] for p in other_api.get("/api/v1/plans/").json()["results"]] == ["other"]


def test_terms_page_is_public_and_escapes_text(client, catalogue, merchant):
    plan = PlanFactory(
        code="tricky", exclusions='<script>alert(1)</script> & <img src="file:///x">'
    )
    PlanPriceFactory(plan=plan)
    response = client.get(reverse("plan-terms", args=["tricky"]), {"jurisdiction": "US-CA"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert plan.provider.legal_name in html and "US-CA" in html


def test_terms_page_says_when_not_sold_in_the_jurisdiction(client, catalogue):
    response = client.get(reverse("plan-terms", args=["phone-12m"]), {"jurisdiction": "PL"})
    assert "not sold in your jurisdiction" in response.content.decode()


def test_terms_page_for_unknown_plan_is_404(client, db):
    assert client.get(reverse("plan-terms", args=["nope"])).status_code == 404


def test_categories_list(api, catalogue):
    CategoryFactory(slug="tvs", name="TVs")
    body = api.get("/api/v1/categories/").json()
    assert [c["slug"] for c in body["results"]] == ["phones", "tvs"]


def test_rendered_offers_match_the_published_schema(api, catalogue):
    """The endpoint renders dicts directly; its serializers are the OpenAPI schema."""
    from backend.plans.api.serializers import (
        OfferedProductSerializer,
        OfferSerializer,
        OffersResponseSerializer,
    )

    body = post(api, {"sku": "PHONE-1", "jurisdiction": "US-CA"}).json()
    assert set(body) == set(OffersResponseSerializer().fields)
    assert set(body["product"]) == set(OfferedProductSerializer().fields)
    for offer in body["offers"]:
        assert set(offer) == set(OfferSerializer().fields)
    assert body["expires_at"].endswith("Z")


def test_inactive_product_has_no_offers(api, catalogue):
    catalogue.is_active = False
    catalogue.save()
    response = post(api, {"sku": "PHONE-1", "jurisdiction": "US-CA"})
    assert response.status_code == 404
    assert response.json()["code"] == "product_not_found"


def test_offered_terms_hash_is_the_hash_of_the_page_served(api, client, catalogue):
    import hashlib

    offer = post(api, {"sku": "PHONE-1", "jurisdiction": "US-CA"}).json()["offers"][0]
    page = client.get(offer["terms_url"].removeprefix("http://testserver"))
    assert hashlib.sha256(page.content).hexdigest() == offer["terms_sha256"]
    assert page["Coverdesk-Terms-SHA256"] == offer["terms_sha256"]
