"""The warranty desk: take next, the state machine through the API, approvals and limits,
fulfilment, CSAT, queues and metrics."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.choices import Role
from backend.claims.models import CannedResponse, Claim, DeskProfile, DeskQueue, RepairPartner
from tests.claims.conftest import file_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(contract, shopper):
    def make(**overrides):
        response = file_claim(shopper, contract, **overrides)
        assert response.status_code == 201, response.json()
        return Claim.objects.get(number=response.json()["number"])

    return make


@pytest.fixture
def claim(filed):
    return filed()


def _post(client, claim, action, body=None):
    return client.post(f"/api/v1/desk/claims/{claim.number}/{action}/", body or {}, format="json")


def _take(client, **body):
    return client.post("/api/v1/desk/claims/take-next/", body, format="json")


def test_take_next_assigns_and_starts_review(claim, agent):
    response = _take(agent)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["number"] == claim.number and body["state"] == "in_review"
    assert body["assignee"] == agent.user.username
    assert body["contract_detail"]["limit_remaining"] > 0
    assert body["customer"]["email"] == "ana@example.com"
    assert [e["name"] for e in body["timeline"]] == ["file", "assign"]
    assert _take(agent).status_code == 204  # nothing left


def test_take_next_hands_out_the_highest_priority_first(sell, shopper, filed, agent):
    first = filed()
    urgent = filed()
    Claim.objects.filter(pk=urgent.pk).update(priority=3)
    assert _take(agent).json()["number"] == urgent.number
    assert _take(agent).json()["number"] == first.number


def test_an_agent_cannot_work_another_agents_claim(claim, agent, desk):
    _take(agent)
    other = desk(Role.DESK_AGENT)
    response = _post(other, claim, "deny", {"note": "No."})
    assert response.status_code == 403 and response.json()["code"] == "assigned_to_another_agent"


def test_ask_reply_approve_fulfil_resolve_and_rate(claim, agent, shopper, contract):
    _take(agent)
    asked = _post(agent, claim, "ask", {"body": "Could you send a photo of the screen?"})
    assert asked.status_code == 200 and asked.json()["state"] == "awaiting_customer"
    note = _post(agent, claim, "messages", {"body": "Looks like a known batch.", "internal": True})
    assert note.status_code == 200
    mine = shopper.get(f"/api/v1/portal/claims/{claim.number}/").json()
    assert mine["state"] == "awaiting_customer"
    assert [m["body"] for m in mine["messages"]] == ["Could you send a photo of the screen?"]
    assert "Looks like a known batch." not in str(mine)  # internal notes never leave the desk
    reply = shopper.post(
        f"/api/v1/portal/claims/{claim.number}/messages/",
        {"body": "Here it is."},
        format="multipart",
    )
    assert reply.status_code == 201
    assert Claim.objects.get(pk=claim.pk).state == "in_review"

    approved = _post(agent, claim, "approve", {"amount": 15_000, "resolution": "repair"})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["state"] == "approved"
    contract.refresh_from_db()
    assert contract.limit_remaining == contract.limit_of_liability - 15_000
    assert contract.claims_paid == 15_000 and contract.state == "active"

    assert _post(agent, claim, "fulfil").json()["code"] == "partner_required"
    partner = RepairPartner.objects.create(name="FixIt Bay Area", categories=["phones"])
    fulfilled = _post(agent, claim, "fulfil", {"partner": partner.pk})
    assert fulfilled.status_code == 200 and fulfilled.json()["state"] == "in_fulfillment"
    reference = fulfilled.json()["resolution"]["reference"]
    assert reference.startswith("SO-")
    again = _post(agent, claim, "fulfil", {"partner": partner.pk})  # idempotent
    assert again.json()["resolution"]["reference"] == reference

    assert _post(agent, claim, "resolution", {"action": "ship"}).status_code == 400
    shipped = _post(
        agent, claim, "resolution", {"action": "ship", "carrier": "UPS", "tracking_number": "1Z9"}
    )
    assert shipped.json()["resolution"]["tracking_number"] == "1Z9"
    done = _post(agent, claim, "resolution", {"action": "complete"})
    assert done.json()["state"] == "resolved"

    portal = shopper.get(f"/api/v1/portal/claims/{claim.number}/").json()
    assert portal["resolution"]["reference"] == reference and portal["rate_token"]
    rate = shopper.post(
        "/api/v1/portal/claims/rate/",
        {"token": portal["rate_token"], "score": 5, "comment": "Fast!"},
        format="json",
    )
    assert rate.status_code == 204
    again = shopper.post(
        "/api/v1/portal/claims/rate/", {"token": portal["rate_token"], "score": 1}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    assert Claim.objects.get(pk=claim.pk).csat_score == 5


def test_a_forged_rating_token_is_400(claim):
    from rest_framework.test import APIClient

    client = APIClient()
    response = client.post(
        "/api/v1/portal/claims/rate/", {"token": "forged.token", "score": 5}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_token"
    out_of_range = client.post(
        "/api/v1/portal/claims/rate/", {"token": "x", "score": 9}, format="json"
    )
    assert out_of_range.status_code == 400 and "score" in out_of_range.json()["fields"]


def test_above_the_agents_limit_a_supervisor_decides(claim, agent, supervisor):
    _take(agent)
    asked = _post(agent, claim, "approve", {"amount": 60_000, "resolution": "reimburse"})
    assert asked.json()["state"] == "pending_approval"
    assert asked.json()["requested_amount"] == 60_000
    assert _post(agent, claim, "decide", {"approve": True}).status_code == 403
    decided = _post(supervisor, claim, "decide", {"approve": True, "note": "Fine."})
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    assert decided.json()["approved_amount"] == 60_000


def test_a_supervisor_cannot_approve_above_their_own_limit(claim, agent, supervisor):
    DeskProfile.objects.create(user=supervisor.user, approval_limits={"USD": 10_000})
    _take(agent)
    _post(agent, claim, "approve", {"amount": 60_000, "resolution": "reimburse"})
    response = _post(supervisor, claim, "decide", {"approve": True})
    assert response.status_code == 403 and response.json()["code"] == "over_approval_limit"
    assert Claim.objects.get(pk=claim.pk).state == "pending_approval"


def test_an_amount_over_the_remaining_limit_is_refused(claim, agent, contract):
    _take(agent)
    response = _post(
        agent,
        claim,
        "approve",
        {"amount": contract.limit_remaining + 1, "resolution": "reimburse"},
    )
    assert response.status_code == 400 and response.json()["code"] == "over_limit_of_liability"
    assert Claim.objects.get(pk=claim.pk).state == "in_review"


def test_a_replacement_fulfils_the_contract(claim, agent, contract):
    _take(agent)
    _post(agent, claim, "approve", {"amount": 30_000, "resolution": "replace"})
    contract.refresh_from_db()
    assert contract.state == "fulfilled"
    assert contract.events.filter(name="fulfil").exists()


def test_store_credit_gets_a_code(claim, agent, shopper):
    _take(agent)
    _post(agent, claim, "approve", {"amount": 20_000, "resolution": "store_credit"})
    resolution = _post(agent, claim, "fulfil").json()["resolution"]
    assert len(resolution["credit_code"]) == 19 and resolution["credit_expires_on"]
    portal = shopper.get(f"/api/v1/portal/claims/{claim.number}/").json()
    assert portal["resolution"]["credit_code"] == resolution["credit_code"]


def test_deny_then_appeal_goes_back_to_the_desk(claim, agent, shopper):
    _take(agent)
    assert _post(agent, claim, "deny", {"note": ""}).status_code == 400
    denied = _post(agent, claim, "deny", {"note": "Damage from a drop is not covered."})
    assert denied.json()["state"] == "denied"
    appeal = shopper.post(
        f"/api/v1/portal/claims/{claim.number}/appeal/",
        {"reason": "It was not dropped."},
        format="json",
    )
    assert appeal.status_code == 200 and appeal.json()["state"] == "appealed"
    claim.refresh_from_db()
    assert claim.priority == 2 and claim.decided_at is None
    Claim.objects.filter(pk=claim.pk).update(assignee=None)
    assert _take(agent).json()["state"] == "in_review"


def test_a_transition_that_is_not_allowed_is_409(claim, agent, shopper):
    _take(agent)
    _post(agent, claim, "approve", {"amount": 1_000, "resolution": "repair"})
    twice = _post(agent, claim, "approve", {"amount": 1_000, "resolution": "repair"})
    assert twice.status_code == 409 and twice.json()["code"] == "invalid_transition"
    assert twice.json()["state"] == "approved"
    deny = _post(agent, claim, "deny", {"note": "Too late."})
    assert deny.status_code == 409
    withdraw = shopper.post(f"/api/v1/portal/claims/{claim.number}/withdraw/")
    assert withdraw.status_code == 409


def test_a_second_decision_loses_with_409(claim, agent, supervisor):
    """Two people deciding at once: the row lock orders them, and the second finds the
    claim decided (PostgreSQL runs the same race with threads in test_concurrency)."""
    _take(agent)
    first = _post(agent, claim, "approve", {"amount": 1_000, "resolution": "repair"})
    second = _post(supervisor, claim, "deny", {"note": "No."})
    assert first.status_code == 200 and second.status_code == 409


def test_the_shopper_can_withdraw_before_a_decision(claim, shopper):
    response = shopper.post(f"/api/v1/portal/claims/{claim.number}/withdraw/")
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"


def test_a_supervisor_reassigns(claim, agent, supervisor, desk):
    _take(agent)
    other = desk(Role.DESK_AGENT)
    assert _post(agent, claim, "assign", {"assignee": other.user.username}).status_code == 403
    response = _post(supervisor, claim, "assign", {"assignee": other.user.username})
    assert response.status_code == 200 and response.json()["assignee"] == other.user.username
    unknown = _post(supervisor, claim, "assign", {"assignee": "nobody"})
    assert unknown.status_code == 400


def test_canned_responses_are_filled_in_for_the_claim(claim, agent):
    CannedResponse.objects.create(
        code="ask-photo",
        language="en",
        title="Ask for a photo",
        body="Dear {{ first_name }}, I am sorry your {{ product }} broke. {{ unknown }}",
    )
    [reply] = agent.get(f"/api/v1/desk/claims/{claim.number}/canned/").json()
    assert reply["body"] == "Dear Ana, I am sorry your Phone 9 broke. {{ unknown }}"


def test_queues_filter_and_pages_are_keyset(sell, filed, agent, supervisor):
    claims = [filed() for _ in range(7)]
    Claim.objects.filter(pk=claims[0].pk).update(priority=3)
    seen, cursor = [], None
    while True:
        params = {"page_size": 3, **({"cursor": cursor} if cursor else {})}
        page = agent.get("/api/v1/desk/claims/", params).json()
        seen += [row["number"] for row in page["results"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7 and seen[0] == claims[0].number
    bad = agent.get("/api/v1/desk/claims/", {"colour": "red"})
    assert bad.status_code == 400 and "colour" in bad.json()["fields"]
    assert agent.get("/api/v1/desk/claims/", {"cursor": "!!!"}).status_code == 400

    created = supervisor.post(
        "/api/v1/desk/queues/",
        {"name": "Urgent", "filters": {"priority_min": 3}},
        format="json",
    )
    assert created.status_code == 201
    queue = DeskQueue.objects.get(name="Urgent")
    rows = agent.get("/api/v1/desk/claims/", {"queue": queue.pk}).json()["results"]
    assert [r["number"] for r in rows] == [claims[0].number]
    assert _take(agent, queue=queue.pk).json()["number"] == claims[0].number
    assert _take(agent, queue=queue.pk).status_code == 204
    invalid = supervisor.post(
        "/api/v1/desk/queues/", {"name": "Bad", "filters": {"state": ["nope"]}}, format="json"
    )
    assert invalid.status_code == 400
    assert agent.post("/api/v1/desk/queues/", {"name": "Mine"}, format="json").status_code == 403


def test_metrics(claim, agent):
    _take(agent)
    _post(agent, claim, "messages", {"body": "We are on it."})
    metrics = agent.get("/api/v1/desk/metrics/").json()
    assert metrics["backlog"]["in_review"] == 1 and metrics["open"] == 1
    assert metrics["claims_per_reason"] == {"mechanical_failure": 1}
    assert metrics["median_hours_to_first_response"] is not None


def test_fraud_flags_are_shown_to_the_desk_only(sell, shopper, contract, agent):
    file_claim(shopper, contract, serial_number="SN-1", contact_name="Eve Mallory")
    second = file_claim(shopper, contract, serial_number="sn-1", claimed_amount=10_000_000)
    assert second.status_code == 201, second.json()
    number = second.json()["number"]
    assert "flags" not in second.json() and "fraud_flags" not in second.json()
    flags = {f["code"] for f in agent.get(f"/api/v1/desk/claims/{number}/").json()["fraud_flags"]}
    assert {"repeat_contract", "repeat_serial", "over_limit"} <= flags
    first = Claim.objects.exclude(number=number).get()
    assert "name_mismatch" in {f["code"] for f in first.fraud_flags}


def test_soon_after_purchase_is_flagged(sell, agent):
    from tests.claims.conftest import shopper_client

    fresh = sell(email="new@example.com", days_ago=31)
    response = file_claim(
        shopper_client(fresh),
        fresh,
        failure_date=(timezone.localdate() - timedelta(days=0)).isoformat(),
    )
    assert response.status_code == 201, response.json()
    claim = Claim.objects.get(number=response.json()["number"])
    assert "soon_after_purchase" not in {f["code"] for f in claim.fraud_flags}  # 31 days


def test_queue_rows_render_as_the_serializer_does(filed, agent, contract):
    from backend.claims import queues
    from backend.claims.api.desk_serializers import DeskClaimRowSerializer
    from backend.claims.queues import ORDER

    first, second = filed(serial_number="SN-9"), filed(serial_number="sn-9")
    _take(agent)
    now = timezone.now()
    Claim.objects.filter(pk=second.pk).update(
        sla_breached_at=now, priority=0, first_response_due=now.replace(microsecond=0)
    )
    # Fractions as DRF writes them: six digits, none when zero, a leading zero kept.
    Claim.objects.filter(pk=first.pk).update(first_response_due=now.replace(microsecond=10))
    rows = agent.get("/api/v1/desk/claims/").json()["results"]
    expected = DeskClaimRowSerializer(
        Claim.objects.filter(pk__in=[first.pk, second.pk]).order_by(*ORDER), many=True
    ).data
    assert rows == [dict(r) for r in expected]
    assert any(row["assignee"] for row in rows) and any(row["flags"] for row in rows)
    with timezone.override("Europe/Warsaw"):  # times shown in another zone, as DRF would
        local, _ = queues.page({}, agent.user)
        expected = DeskClaimRowSerializer(
            Claim.objects.filter(pk__in=[first.pk, second.pk]).order_by(*ORDER), many=True
        ).data
    assert local == [dict(r) for r in expected] and local[0]["created_at"].endswith("+01:00")


def test_every_queue_filter_lists_what_the_orm_would(filed, agent, supervisor, contract):
    """The page's hand-written SQL and take-next's ORM query share one condition; both are
    held here to a plain ORM reference, filter by filter."""
    from django.db.models import Q

    from backend.claims import queues
    from backend.claims.choices import OPEN_STATES

    claims = [filed() for _ in range(6)]
    me, other = agent.user, supervisor.user
    edits = [
        {"priority": 3, "category": "laptops", "assignee": me},
        {"state": "denied", "reason": "cosmetic"},
        {"sla_breached_at": timezone.now(), "assignee": other, "fraud_flags": []},
        {"priority": 0, "fraud_flags": [], "reason": "cosmetic"},
        {"state": "approved", "assignee": me},
        {},
    ]
    for claim, edit in zip(claims, edits, strict=True):
        Claim.objects.filter(pk=claim.pk).update(**edit)
    slug = contract.merchant.slug
    cases = [
        ({}, Q()),
        ({"state": ["denied", "approved"]}, Q(state__in=["denied", "approved"])),
        ({"priority_min": 2}, Q(priority__gte=2)),
        ({"category": ["laptops"]}, Q(category="laptops")),
        ({"merchant": [slug]}, Q(merchant__slug=slug)),
        ({"merchant": ["nobody-here"]}, Q(pk__in=[])),
        ({"reason": ["cosmetic"]}, Q(reason="cosmetic")),
        ({"sla_breached": True}, Q(sla_breached_at__isnull=False)),
        ({"sla_breached": False}, Q(sla_breached_at__isnull=True)),
        ({"flagged": True}, ~Q(fraud_flags=[])),
        ({"assignee": "me"}, Q(assignee=me)),
        ({"assignee": "unassigned"}, Q(assignee__isnull=True)),
        ({"assignee": other.username}, Q(assignee=other)),
        (
            {"reason": ["cosmetic"], "sla_breached": False},
            Q(reason="cosmetic", sla_breached_at=None),
        ),
    ]
    for filters, reference in cases:
        filters = queues.validate_filters(filters)
        states = filters.get("state") or OPEN_STATES
        expected = set(
            Claim.objects.filter(reference, state__in=states).values_list("number", flat=True)
        )
        rows, _ = queues.page(filters, me, size=200)
        assert {row["number"] for row in rows} == expected, filters
        orm = queues.apply_filters(Claim.objects.all(), filters, me)
        assert set(orm.values_list("number", flat=True)) == expected, filters
    assert (
        len({len(queues.page(queues.validate_filters(f), me, size=200)[0]) for f, _ in cases}) > 3
    )


def test_the_admin_refuses_a_queue_with_bad_filters():
    from backend.claims.admin import DeskQueueForm

    bad = DeskQueueForm(data={"name": "Q", "position": 0, "filters": '{"colour": "red"}'})
    assert not bad.is_valid() and "filters" in bad.errors
    good = DeskQueueForm(data={"name": "Q", "position": 0, "filters": '{"priority_min": 2}'})
    assert good.is_valid(), good.errors


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-23 09:13:35.19+00",
        "2026-11-23 09:13:35+00",
        "2026-11-23 09:13:35.000001+00",
        "2026-11-23 09:13:35.197000",
        "2026-11-23 09:13:35",
        "2026-11-23 10:13:35.5+01",
    ],
)
def test_queue_timestamps_read_as_drf_writes_them(text):
    from datetime import UTC, datetime

    from rest_framework.fields import DateTimeField

    from backend.claims.queues import _utc_iso

    value = datetime.fromisoformat(text)
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    assert _utc_iso(text) == DateTimeField().to_representation(value)
    assert _utc_iso(None) is None


def test_an_agent_takes_the_claim_open_on_their_screen(claim, agent, desk):
    response = _post(agent, claim, "take")
    assert response.status_code == 200, response.json()
    assert response.json()["assignee"] == agent.user.username
    assert response.json()["state"] == "in_review"
    assert _post(agent, claim, "take").status_code == 200  # taking your own again is fine
    other = desk()
    refused = _post(other, claim, "take")
    assert refused.status_code == 409 and refused.json()["code"] == "claim_not_takeable"


def test_the_desk_reads_guided_answers_as_questions_in_its_language(filed, agent):
    claim = filed(answers='{"other_outlet": "yes", "restarted": "no"}')
    body = agent.get(f"/api/v1/desk/claims/{claim.number}/").json()
    shown = {a["id"]: (a["question"], a["answer"]) for a in body["answers_shown"]}
    assert shown["other_outlet"] == ("Have you tried another power outlet or charger?", "Yes")
    assert shown["restarted"][1] == "No"
    polish = agent.get(f"/api/v1/desk/claims/{claim.number}/", HTTP_ACCEPT_LANGUAGE="pl").json()
    assert {a["answer"] for a in polish["answers_shown"]} == {"Tak", "Nie"}
