"""Products: bulk upsert (all or nothing), PUT upsert, listing, merchant isolation."""

import pytest

from backend.catalog.models import Product
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db
BULK = "/api/v1/products/bulk-upsert/"


def row(n, **overrides):
    return {
        "sku": f"SKU-{n}",
        "title": f"Phone {n}",
        "category": "phones",
        "price": 10_000 + n,
        "currency": "USD",
        **overrides,
    }


def test_bulk_upsert_creates_then_updates_idempotently(api, merchant, phones):
    rows = [row(n) for n in range(1000)]
    response = api.post(BULK, {"products": rows}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["created"], response.json()["updated"]) == (1000, 0)
    assert Product.objects.filter(merchant=merchant).count() == 1000

    rows[5]["price"] = 1
    rows[6]["title"] = "Renamed"
    response = api.post(BULK, {"products": rows}, format="json")
    assert (response.json()["created"], response.json()["updated"]) == (0, 1000)
    assert Product.objects.filter(merchant=merchant).count() == 1000
    assert Product.objects.get(merchant=merchant, sku="SKU-5").price == 1
    assert Product.objects.get(merchant=merchant, sku="SKU-6").title == "Renamed"


def test_bulk_upsert_keeps_created_at_on_update(api, merchant, phones):
    api.post(BULK, {"products": [row(1)]}, format="json")
    created = Product.objects.get(sku="SKU-1").created_at
    api.post(BULK, {"products": [row(1, price=5)]}, format="json")
    product = Product.objects.get(sku="SKU-1")
    assert product.created_at == created and product.updated_at >= created


def test_bad_rows_are_all_reported_and_nothing_is_written(api, merchant, phones):
    ProductFactory(merchant=merchant, sku="SKU-0", price=123)
    rows = [
        row(0, price=999),
        row(1),
        row(2, price=-1),
        row(3, category="boats"),
        row(4, currency="XYZ"),
        row(5, price=10.5),
        row(1),
        {"title": "no sku"},
        row(8, sku="bad sku!"),
        row(9, manufacturer_warranty_months=999),
    ]
    response = api.post(BULK, {"products": rows}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_rows"
    assert body["message"] == "8 of 10 rows are invalid; nothing was written."
    per_row = body["fields"]["products"]
    assert set(per_row) == {"2", "3", "4", "5", "6", "7", "8", "9"}
    assert "price" in per_row["2"] and "category" in per_row["3"] and "currency" in per_row["4"]
    assert "row 1" in per_row["6"]["sku"][0]
    assert "sku" in per_row["7"]
    assert [r["index"] for r in body["rows"]] == [2, 3, 4, 5, 6, 7, 8, 9]
    assert body["rows"][0]["sku"] == "SKU-2"
    assert Product.objects.get(sku="SKU-0").price == 123  # the valid update was not applied
    assert not Product.objects.filter(sku="SKU-1").exists()


def test_more_than_1000_rows_is_refused(api, phones):
    response = api.post(BULK, {"products": [row(n) for n in range(1001)]}, format="json")
    assert response.status_code == 400
    assert "products" in response.json()["fields"]
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    "body", [{}, {"products": []}, {"products": "x"}, {"products": [1, 2]}, []]
)
def test_malformed_envelopes(api, phones, body):
    response = api.post(BULK, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_same_sku_at_two_merchants_is_two_products(
    api, other_api, merchant, other_merchant, phones
):
    api.post(BULK, {"products": [row(1, price=100)]}, format="json")
    other_api.post(BULK, {"products": [row(1, price=200)]}, format="json")
    assert Product.objects.get(merchant=merchant, sku="SKU-1").price == 100
    assert Product.objects.get(merchant=other_merchant, sku="SKU-1").price == 200


def test_put_creates_then_replaces(api, merchant, phones):
    body = {"title": "Phone", "category": "phones", "price": 500, "currency": "usd"}
    response = api.put("/api/v1/products/PH-1/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["currency"] == "USD"
    response = api.put("/api/v1/products/PH-1/", {**body, "price": 600}, format="json")
    assert response.status_code == 200
    assert response.json()["price"] == 600


def test_put_with_bad_fields(api, phones):
    response = api.put("/api/v1/products/PH-1/", {"title": "", "price": "10"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]["products"]["0"]) >= {
        "title",
        "price",
        "category",
        "currency",
    }
    response = api.put("/api/v1/products/PH-1/", [1], format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_body"


def test_get_and_list_are_scoped_to_the_merchant(
    api, other_api, merchant, other_merchant, phones, django_assert_max_num_queries
):
    ProductFactory(merchant=merchant, sku="MINE")
    ProductFactory(merchant=other_merchant, sku="THEIRS")
    assert api.get("/api/v1/products/MINE/").status_code == 200
    response = api.get("/api/v1/products/THEIRS/")
    assert response.status_code == 404
    assert response.json()["code"] == "product_not_found"
    for n in range(20):
        ProductFactory(merchant=merchant, sku=f"MORE-{n}")
    with django_assert_max_num_queries(3):  # key, count, page (category joined)
        body = api.get("/api/v1/products/", {"page_size": 10}).json()
    assert body["count"] == 21 and len(body["results"]) == 10
    assert "THEIRS" not in {
        p["sku"] for p in other_api.get("/api/v1/products/").json()["results"]
    } - {"THEIRS"}
    assert [p["sku"] for p in other_api.get("/api/v1/products/").json()["results"]] == ["THEIRS"]


def test_list_filters_by_category(api, merchant, phones):
    CategoryFactory(slug="tvs")
    ProductFactory(merchant=merchant, sku="A", category_id="phones")
    ProductFactory(merchant=merchant, sku="B", category_id="tvs")
    body = api.get("/api/v1/products/", {"category": "tvs"}).json()
    assert [p["sku"] for p in body["results"]] == ["B"]


def test_signed_in_merchant_admin_sees_own_products(
    merchant_admin_client, merchant, other_merchant, phones
):
    ProductFactory(merchant=merchant, sku="MINE")
    ProductFactory(merchant=other_merchant, sku="THEIRS")
    body = merchant_admin_client.get("/api/v1/products/").json()
    assert [p["sku"] for p in body["results"]] == ["MINE"]


def test_staff_without_a_merchant_cannot_use_merchant_endpoints(make_user, phones):
    from rest_framework.test import APIClient

    from backend.accounts.choices import Role

    client = APIClient()
    client.force_login(make_user(Role.DESK_AGENT))
    response = client.get("/api/v1/products/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
