"""The widget is embedded on merchants' own sites: cross-origin calls, from their sites only."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

SHOP = "https://shop.example"


def call(merchant, origin):
    client = APIClient()
    return client.get(
        "/api/v1/widget/config/", HTTP_COVERDESK_KEY=merchant.publishable_key, HTTP_ORIGIN=origin
    )


def test_the_preflight_allows_the_key_header(merchant):
    response = APIClient().options(
        "/api/v1/widget/offers/",
        HTTP_ORIGIN=SHOP,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="coverdesk-key,content-type",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert "coverdesk-key" in response["Access-Control-Allow-Headers"]


def test_a_listed_site_may_call_and_read_the_answer(merchant):
    merchant.widget_origins = [SHOP + "/", "https://www.shop.example"]
    merchant.save()
    response = call(merchant, SHOP)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert "Access-Control-Allow-Credentials" not in response  # no cookies cross-origin


def test_another_site_is_refused_and_gets_no_cors_header(merchant):
    merchant.widget_origins = [SHOP]
    merchant.save()
    response = call(merchant, "https://evil.example")
    assert response.status_code == 403 and response.json()["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in response


def test_a_merchant_that_lists_no_site_allows_any(merchant):
    response = call(merchant, "https://anywhere.example")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://anywhere.example"


def test_only_the_widget_api_is_open_cross_origin(merchant, api):
    response = api.get("/api/v1/merchant/", HTTP_ORIGIN=SHOP)
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response
