"""Who may call which claim endpoint: the shopper who owns the claim, another shopper, a desk
agent, a desk supervisor, marketing, a merchant admin, and nobody."""

import pytest
from rest_framework.test import APIClient

from backend.accounts.choices import Role
from backend.claims.models import Claim, ClaimEvidence
from tests.claims.conftest import file_claim, jpeg, shopper_client

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "owner", "other_shopper", "agent", "supervisor", "marketing", "merchant")


@pytest.fixture
def world(sell, contract, shopper, make_user, merchant):
    import io

    photo = io.BytesIO(jpeg())
    photo.name = "p.jpg"
    number = file_claim(shopper, contract, photos=[photo]).json()["number"]
    claim = Claim.objects.get(number=number)
    clients = {"anonymous": APIClient(), "owner": shopper}
    clients["other_shopper"] = shopper_client(sell(email="eve@example.com"))
    for name, role in (
        ("agent", Role.DESK_AGENT),
        ("supervisor", Role.DESK_SUPERVISOR),
        ("marketing", Role.MARKETING),
        ("merchant", Role.MERCHANT_ADMIN),
    ):
        client = APIClient()
        client.force_login(make_user(role, merchant=merchant if name == "merchant" else None))
        clients[name] = client
    return claim, clients


def _endpoints(claim):
    n = claim.number
    evidence = ClaimEvidence.objects.get(claim=claim).pk
    portal = [
        ("get", "/api/v1/portal/claims/", None),
        ("get", f"/api/v1/portal/claims/{n}/", None),
        ("post", f"/api/v1/portal/claims/{n}/messages/", {"body": "Hello"}),
        ("post", f"/api/v1/portal/claims/{n}/appeal/", {"reason": "Please"}),
        ("get", f"/api/v1/portal/claims/{n}/evidence/{evidence}/", None),
        (
            "get",
            f"/api/v1/portal/claims/eligibility/?contract={claim.contract.number}"
            "&reason=other&failure_date=2026-01-01",
            None,
        ),
        ("get", f"/api/v1/portal/claims/guide/?contract={claim.contract.number}", None),
        ("post", f"/api/v1/portal/claims/{n}/withdraw/", None),
    ]
    desk = [
        ("get", "/api/v1/desk/claims/", None),
        ("get", f"/api/v1/desk/claims/{n}/", None),
        ("get", f"/api/v1/desk/claims/{n}/canned/", None),
        ("get", f"/api/v1/desk/claims/{n}/evidence/{evidence}/", None),
        ("get", "/api/v1/desk/queues/", None),
        ("get", "/api/v1/desk/partners/", None),
        ("get", "/api/v1/desk/metrics/", None),
        ("post", f"/api/v1/desk/claims/{n}/messages/", {"body": "Hi", "internal": True}),
        ("post", f"/api/v1/desk/claims/{n}/ask/", {"body": "A photo?"}),
        ("post", f"/api/v1/desk/claims/{n}/approve/", {"amount": 1, "resolution": "repair"}),
        ("post", f"/api/v1/desk/claims/{n}/deny/", {"note": "No"}),
        ("post", f"/api/v1/desk/claims/{n}/fulfil/", {}),
        ("post", f"/api/v1/desk/claims/{n}/resolution/", {"action": "start"}),
        ("post", f"/api/v1/desk/claims/{n}/close/", None),
        ("post", "/api/v1/desk/claims/take-next/", {}),
    ]
    supervisor_only = [
        ("post", f"/api/v1/desk/claims/{n}/decide/", {"approve": False, "note": "No"}),
        ("post", f"/api/v1/desk/claims/{n}/assign/", {"assignee": None}),
        ("post", "/api/v1/desk/queues/", {"name": "Q", "filters": {}}),
    ]
    return portal, desk, supervisor_only


def _call(client, method, url, body):
    if method == "get":
        return client.get(url)
    return client.post(url, body or {}, format="json")


DENIED = (401, 403)


def test_the_permission_matrix(world):
    claim, clients = world
    portal, desk, supervisor_only = _endpoints(claim)
    failures = []

    def expect(role, endpoint, ok):
        status = _call(clients[role], *endpoint).status_code
        allowed = status not in DENIED and status != 404
        if ok != allowed or status >= 500:
            failures.append((role, endpoint[0], endpoint[1], status))

    for endpoint in portal:
        for role in ROLES:
            if role == "owner":
                continue  # checked last: its POSTs change the claim
            if role == "other_shopper" and endpoint[1] == "/api/v1/portal/claims/":
                assert _call(clients[role], *endpoint).json() == []  # their own: none
                continue
            expect(role, endpoint, ok=False)
    for endpoint in desk + supervisor_only:
        for role in ("anonymous", "owner", "other_shopper", "marketing", "merchant"):
            expect(role, endpoint, ok=False)
    for endpoint in supervisor_only:
        expect("agent", endpoint, ok=False)
    for endpoint in desk:
        expect("supervisor", endpoint, ok=True)
    for endpoint in supervisor_only:
        expect("supervisor", endpoint, ok=True)
    for endpoint in portal:
        expect("owner", endpoint, ok=True)
    assert failures == []


def test_another_shopper_gets_404_not_403(world):
    claim, clients = world
    response = clients["other_shopper"].get(f"/api/v1/portal/claims/{claim.number}/")
    assert response.status_code == 404 and response.json()["code"] == "claim_not_found"


def test_only_desk_users_sign_in_to_the_desk(make_user):
    agent = make_user(Role.DESK_AGENT, password="desk-pass-1234")
    marketer = make_user(Role.MARKETING, password="mkt-pass-1234")
    client = APIClient(enforce_csrf_checks=True)
    assert client.get("/api/v1/desk/session/").status_code == 401
    csrf = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
    wrong = client.post(
        "/api/v1/desk/session/",
        {"username": agent.username, "password": "nope"},
        format="json",
        **csrf,
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_credentials"
    not_desk = client.post(
        "/api/v1/desk/session/",
        {"username": marketer.username, "password": "mkt-pass-1234"},
        format="json",
        **csrf,
    )
    assert not_desk.status_code == 400
    ok = client.post(
        "/api/v1/desk/session/",
        {"username": agent.username, "password": "desk-pass-1234"},
        format="json",
        **csrf,
    )
    assert ok.status_code == 200 and ok.json()["level"] == "agent"
    assert client.get("/api/v1/desk/session/").json()["username"] == agent.username
