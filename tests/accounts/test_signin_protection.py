"""Sign-in protection: whose limit a request counts against, the per-account lockout on
every staff sign-in path (the consoles' and /admin/), and login CSRF."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from backend.accounts.choices import Role
from backend.accounts.lockout import lockout_lift
from backend.accounts.models import LockoutEvent
from backend.common.api.throttling import StaffSignInThrottle
from backend.common.clientip import client_ip

PASSWORD = "desk-pass-1234"


@pytest.fixture
def agent(make_user):
    return make_user(Role.DESK_AGENT, password=PASSWORD)


def _limit_staff_sign_in(monkeypatch, rate):
    # DRF reads the rates into the throttle class when it is imported.
    monkeypatch.setattr(
        StaffSignInThrottle,
        "THROTTLE_RATES",
        {**StaffSignInThrottle.THROTTLE_RATES, "staff_login": rate},
    )


def _desk_sign_in(client, username, password, **headers):
    return client.post(
        "/api/v1/desk/session/",
        {"username": username, "password": password},
        format="json",
        **headers,
    )


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.0.0.9"),
        (0, "203.0.113.7", "10.0.0.9"),  # the header is ignored with no trusted proxy
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the client's own entry is left
        (2, "198.51.100.1, 203.0.113.7, 192.0.2.4", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.9"),  # fewer hops than proxies: the peer
        (1, "not-an-address", "10.0.0.9"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_follows_the_trusted_proxy_count(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    meta = {"REMOTE_ADDR": "10.0.0.9"}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **meta)) == expected


def test_a_forged_forwarded_for_does_not_reset_the_sign_in_limit(settings, monkeypatch, agent):
    _limit_staff_sign_in(monkeypatch, "3/hour")
    settings.AXES_FAILURE_LIMIT = 100  # this test is about the address, not the account
    client = APIClient()
    codes = [
        _desk_sign_in(
            client, agent.username, "guess", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        ).status_code
        for n in range(5)
    ]
    assert codes == [400, 400, 400, 429, 429]


def test_the_portal_link_limit_is_per_socket_address_not_per_header(db, settings):
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/portal/login-link/",
            {"email": "victim@example.com"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(11)
    ]
    assert codes[:10] == [202] * 10 and codes[10] == 429


def test_behind_one_proxy_the_forwarded_client_is_counted(settings, monkeypatch, agent):
    settings.TRUSTED_PROXIES = 1
    _limit_staff_sign_in(monkeypatch, "2/hour")
    settings.AXES_FAILURE_LIMIT = 100
    client = APIClient()
    first = [
        _desk_sign_in(client, agent.username, "x", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code
        for _ in range(3)
    ]
    other = _desk_sign_in(
        client, agent.username, "x", HTTP_X_FORWARDED_FOR="203.0.113.2"
    ).status_code
    assert first == [400, 400, 429] and other == 400


def test_an_account_is_locked_after_repeated_wrong_passwords_and_a_lockout_is_audited(
    settings, agent
):
    settings.AXES_FAILURE_LIMIT = 3
    client = APIClient()
    codes = [
        _desk_sign_in(client, agent.username, f"guess-{n}", REMOTE_ADDR=f"10.1.0.{n}").status_code
        for n in range(3)
    ]
    assert codes == [400, 400, 429]
    # The right password from yet another address is refused while the account is locked.
    locked = _desk_sign_in(client, agent.username, PASSWORD, REMOTE_ADDR="10.1.0.99")
    assert locked.status_code == 429 and locked.json()["code"] == "account_locked"
    assert locked.json()["message"]
    events = list(LockoutEvent.objects.filter(username=agent.username))
    assert [e.kind for e in events] == ["locked"]
    # The marketing console's sign-in and the admin's see the same lock.
    marketing = APIClient().post(
        "/api/v1/crm/session/", {"username": agent.username, "password": PASSWORD}, format="json"
    )
    assert marketing.status_code == 429
    admin = Client().post("/admin/login/", {"username": agent.username, "password": PASSWORD})
    assert admin.status_code == 429 and "locked" in admin.content.decode()


def test_a_platform_admin_lifts_a_lockout_and_that_is_audited(settings, agent, make_user):
    settings.AXES_FAILURE_LIMIT = 2
    client = APIClient()
    for n in range(2):
        _desk_sign_in(client, agent.username, f"guess-{n}")
    assert _desk_sign_in(client, agent.username, PASSWORD).status_code == 429
    admin_user = make_user(Role.PLATFORM_ADMIN)
    admin_client = Client()
    admin_client.force_login(admin_user)
    attempts = AccessAttempt.objects.filter(username=agent.username)
    response = admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "lift_lockout", "_selected_action": [a.pk for a in attempts]},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=agent.username).exists()
    lifted = LockoutEvent.objects.get(username=agent.username, kind="lifted")
    assert lifted.actor == admin_user
    assert _desk_sign_in(client, agent.username, PASSWORD).status_code == 200


def test_lockout_lift_service_clears_attempts(settings, agent, make_user):
    settings.AXES_FAILURE_LIMIT = 2
    client = APIClient()
    for _ in range(2):
        _desk_sign_in(client, agent.username, "wrong")
    assert lockout_lift(username=agent.username, actor=make_user(Role.PLATFORM_ADMIN)) >= 1
    assert _desk_sign_in(client, agent.username, PASSWORD).status_code == 200


def test_the_admin_sign_in_page_is_limited_per_address(settings, monkeypatch, agent):
    _limit_staff_sign_in(monkeypatch, "2/hour")
    settings.AXES_FAILURE_LIMIT = 100
    client = Client()
    codes = [
        client.post(
            "/admin/login/",
            {"username": f"nobody{n}", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]  # 200: the form again, with its error


def test_the_admin_counts_towards_the_account_lockout(settings, agent):
    settings.AXES_FAILURE_LIMIT = 2
    Client().post("/admin/login/", {"username": agent.username, "password": "wrong"})
    Client().post("/admin/login/", {"username": agent.username, "password": "wrong"})
    assert _desk_sign_in(APIClient(), agent.username, PASSWORD).status_code == 429


@pytest.mark.parametrize("path", ["/api/v1/desk/session/", "/api/v1/crm/session/"])
def test_staff_sign_in_refuses_a_cross_site_post(make_user, path):
    user = make_user(Role.DESK_AGENT, Role.MARKETING, password=PASSWORD)
    client = APIClient(enforce_csrf_checks=True)
    response = client.post(path, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    assert "_auth_user_id" not in client.session


def test_portal_sign_in_refuses_a_cross_site_post(db):
    client = APIClient(enforce_csrf_checks=True)
    response = client.post("/api/v1/portal/session/", {"token": "anything"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"


@pytest.mark.parametrize(
    "path", ["/api/v1/desk/session/", "/api/v1/crm/session/", "/api/v1/portal/session/"]
)
def test_signing_out_with_an_api_key_ends_no_one_elses_session(api, path):
    # DRF's request.user is the key's merchant principal here, not a User: the sign-out
    # signal (which axes listens to) must get the session's user, which is nobody.
    assert api.delete(path).status_code == 204
