"""Analytics: the offer funnel from widget events and sales, claim rates and reasons per
category, SKU and merchant, loss ratios per plan, the SLA trend, and who may see what."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.choices import Role
from backend.claims.models import Claim
from backend.contracts.models import Contract
from backend.crm.models import OfferStat
from backend.payments.models import Payment, Refund

pytestmark = pytest.mark.django_db


@pytest.fixture
def widget(merchant, plan) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_COVERDESK_KEY=merchant.publishable_key)
    return client


def events(kind="impression", codes=("phone-2y",), category="phones", n=1):
    return {"events": [{"kind": kind, "category": category, "plan_codes": list(codes)}] * n}


def claim_on(contract, *, number, reason="mechanical_failure", state="submitted", **fields):
    now = timezone.now()
    return Claim.objects.create(
        number=number,
        contract=contract,
        customer=contract.customer,
        merchant=contract.merchant,
        category=contract.product_snapshot["category"],
        sku=contract.product_snapshot.get("sku") or "",
        reason=reason,
        failure_date=timezone.localdate(),
        description="It broke.",
        currency=contract.currency,
        first_response_due=now + timedelta(days=1),
        decision_due=now + timedelta(days=5),
        state=state,
        **fields,
    )


def test_widget_events_are_counted_in_place(widget):
    assert widget.post("/api/v1/widget/events/", events(n=3), format="json").status_code == 202
    response = widget.post(
        "/api/v1/widget/events/", events(codes=("phone-2y", "not-ours")), format="json"
    )
    assert response.json() == {"recorded": 1}  # plans the merchant does not offer are dropped
    widget.post("/api/v1/widget/events/", events(kind="decline"), format="json")
    rows = {(r.kind, r.plan_code): r.count for r in OfferStat.objects.all()}
    assert rows == {("impression", "phone-2y"): 4, ("decline", "phone-2y"): 1}


@pytest.mark.parametrize(
    "body",
    [
        {"events": [{"kind": "conversion", "category": "phones", "plan_codes": ["phone-2y"]}]},
        {"events": [{"kind": "impression", "category": "phones", "plan_codes": []}]},
        {"events": []},
        {"events": "lots"},
        [1, 2],
    ],
)
def test_bad_widget_events_are_400(widget, body):
    response = widget.post("/api/v1/widget/events/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "validation_error"
    assert not OfferStat.objects.exists()


def test_events_need_the_widget_key(plan):
    assert APIClient().post("/api/v1/widget/events/", events(), format="json").status_code in (
        401,
        403,
    )


def test_offer_funnel_and_loss_ratio_from_sales_and_claims(widget, sell, marketing):
    widget.post("/api/v1/widget/events/", events(n=4), format="json")
    first, second = sell(days_ago=1), sell(email="bo@example.com", days_ago=1)
    claim_on(first, number="CL-A1", state="approved", approved_amount=5_000)
    claim_on(second, number="CL-A2", state="denied")
    body = marketing.get("/api/v1/analytics/offers/").json()
    [row] = body["plans"]
    assert (row["plan_code"], row["impressions"], row["units"]) == ("phone-2y", 4, 2)
    assert row["conversion_rate"] == 0.5
    [loss] = marketing.get("/api/v1/analytics/loss-ratio/").json()["plans"]
    assert (loss["premiums"], loss["claims_paid"], loss["paid_claims"]) == (19_998, 5_000, 1)
    # A day into two years of coverage: a day's worth earned, and a claim weighs heavily.
    first.refresh_from_db()
    days = (first.coverage_end - first.coverage_start).days
    assert first.coverage_start == timezone.localdate() - timedelta(days=1) and days > 700
    assert loss["earned_premiums"] == 19_998 // days
    assert loss["loss_ratio"] == round(5_000 / (19_998 // days), 4)


def test_the_loss_ratio_is_over_premium_earned_to_date(sell, marketing):
    """Two-year plans at 9,999: a quarter of the way through earns a quarter; one ended
    (expired, or fulfilled by a replacement) earned it all, as did one cancelled (it kept
    only what its refund did not give back); one whose coverage starts later earned none."""
    today = timezone.localdate()
    quarter, expired, fulfilled, later, cancelled = (
        sell(email=f"e{i}@example.com", days_ago=1) for i in range(5)
    )
    Contract.objects.filter(pk=cancelled.pk).update(state="cancelled")
    Refund.objects.create(
        contract=cancelled,
        payment=Payment.objects.get(order__lines__contracts=cancelled),
        amount=7_000,
        currency="USD",
        quote={"lines": []},
        idempotency_key="refund-e4",
        requested_at=timezone.now(),
        due_at=timezone.now() + timedelta(days=30),
    )
    Contract.objects.filter(pk=quarter.pk).update(
        coverage_start=today - timedelta(days=100), coverage_end=today + timedelta(days=300)
    )
    Contract.objects.filter(pk=expired.pk).update(state="expired")
    Contract.objects.filter(pk=fulfilled.pk).update(state="fulfilled")
    Contract.objects.filter(pk=later.pk).update(
        coverage_start=today + timedelta(days=30), coverage_end=today + timedelta(days=760)
    )
    claim_on(quarter, number="CL-E1", state="resolved", approved_amount=12_000)
    [loss] = marketing.get("/api/v1/analytics/loss-ratio/").json()["plans"]
    earned = 9_999 * 100 // 400 + 9_999 + 9_999 + (9_999 - 7_000)
    assert (loss["contracts"], loss["refunds"], loss["premiums"]) == (5, 7_000, 5 * 9_999 - 7_000)
    assert loss["earned_premiums"] == earned
    assert loss["loss_ratio"] == round(12_000 / earned, 4)


def test_claim_rates_and_reasons_per_category_sku_and_merchant(sell, marketing):
    contracts = [sell(email=f"c{i}@example.com", days_ago=5) for i in range(4)]
    claim_on(contracts[0], number="CL-B1", reason="mechanical_failure")
    claim_on(contracts[1], number="CL-B2", reason="mechanical_failure")
    claim_on(contracts[2], number="CL-B3", reason="accidental_damage")
    claim_on(contracts[3], number="CL-B4", state="withdrawn")  # never counts
    for by, key in (("category", "phones"), ("sku", "PHONE-9"), ("merchant", "acme")):
        response = marketing.get(f"/api/v1/analytics/claims/?by={by}")
        assert response.status_code == 200, response.json()
        [group] = response.json()["groups"]
        assert group["key"] == key
        assert (group["contracts"], group["claims"], group["claim_rate"]) == (4, 3, 0.75)
        assert group["reasons"] == {"mechanical_failure": 2, "accidental_damage": 1}


def test_sla_trend_by_week(sell, marketing):
    contract = sell(days_ago=40)
    now = timezone.now()
    claim_on(
        contract,
        number="CL-S1",
        first_response_at=timezone.now() + timedelta(hours=2),
        decided_at=now + timedelta(hours=30),
    )
    claim_on(contract, number="CL-S2", sla_breached_at=now)
    weeks = marketing.get("/api/v1/analytics/sla/?weeks=4").json()["weeks"]
    assert len(weeks) == 4 and [w["filed"] for w in weeks[:3]] == [0, 0, 0]
    this_week = weeks[-1]
    assert (this_week["filed"], this_week["breached"], this_week["breach_rate"]) == (2, 1, 0.5)
    assert this_week["median_first_response_hours"] == pytest.approx(2, abs=0.1)
    assert this_week["median_decision_hours"] == pytest.approx(30, abs=0.1)


def test_merchants_see_only_their_own_analytics(
    sell, api, other_api, marketing, merchant, other_merchant, make_user
):
    contract = sell(days_ago=3)
    claim_on(contract, number="CL-M1")
    mine = api.get("/api/v1/analytics/claims/?by=sku").json()["groups"]
    assert [g["key"] for g in mine] == ["PHONE-9"]
    assert other_api.get("/api/v1/analytics/claims/?by=sku").json()["groups"] == []
    assert other_api.get("/api/v1/analytics/loss-ratio/").json()["plans"] == []
    peek = other_api.get(f"/api/v1/analytics/claims/?merchant={merchant.slug}")
    assert peek.status_code == 403
    one = marketing.get(f"/api/v1/analytics/claims/?merchant={other_merchant.slug}").json()
    assert one["groups"] == []
    assert marketing.get("/api/v1/analytics/claims/?merchant=nobody").status_code == 404
    for role in (Role.DESK_AGENT, Role.DESK_SUPERVISOR, Role.SHOPPER):
        client = APIClient()
        client.force_login(make_user(role))
        for path in ("offers", "claims", "loss-ratio", "sla"):
            assert client.get(f"/api/v1/analytics/{path}/").status_code == 403
    assert APIClient().get("/api/v1/analytics/claims/").status_code in (401, 403)


@pytest.mark.parametrize(
    "query",
    [
        "since=2026-02-30",
        "since=2026-05-01&until=2026-04-01",
        "since=2020-01-01",
        "by=colour",
        "until=0001-01-01",
        "since=9999-12-31&until=9999-12-31",
    ],
)
def test_bad_analytics_queries_are_400(marketing, query):
    response = marketing.get(f"/api/v1/analytics/claims/?{query}")
    assert response.status_code == 400 and response.json()["fields"]
