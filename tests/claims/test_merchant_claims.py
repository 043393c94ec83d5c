"""Claims for merchants (issue 17, item 2): their customers' claims through the API,
filing one for a shopper, and the ``claim.*`` webhooks, signed and in order."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.choices import Role
from backend.claims.desk import claim_approve, claim_ask_customer
from backend.claims.models import Claim, ClaimEvent
from backend.claims.services import claim_reply
from backend.common.actors import Actor, ActorKind
from tests.claims.test_claims_and_cancellation import _claimable, _file, _in_review
from tests.webhooks import test_outbound
from tests.webhooks.test_outbound import register, verify

pytestmark = pytest.mark.django_db
receiver = test_outbound.receiver  # the merchant's webhook receiver (a fixture)


def test_a_merchant_reads_its_customers_claims_and_no_one_elses(sell, api, other_api):
    claim = _file(_claimable(sell()))
    _file(_claimable(sell(email="bo@example.com")))
    listed = api.get("/api/v1/claims/").json()
    assert listed["count"] == 2
    body = api.get(f"/api/v1/claims/{claim.number}/").json()
    assert body == {
        "number": claim.number,
        "state": "submitted",
        "contract_number": claim.contract.number,
        "customer_email": "ana@example.com",
        "product": {"sku": "PHONE-9", "title": "Phone 9"},
        "reason": "mechanical_failure",
        "failure_date": claim.failure_date.isoformat(),
        "description": "It no longer turns on.",
        "currency": "USD",
        "claimed_amount": None,
        "approved_amount": None,
        "resolution_kind": "",
        "filed_at": body["filed_at"],
        "decided_at": None,
        "resolved_at": None,
        "closed_at": None,
    }
    assert "assignee" not in body and "fraud_flags" not in body  # the desk's side stays inside
    by_contract = api.get("/api/v1/claims/", {"contract": claim.contract.number}).json()
    assert [c["number"] for c in by_contract["results"]] == [claim.number]
    assert api.get("/api/v1/claims/", {"state": "approved"}).json()["count"] == 0
    # Another merchant sees none of them.
    assert other_api.get("/api/v1/claims/").json()["count"] == 0
    missing = other_api.get(f"/api/v1/claims/{claim.number}/")
    assert (missing.status_code, missing.json()["code"]) == (404, "claim_not_found")
    assert api.get("/api/v1/claims/", {"state": "nonsense"}).status_code == 400


def test_a_merchant_files_a_claim_for_its_shopper(sell, api, other_api):
    contract = _claimable(sell())
    body = {
        "contract": contract.number,
        "reason": "mechanical_failure",
        "failure_date": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "description": "Customer called our support desk: the screen stays black.",
        "claimed_amount": 12_000,
    }
    filed = api.post("/api/v1/claims/", body, format="json")
    assert filed.status_code == 201, filed.json()
    assert (filed.json()["state"], filed.json()["claimed_amount"]) == ("submitted", 12_000)
    claim = Claim.objects.get(number=filed.json()["number"])
    assert claim.customer == contract.customer and claim.merchant == contract.merchant
    event = ClaimEvent.objects.get(claim=claim, name="file")
    assert (event.actor_kind, event.actor_label) == (
        "merchant",
        "merchant acme (claims API (assisted filing))",
    )

    # Another merchant's contract is not found; an ineligible claim says why.
    refused = other_api.post("/api/v1/claims/", body, format="json")
    assert (refused.status_code, refused.json()["code"]) == (404, "contract_not_found")
    early = api.post(
        "/api/v1/claims/",
        {**body, "failure_date": (timezone.localdate() + timedelta(days=3)).isoformat()},
        format="json",
    )
    assert early.status_code == 422 and early.json()["code"] == "claim_not_eligible"
    bad = api.post("/api/v1/claims/", {**body, "reason": "boredom"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()["fields"]


def test_claim_webhooks_are_signed_in_order_and_each_request_for_information_is_its_own(
    receiver, api, sell, make_user, django_capture_on_commit_callbacks
):
    url, received, _state = receiver
    endpoint = register(api, url, event_types=[
        "claim.filed", "claim.info_requested", "claim.approved"])  # fmt: skip
    agent = Actor.person(ActorKind.STAFF, make_user(Role.DESK_AGENT))
    with django_capture_on_commit_callbacks(execute=True):
        contract = _claimable(sell())
    with django_capture_on_commit_callbacks(execute=True):
        claim = _in_review(contract, agent)
    for question in ("A photo of the serial number, please.", "And the receipt."):
        with django_capture_on_commit_callbacks(execute=True):
            claim_ask_customer(claim_id=claim.pk, actor=agent, body=question)
        with django_capture_on_commit_callbacks(execute=True):
            claim_reply(
                claim_id=claim.pk, actor=Actor(ActorKind.SHOPPER, "shopper"), body="Here it is."
            )
    with django_capture_on_commit_callbacks(execute=True):
        claim_approve(claim_id=claim.pk, actor=agent, amount=5_000, resolution="reimburse")

    types = [json.loads(body)["type"] for _headers, body in received]
    assert types == [
        "claim.filed",
        "claim.info_requested",
        "claim.info_requested",
        "claim.approved",
    ]
    headers, body = received[-1]
    assert verify(endpoint["secret"], headers, body)
    approved = json.loads(body)["data"]["claim"]
    assert (approved["number"], approved["state"], approved["approved_amount"]) == (
        claim.number,
        "approved",
        5_000,
    )
