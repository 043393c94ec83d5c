"""Merchant API keys: shown once, hashed, revocable, last use recorded, merchant-scoped."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.choices import Role
from backend.merchants.models import MerchantAPIKey
from backend.merchants.services import merchant_api_key_create, merchant_api_key_revoke

pytestmark = pytest.mark.django_db


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def test_key_is_stored_only_as_a_hash(merchant):
    api_key, key = merchant_api_key_create(merchant=merchant, name="checkout")
    prefix, _, secret = key.partition(".")
    assert api_key.prefix == prefix and len(secret) >= 32
    stored = MerchantAPIKey.objects.get(pk=api_key.pk)
    assert secret not in stored.hashed_key and key not in stored.pk
    assert stored.hashed_key.startswith("sha512$$")


def test_key_authenticates_as_its_merchant(merchant):
    _, key = merchant_api_key_create(merchant=merchant, name="k")
    response = client_with(key).get("/api/v1/merchant/")
    assert response.status_code == 200
    assert response.json()["slug"] == merchant.slug


def test_revoked_key_is_401(merchant):
    api_key, key = merchant_api_key_create(merchant=merchant, name="k")
    merchant_api_key_revoke(api_key=api_key)
    merchant_api_key_revoke(api_key=api_key)  # twice is fine
    response = client_with(key).get("/api/v1/merchant/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert MerchantAPIKey.objects.get(pk=api_key.pk).revoked_at is not None


def test_expired_key_and_inactive_merchant_are_401(merchant):
    api_key, key = merchant_api_key_create(merchant=merchant, name="k")
    api_key.expiry_date = timezone.now() - timedelta(seconds=1)
    api_key.save()
    assert client_with(key).get("/api/v1/merchant/").status_code == 401
    _, key2 = merchant_api_key_create(merchant=merchant, name="k2")
    merchant.is_active = False
    merchant.save()
    assert client_with(key2).get("/api/v1/merchant/").status_code == 401


def test_right_prefix_wrong_secret_is_401(merchant):
    _, key = merchant_api_key_create(merchant=merchant, name="k")
    prefix = key.partition(".")[0]
    assert client_with(f"{prefix}.{'x' * 32}").get("/api/v1/merchant/").status_code == 401


def test_last_used_is_recorded_at_most_once_a_minute(merchant, django_assert_num_queries):
    api_key, key = merchant_api_key_create(merchant=merchant, name="k")
    client = client_with(key)
    with django_assert_num_queries(2):  # authenticate + record first use
        client.get("/api/v1/merchant/")
    first = MerchantAPIKey.objects.get(pk=api_key.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # fresh: no write
        client.get("/api/v1/merchant/")
    MerchantAPIKey.objects.filter(pk=api_key.pk).update(last_used_at=first - timedelta(minutes=5))
    client.get("/api/v1/merchant/")
    assert MerchantAPIKey.objects.get(pk=api_key.pk).last_used_at > first


def test_merchant_admin_creates_lists_and_revokes_keys(merchant_admin_client, merchant):
    response = merchant_admin_client.post(
        "/api/v1/merchant/api-keys/", {"name": "shop"}, format="json"
    )
    assert response.status_code == 201
    created = response.json()
    key = created["key"]
    assert key.startswith(created["prefix"] + ".")
    listed = merchant_admin_client.get("/api/v1/merchant/api-keys/").json()["results"]
    assert [k["prefix"] for k in listed] == [created["prefix"]]
    assert "key" not in listed[0] and "hashed_key" not in listed[0]
    assert client_with(key).get("/api/v1/merchant/").status_code == 200

    response = merchant_admin_client.post(f"/api/v1/merchant/api-keys/{created['id']}/revoke/")
    assert response.status_code == 200 and response.json()["revoked"] is True
    assert client_with(key).get("/api/v1/merchant/").status_code == 401


def test_merchant_admin_cannot_see_or_revoke_another_merchants_key(
    make_user, merchant, other_merchant
):
    theirs, their_key = merchant_api_key_create(merchant=other_merchant, name="theirs")
    client = APIClient()
    client.force_login(make_user(Role.MERCHANT_ADMIN, merchant=merchant))
    assert client.get("/api/v1/merchant/api-keys/").json()["results"] == []
    response = client.post(f"/api/v1/merchant/api-keys/{theirs.pk}/revoke/")
    assert response.status_code == 404
    assert response.json()["code"] == "api_key_not_found"
    assert client_with(their_key).get("/api/v1/merchant/").status_code == 200


def test_an_api_key_cannot_manage_keys(api):
    response = api.post("/api/v1/merchant/api-keys/", {"name": "escalate"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.DESK_AGENT, Role.MARKETING, Role.SHOPPER])
def test_other_roles_cannot_manage_keys(make_user, role):
    client = APIClient()
    client.force_login(make_user(role))
    assert client.get("/api/v1/merchant/api-keys/").status_code == 403


def test_anonymous_session_request_is_401_or_403(client, db):
    response = client.get("/api/v1/merchant/api-keys/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] in {"not_authenticated", "permission_denied"}


def test_name_is_required(merchant_admin_client):
    response = merchant_admin_client.post("/api/v1/merchant/api-keys/", {}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["fields"]
