"""A NUL character anywhere in a request is 400 nul_character before any view runs:
PostgreSQL text cannot hold one, and each of these was a 500 there."""

import pytest
from rest_framework.test import APIClient

from backend.accounts.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketing(make_user):
    client = APIClient()
    client.force_login(make_user(Role.MARKETING))
    return client


@pytest.fixture
def desk(make_user):
    client = APIClient()
    client.force_login(make_user(Role.DESK_AGENT))
    return client


def refused(response, where):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "nul_character" and body["fields"] == {"location": [where]}
    assert "NUL" in body["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/products/a%00b/",
        "/api/v1/contracts/CD-%00/",
        "/api/v1/contracts/CD-%00/refund-quote/",
        "/api/v1/offers/%00",
    ],
)
def test_a_nul_in_a_merchants_path(api, path):
    refused(api.get(path), "path")


def test_a_nul_in_a_cancel_path(api):
    refused(api.post("/api/v1/contracts/CD-%00/cancel/", {}, format="json"), "path")


def test_a_nul_in_the_desk_claim_path(desk):
    refused(desk.get("/api/v1/desk/claims/CL-%00/"), "path")


@pytest.mark.parametrize("query", ["tag=%00", "q=%00", "q=a%00b", "%00=1"])
def test_a_nul_in_a_query(marketing, query):
    refused(marketing.get(f"/api/v1/crm/customers/?{query}"), "query")


def test_a_nul_in_a_json_body(marketing):
    response = marketing.post(
        "/api/v1/crm/rules/",
        {"event": "plan_bought", "tag": "vip\x00", "conditions": {}},
        format="json",
    )
    refused(response, "body")


def test_an_escaped_backslash_before_u0000_is_not_a_nul(marketing):
    # The JSON text "\\u0000" is a backslash and five characters, not U+0000.
    response = marketing.post(
        "/api/v1/crm/rules/",
        '{"event": "plan_bought", "tag": "a\\\\u0000", "conditions": {}}',
        content_type="application/json",
    )
    assert response.json().get("code") != "nul_character"


def test_a_nul_in_a_page_path(client):
    refused(client.get("/plans/a%00/terms/"), "path")
