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
