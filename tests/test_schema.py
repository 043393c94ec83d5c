"""The published OpenAPI schema is complete and valid, and Swagger UI needs no CDN."""

import pytest
from django.core.management import call_command


def test_schema_generates_without_warnings_and_validates(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/v1/offers/",
        "/api/v1/products/bulk-upsert/",
        "/api/v1/plans/",
        "/api/v1/merchant/api-keys/",
    ):
        assert path in text
    assert "MerchantApiKey" in text


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Coverdesk API"
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn.jsdelivr" not in docs


@pytest.mark.django_db
def test_every_operation_documents_its_errors(client):
    schema = client.get("/api/schema/?format=json").json()
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {
        "code",
        "message",
        "fields",
    }
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            assert "400" in responses, (method, path)
            if operation.get("security") not in (None, [{}]):
                assert {"401", "403"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)


def _schema(client) -> dict:
    return client.get("/api/schema/?format=json").json()


@pytest.mark.django_db
def test_the_schema_is_valid_openapi(client):
    from openapi_spec_validator import OpenAPIV30SpecValidator

    errors = [
        str(e).splitlines()[0] for e in OpenAPIV30SpecValidator(_schema(client)).iter_errors()
    ]
    assert errors == []


@pytest.mark.django_db
def test_the_schema_says_what_the_api_does(client):
    schema = _schema(client)
    paths, components = schema["paths"], schema["components"]["schemas"]
    assert components["DeskClaimRow"]["properties"]["assignee"].get("nullable") is True
    for path in (
        "/api/v1/contracts/{number}/cancel/",
        "/api/v1/portal/contracts/{number}/cancel/",
        "/api/v1/desk/claims/{number}/approve/",
        "/api/v1/desk/claims/{number}/deny/",
        "/api/v1/desk/claims/{number}/fulfil/",
    ):
        assert "409" in paths[path]["post"]["responses"], path
    assert "404" in paths["/api/v1/analytics/offers/"]["get"]["responses"]  # ?merchant=unknown
    assert "404" in paths["/api/v1/desk/claims/"]["get"]["responses"]  # ?queue=unknown


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["until=", "since=", "merchant=", "until=2026-01-01&merchant="])
def test_an_empty_query_parameter_is_refused_not_ignored(make_user, query):
    from rest_framework.test import APIClient

    from backend.accounts.choices import Role

    client = APIClient()
    client.force_login(make_user(Role.MARKETING))
    response = client.get(f"/api/v1/analytics/offers/?{query}")
    assert response.status_code == 400 and response.json()["code"] == "validation_error"
    name = query.rsplit("&", 1)[-1].split("=")[0]
    assert name in response.json()["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["abc", "", "0", "-1", "501", "1.5", "¹", "١٢"])
def test_a_malformed_page_size_is_refused(api, size):
    response = api.get(f"/api/v1/products/?page_size={size}")
    assert response.status_code == 400 and "page_size" in response.json()["fields"]
    assert api.get("/api/v1/products/?page_size=500").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["abc", "0", "201"])
def test_a_malformed_desk_page_size_is_refused(make_user, size):
    from rest_framework.test import APIClient

    from backend.accounts.choices import Role

    client = APIClient()
    client.force_login(make_user(Role.DESK_AGENT))
    response = client.get(f"/api/v1/desk/claims/?page_size={size}")
    assert response.status_code == 400 and "page_size" in response.json()["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize("note", [0, 12.5, True, ["x"], {"a": 1}])
def test_text_fields_take_only_text(paid_order, api, note):
    _intent, [number, _] = paid_order()
    response = api.post(f"/api/v1/contracts/{number}/cancel/", {"note": note}, format="json")
    assert response.status_code == 400 and "note" in response.json()["fields"]


@pytest.mark.django_db
def test_the_main_request_bodies_have_real_examples(client):
    schema = _schema(client)
    for path, method in (
        ("/api/v1/offers/", "post"),
        ("/api/v1/orders/{merchant_order_id}/", "put"),
        ("/api/v1/products/{sku}/", "put"),
        ("/api/v1/products/bulk-upsert/", "post"),
        ("/api/v1/contracts/{number}/cancel/", "post"),
    ):
        body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
        examples = body.get("examples") or {}
        assert examples, (path, method)
        for example in examples.values():
            assert "str" not in str(example["value"]).split("'"), (path, example)
    components = schema["components"]["schemas"]
    product = components["InlineProductRequest"]["properties"]
    assert product["currency"]["example"] == "USD" and product["price"]["example"] == 79900
    assert components["OffersRequestRequest"]["properties"]["jurisdiction"]["example"] == "US-CA"
