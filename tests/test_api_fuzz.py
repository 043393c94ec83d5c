"""Property-based fuzzing of the whole API from its own OpenAPI schema, once per role.

Schemathesis generates valid and invalid requests for every operation a role uses, with that
role's credentials: a merchant's API key, and the sessions of a shopper, a desk agent, a desk
supervisor and a marketer. Whatever it sends, the API must never answer 5xx, must answer
only statuses the schema documents, and its responses (errors included) must match the
schema. Examples per operation are bounded so the five runs take a few minutes.
"""

import pytest
import schemathesis
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from backend.accounts.choices import Role
from backend.wsgi import application
from tests.factories import MerchantPlanFactory, PlanFactory, PlanPriceFactory, ProductFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Signing out mid-run would leave the rest of a role's run signed out; sessions are tested
# on their own (tests/accounts/test_signin_protection.py).
SESSIONS = r"/session/$"
ROLE_PATHS = {
    "shopper": r"^/api/v1/portal/",
    "agent": r"^/api/v1/desk/",
    "supervisor": r"^/api/v1/desk/",
    "marketing": r"^/api/v1/(crm|analytics)/",
}
EXAMPLES = {"merchant": 30, "shopper": 20, "agent": 15, "supervisor": 15, "marketing": 15}


@pytest.fixture
def _keep_test_connection():
    """Calls go straight to the WSGI app, whose end-of-request handler would close the
    connection holding the test's transaction; Django's test client suspends it the same way.
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(merchant, phones, _keep_test_connection):
    plan = PlanFactory(code="fuzz-plan")
    PlanPriceFactory(plan=plan)
    MerchantPlanFactory(merchant=merchant, plan=plan)
    ProductFactory(merchant=merchant, sku="FUZZ-1")
    return merchant


@pytest.fixture
def merchant_headers(api, world, stripe_api):
    """A merchant's key; what it asks of Stripe (a payout account) goes to localstripe."""
    return {"Authorization": f"Api-Key {api.key}"}


def _session_headers(user) -> dict[str, str]:
    """A signed-in session made directly in the session store (Django's test client would
    reconnect the end-of-request handler that closes the test's connection)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    csrf = get_random_string(32)
    return {"Cookie": f"sessionid={session.session_key}; csrftoken={csrf}", "X-CSRFToken": csrf}


@pytest.fixture
def role_headers(make_user, sell, _keep_test_connection):
    """``role_headers(role)``: the headers of one signed-in user of the role, made once per
    operation's run (hypothesis calls the test once per example)."""
    made: dict[str, dict[str, str]] = {}

    def headers(role: str) -> dict[str, str]:
        if role not in made:
            made[role] = _signed_in(role)
        return made[role]

    def _signed_in(role: str) -> dict[str, str]:
        if role == "shopper":
            contract = sell()
            from backend.accounts.models import User

            user = User.objects.create_user(username="fuzz-shopper", email=contract.customer.email)
            user.groups.add(Group.objects.get_or_create(name=Role.SHOPPER)[0])
            contract.customer.user = user
            contract.customer.save(update_fields=["user"])
            return _session_headers(user)
        kind = {
            "agent": Role.DESK_AGENT,
            "supervisor": Role.DESK_SUPERVISOR,
            "marketing": Role.MARKETING,
        }[role]
        return _session_headers(make_user(kind))

    return headers


def _run(case, headers):
    case.call_and_validate(headers=headers, checks=CHECKS)


merchant_schema = schema.exclude(path_regex=r"^/api/v1/(portal|desk|crm)/").exclude(
    path_regex=SESSIONS
)


@pytest.mark.django_db
@merchant_schema.parametrize()
@settings(max_examples=EXAMPLES["merchant"], deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_merchant_api_fail(case, merchant_headers):
    _run(case, merchant_headers)


def _role_test(role: str):
    role_schema = schema.include(path_regex=ROLE_PATHS[role]).exclude(path_regex=SESSIONS)

    @pytest.mark.django_db
    @role_schema.parametrize()
    @settings(max_examples=EXAMPLES[role], deadline=None, suppress_health_check=list(HealthCheck))
    def test(case, role_headers):
        _run(case, role_headers(role))

    return test


test_no_input_makes_the_portal_fail_for_a_shopper = _role_test("shopper")
test_no_input_makes_the_desk_fail_for_an_agent = _role_test("agent")
test_no_input_makes_the_desk_fail_for_a_supervisor = _role_test("supervisor")
test_no_input_makes_crm_and_analytics_fail_for_marketing = _role_test("marketing")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("shopper", "/api/v1/portal/contracts/"),
        ("agent", "/api/v1/desk/claims/"),
        ("supervisor", "/api/v1/desk/metrics/"),
        ("marketing", "/api/v1/crm/tags/"),
    ],
)
def test_each_roles_fuzzing_is_signed_in(role_headers, role, path):
    """The fuzzing above is only worth something if its requests get past sign-in."""
    headers = role_headers(role)
    response = Client().get(path, HTTP_COOKIE=headers["Cookie"])
    assert response.status_code == 200, response.content
