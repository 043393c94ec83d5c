"""The merchant console's API: invites that make merchant admins, the console's session, the
plans a merchant offers, the widget's allowed sites, support contact, the go-live
checklist, and webhook test events and resends. Each is scoped to its merchant."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.merchants.choices import InviteState
from backend.merchants.models import MerchantInvite
from backend.merchants.selectors import invite_token
from backend.merchants.services import merchant_invite_create, merchant_invite_revoke
from backend.plans.models import MerchantPlan
from backend.webhooks.choices import DeliveryState
from backend.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import MerchantPlanFactory, PlanFactory, ProductFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-pass-phrase"


def csrf_client() -> APIClient:
    """A browser-like client: it fetches the CSRF cookie first and sends it back."""
    client = APIClient(enforce_csrf_checks=True)
    client.get("/api/v1/merchant/session/")
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    return client


def accept(client, token, username="shopkeeper", password=PASSWORD):
    return client.post(
        "/api/v1/merchant/invites/accept/",
        {"token": token, "username": username, "password": password, "first_name": "Ada"},
        format="json",
    )


# --- Invites ------------------------------------------------------------------------------


def test_an_invite_is_emailed_once_and_makes_a_signed_in_merchant_admin(
    merchant, make_user, django_capture_on_commit_callbacks, settings
):
    settings.PUBLIC_BASE_URL = "https://coverdesk.example"
    admin = make_user(Role.PLATFORM_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        invite = merchant_invite_create(
            merchant=merchant, email="Ops@Acme.example", created_by=admin
        )
    [message] = mail.outbox
    assert message.to == ["Ops@acme.example"]
    assert merchant.name in message.subject
    link = next(line for line in message.body.splitlines() if "#invite=" in line)
    assert link.startswith("https://coverdesk.example/merchant/#invite=")
    token = link.partition("#invite=")[2]

    client = csrf_client()
    checked = client.post("/api/v1/merchant/invites/check/", {"token": token}, format="json")
    assert checked.status_code == 200
    assert checked.json()["merchant"] == merchant.name
    response = accept(client, token)
    assert response.status_code == 201, response.json()
    assert response.json()["merchant_slug"] == merchant.slug
    user = User.objects.get(username="shopkeeper")
    assert user.merchant == merchant and user.has_role(Role.MERCHANT_ADMIN)
    assert user.email == "Ops@acme.example" and user.first_name == "Ada"
    # Signed in: the console's session answers, and its API works with the session.
    assert client.get("/api/v1/merchant/session/").json()["username"] == "shopkeeper"
    assert client.get("/api/v1/merchant/checklist/").status_code == 200
    invite = MerchantInvite.objects.get(pk=invite.pk)
    assert invite.state == InviteState.ACCEPTED and invite.accepted_by == user


def test_an_invite_used_twice_is_400_and_makes_one_account(merchant):
    invite = merchant_invite_create(merchant=merchant, email="a@acme.example")
    token = invite_token(invite)
    assert accept(csrf_client(), token).status_code == 201
    again = accept(csrf_client(), token, username="someone-else")
    assert again.status_code == 400
    assert again.json()["code"] == "invite_used"
    assert User.objects.filter(merchant=merchant).count() == 1


def test_an_expired_revoked_or_forged_invite_is_400(merchant):
    expired = merchant_invite_create(merchant=merchant, email="late@acme.example")
    MerchantInvite.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = accept(csrf_client(), invite_token(expired))
    assert response.status_code == 400 and response.json()["code"] == "invite_expired"

    withdrawn = merchant_invite_create(merchant=merchant, email="gone@acme.example")
    merchant_invite_revoke(invite=withdrawn)
    response = accept(csrf_client(), invite_token(withdrawn))
    assert response.status_code == 400 and response.json()["code"] == "invite_revoked"

    for forged in ("", "nonsense", invite_token(withdrawn)[:-2] + "xx"):
        response = accept(csrf_client(), forged)
        assert response.status_code == 400
    assert User.objects.filter(merchant=merchant).count() == 0


def test_a_newer_invite_to_the_same_address_withdraws_the_older(merchant):
    first = merchant_invite_create(merchant=merchant, email="x@acme.example")
    second = merchant_invite_create(merchant=merchant, email="x@acme.example")
    response = accept(csrf_client(), invite_token(first))
    assert response.status_code == 400 and response.json()["code"] == "invite_revoked"
    assert accept(csrf_client(), invite_token(second)).status_code == 201


def test_accepting_checks_the_password_the_username_and_csrf(merchant, make_user):
    invite = merchant_invite_create(merchant=merchant, email="p@acme.example")
    token = invite_token(invite)
    weak = accept(csrf_client(), token, password="123")
    assert weak.status_code == 400 and weak.json()["code"] == "weak_password"
    taken = make_user(Role.SHOPPER)
    clash = accept(csrf_client(), token, username=taken.username.upper())
    assert clash.status_code == 400 and clash.json()["code"] == "username_taken"
    no_csrf = APIClient(enforce_csrf_checks=True)
    assert accept(no_csrf, token).status_code == 403
    assert MerchantInvite.objects.get(pk=invite.pk).state == InviteState.PENDING


def test_an_address_that_already_signs_in_cannot_be_invited(merchant, make_user):
    user = make_user(Role.SHOPPER)
    with pytest.raises(Exception) as refused:
        merchant_invite_create(merchant=merchant, email=user.email.upper())
    assert refused.value.code == "email_taken"


def test_the_console_session_is_for_merchant_admins_only(merchant, make_user):
    client = csrf_client()
    assert client.get("/api/v1/merchant/session/").status_code == 401
    desk = make_user(Role.DESK_AGENT)
    refused = client.post(
        "/api/v1/merchant/session/",
        {"username": desk.username, "password": "s3cret-pass-word"},
        format="json",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_credentials"
    admin = make_user(Role.MERCHANT_ADMIN, merchant=merchant)
    signed_in = client.post(
        "/api/v1/merchant/session/",
        {"username": admin.username, "password": "s3cret-pass-word"},
        format="json",
    )
    assert signed_in.status_code == 200 and signed_in.json()["merchant"] == merchant.name
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)  # rotated at sign-in
    assert client.delete("/api/v1/merchant/session/").status_code == 204
    assert client.get("/api/v1/merchant/session/").status_code == 401
    # The marketing console is for marketing staff: a merchant admin signs in here instead.
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    marketing = client.post(
        "/api/v1/crm/session/",
        {"username": admin.username, "password": "s3cret-pass-word"},
        format="json",
    )
    assert marketing.status_code == 400 and marketing.json()["code"] == "invalid_credentials"


# --- Plans offered ------------------------------------------------------------------------


def test_a_merchant_switches_and_orders_its_plans(merchant, other_merchant, phones, api, other_api):
    two = MerchantPlanFactory(merchant=merchant, plan=PlanFactory(code="two"), display_order=2)
    one = MerchantPlanFactory(merchant=merchant, plan=PlanFactory(code="one"), display_order=1)
    MerchantPlanFactory(merchant=other_merchant, plan=PlanFactory(code="theirs"))
    listed = api.get("/api/v1/merchant/plans/").json()
    assert [p["code"] for p in listed] == ["one", "two"]

    off = api.patch("/api/v1/merchant/plans/two/", {"is_active": False}, format="json")
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert not MerchantPlan.objects.get(pk=two.pk).is_active
    assert api.get("/api/v1/plans/").json()["count"] == 1  # what shoppers are offered
    assert (
        api.patch("/api/v1/merchant/plans/two/", {"is_active": "no"}, format="json").status_code
        == 400
    )

    ordered = api.put("/api/v1/merchant/plans/order/", {"codes": ["two", "one"]}, format="json")
    assert ordered.status_code == 200
    assert [p["code"] for p in api.get("/api/v1/merchant/plans/").json()] == ["two", "one"]
    assert MerchantPlan.objects.get(pk=one.pk).display_order == 20

    partial = api.put("/api/v1/merchant/plans/order/", {"codes": ["one"]}, format="json")
    assert partial.status_code == 400 and partial.json()["code"] == "plan_order_mismatch"
    # Another merchant's plan is not found, whether switched or ordered.
    assert (
        other_api.patch(
            "/api/v1/merchant/plans/one/", {"is_active": False}, format="json"
        ).status_code
        == 404
    )
    assert (
        other_api.put(
            "/api/v1/merchant/plans/order/", {"codes": ["one", "theirs"]}, format="json"
        ).status_code
        == 400
    )
    assert MerchantPlan.objects.get(pk=one.pk).is_active


# --- Widget, contact, checklist -------------------------------------------------------------


def test_widget_origins_are_normalised_origins(merchant, api):
    response = api.patch(
        "/api/v1/merchant/widget/",
        {
            "widget_origins": [
                "https://Shop.Acme.example/",
                "http://localhost:3000",
                "https://shop.acme.example",
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["widget_origins"] == [
        "https://shop.acme.example",
        "http://localhost:3000",
    ]
    assert response.json()["publishable_key"] == merchant.publishable_key
    for bad in ("shop.acme.example", "https://shop.acme.example/cart", "javascript:alert(1)", 7):
        refused = api.patch("/api/v1/merchant/widget/", {"widget_origins": [bad]}, format="json")
        assert refused.status_code == 400, bad
    assert (
        api.patch(
            "/api/v1/merchant/widget/", {"publishable_key": "pk_cd_mine"}, format="json"
        ).json()["publishable_key"]
        == merchant.publishable_key
    )


def test_the_checklist_follows_what_the_merchant_has_done(merchant, merchant_admin_client):
    def steps():
        body = merchant_admin_client.get("/api/v1/merchant/checklist/").json()
        return body["ready"], {s["code"]: s["done"] for s in body["steps"]}

    ready, done = steps()
    assert not ready and not any(done.values())
    merchant_admin_client.patch(
        "/api/v1/merchant/",
        {"support_email": "help@acme.example", "website": "https://acme.example"},
        format="json",
    )
    MerchantPlanFactory(merchant=merchant)
    ProductFactory(merchant=merchant)
    merchant_admin_client.post("/api/v1/merchant/api-keys/", {"name": "shop"}, format="json")
    merchant_admin_client.patch(
        "/api/v1/merchant/widget/", {"widget_origins": ["https://acme.example"]}, format="json"
    )
    ready, done = steps()
    assert done == {
        "support_contact": True,
        "plans": True,
        "catalogue": True,
        "api_key": True,
        "widget_origins": True,
        "webhooks": False,
        "payouts": False,
    }
    assert not ready  # payouts can't be made yet


def test_the_support_contact_is_validated_and_the_rest_read_only(merchant, api):
    response = api.patch("/api/v1/merchant/", {"support_email": "not-an-address"}, format="json")
    assert response.status_code == 400
    response = api.patch(
        "/api/v1/merchant/", {"name": "Renamed", "website": "https://acme.example"}, format="json"
    )
    assert response.status_code == 200
    assert (
        response.json()["name"] == merchant.name
        and response.json()["website"] == "https://acme.example"
    )


# --- Webhook test events and resends ----------------------------------------------------------


def test_a_test_event_and_a_resend_reach_the_endpoint(
    merchant, api, other_api, settings, monkeypatch
):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    sent = []

    class Answer:
        status_code = 200
        text = "ok"

    def post(url, data, headers, **kwargs):
        sent.append((url, headers["Coverdesk-Event-Type"], headers["Coverdesk-Event-Id"]))
        return Answer()

    monkeypatch.setattr("backend.webhooks.services.requests.post", post)
    endpoint = api.post(
        "/api/v1/webhook-endpoints/",
        {"url": "http://127.0.0.1:9/hook", "event_types": ["claim.filed"]},
        format="json",
    ).json()
    tested = api.post(f"/api/v1/webhook-endpoints/{endpoint['id']}/test/")
    assert tested.status_code == 202
    delivery = WebhookDelivery.objects.get(pk=tested.json()["id"])
    assert delivery.state == DeliveryState.DELIVERED and delivery.event_type == "webhook.test"
    assert sent == [("http://127.0.0.1:9/hook", "webhook.test", delivery.event_id)]

    resent = api.post(
        f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries/{delivery.pk}/resend/"
    )
    assert resent.status_code == 202
    assert WebhookDelivery.objects.get(pk=delivery.pk).attempts == 2
    assert sent[1][2] == delivery.event_id  # the same event, again
    # Another merchant cannot test, resend or read it.
    assert other_api.post(f"/api/v1/webhook-endpoints/{endpoint['id']}/test/").status_code == 404
    assert (
        other_api.post(
            f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries/{delivery.pk}/resend/"
        ).status_code
        == 404
    )
    assert (
        api.post(
            f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries/999999/resend/"
        ).status_code
        == 404
    )
    assert len(sent) == 2
    # An endpoint may not subscribe to test events: every endpoint gets them when asked.
    refused = api.post(
        "/api/v1/webhook-endpoints/",
        {"url": "http://127.0.0.1:9/x", "event_types": ["webhook.test"]},
        format="json",
    )
    assert refused.status_code == 400
    assert WebhookEndpoint.objects.filter(merchant=merchant).count() == 1


def test_the_widget_preview_is_the_signed_in_merchants_own(
    merchant, other_merchant, merchant_admin_client
):
    ProductFactory(merchant=merchant, title="Acme Phone X", sku="ACME-1")
    ProductFactory(merchant=other_merchant, title="Globex Fridge", sku="GLX-1")
    page = merchant_admin_client.get("/merchant/preview/")
    html = page.content.decode()
    assert page.status_code == 200 and "Acme Phone X" in html and "Globex" not in html
    assert merchant.publishable_key in html and "data-coverdesk-preview" in html
    assert page["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in page["Content-Security-Policy"]
    assert (
        merchant_admin_client.get("/merchant/preview/?sku=GLX-1").content.decode().count("Globex")
        == 0
    )
    assert APIClient().get("/merchant/preview/").status_code == 404
