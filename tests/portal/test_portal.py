"""The shopper portal: one-time sign-in links, and each shopper sees only their own plans."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from backend.contracts.models import Contract, ContractEvent
from backend.portal.models import LoginLink

pytestmark = pytest.mark.django_db


def link_token(email: str) -> str:
    client = APIClient()
    assert (
        client.post("/api/v1/portal/login-link/", {"email": email}, format="json").status_code
        == 202
    )
    [message] = [m for m in mail.outbox if m.to == [email]][-1:]
    return re.search(r"\?token=([\w-]+)", message.body).group(1)


def signed_in(email: str) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    token = link_token(email)
    assert client.get("/api/v1/portal/session/").status_code == 401  # and a CSRF cookie
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    response = client.post("/api/v1/portal/session/", {"token": token}, format="json")
    assert response.status_code == 200, response.json()
    # Signing in rotates the token, as Django does on every login.
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    return client


def test_a_link_signs_in_once(paid_order):
    paid_order()
    token = link_token("ana@example.com")
    client = APIClient()
    assert (
        client.post("/api/v1/portal/session/", {"token": token}, format="json").status_code == 200
    )
    assert client.get("/api/v1/portal/session/").json()["email"] == "ana@example.com"
    again = APIClient().post("/api/v1/portal/session/", {"token": token}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "login_link_invalid"


def test_expired_and_unknown_links_are_refused(paid_order):
    paid_order()
    token = link_token("ana@example.com")
    LoginLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    for t in (token, "made-up-token"):
        response = APIClient().post("/api/v1/portal/session/", {"token": t}, format="json")
        assert response.json()["code"] == "login_link_invalid"


def test_unknown_addresses_get_the_same_answer_and_no_mail(db):
    response = APIClient().post(
        "/api/v1/portal/login-link/", {"email": "nobody@example.com"}, format="json"
    )
    assert response.status_code == 202 and mail.outbox == []
    assert (
        APIClient().post("/api/v1/portal/login-link/", {"email": "nope"}, format="json").status_code
        == 400
    )


def test_shoppers_see_only_their_own_contracts(paid_order):
    paid_order("P-1", email="ana@example.com")
    paid_order("P-2", email="bob@example.com", quantity=1)
    ana, bob = signed_in("ana@example.com"), signed_in("bob@example.com")
    ana_contracts = ana.get("/api/v1/portal/contracts/").json()["results"]
    assert len(ana_contracts) == 2 and {c["customer_email"] for c in ana_contracts} == {
        "ana@example.com"
    }
    assert ana_contracts[0]["provider"] and ana_contracts[0]["merchant"] == "Acme Electronics"
    bobs = bob.get("/api/v1/portal/contracts/").json()["results"][0]["number"]
    for response in (
        ana.get(f"/api/v1/portal/contracts/{bobs}/refund-quote/"),
        ana.post(f"/api/v1/portal/contracts/{bobs}/cancel/"),
        ana.post(
            f"/api/v1/portal/contracts/{bobs}/transfer/",
            {"email": "eve@example.com"},
            format="json",
        ),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "contract_not_found"
    assert Contract.objects.get(number=bobs).state == "active"


def test_shopper_sees_the_quote_then_cancels(paid_order, django_capture_on_commit_callbacks):
    _intent, [number, _] = paid_order()
    ana = signed_in("ana@example.com")
    quote = ana.get(f"/api/v1/portal/contracts/{number}/refund-quote/").json()
    assert quote["total"] == 9_999 and quote["lines"]
    with django_capture_on_commit_callbacks(execute=True):
        response = ana.post(f"/api/v1/portal/contracts/{number}/cancel/")
    assert response.status_code == 200 and response.json()["refund"]["amount"] == 9_999
    again = ana.post(f"/api/v1/portal/contracts/{number}/cancel/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert ContractEvent.objects.get(name="cancel").actor_kind == "shopper"
    listed = ana.get("/api/v1/portal/contracts/").json()["results"]
    assert {c["number"]: c["refund"] for c in listed}[number]["state"] == "succeeded"


def test_shopper_transfers_a_plan_and_no_longer_sees_it(paid_order):
    _intent, [number, _] = paid_order()
    ana = signed_in("ana@example.com")
    response = ana.post(
        f"/api/v1/portal/contracts/{number}/transfer/",
        {"email": "bob@example.com", "first_name": "Bob"},
        format="json",
    )
    assert response.status_code == 200
    assert number not in {
        c["number"] for c in ana.get("/api/v1/portal/contracts/").json()["results"]
    }
    assert signed_in("bob@example.com").get("/api/v1/portal/contracts/").json()["count"] == 1


def test_mutations_need_the_csrf_token(paid_order):
    _intent, [number, _] = paid_order()
    ana = signed_in("ana@example.com")
    ana.credentials()  # drop the X-CSRFToken header
    response = ana.post(f"/api/v1/portal/contracts/{number}/cancel/")
    assert response.status_code == 403


def test_staff_and_merchants_are_not_shoppers(api, admin_client):
    assert api.get("/api/v1/portal/contracts/").status_code in (401, 403)
    assert admin_client.get("/api/v1/portal/contracts/").status_code == 403


def test_sign_out(paid_order):
    paid_order()
    ana = signed_in("ana@example.com")
    assert ana.delete("/api/v1/portal/session/").status_code == 204
    assert ana.get("/api/v1/portal/contracts/").status_code == 401
