"""Property-based fuzzing of the whole merchant API from its own OpenAPI schema.

Schemathesis generates valid and invalid requests for every operation; whatever it sends,
the API must never answer 5xx, must answer only statuses the schema documents, and its
responses (errors included) must match the schema.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from backend.wsgi import application
from tests.factories import MerchantPlanFactory, PlanFactory, PlanPriceFactory, ProductFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


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
def fuzz_headers(api, merchant, phones, _keep_test_connection):
    plan = PlanFactory(code="fuzz-plan")
    PlanPriceFactory(plan=plan)
    MerchantPlanFactory(merchant=merchant, plan=plan)
    ProductFactory(merchant=merchant, sku="FUZZ-1")
    return {"Authorization": f"Api-Key {api.key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_api_fail(case, fuzz_headers):
    case.call_and_validate(
        headers=fuzz_headers,
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
