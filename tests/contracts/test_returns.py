"""Returns and exchanges at the store flowing through to the plans (issue 17, item 3)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.checkout.models import ProductReturn
from backend.contracts.models import Contract, ContractEvent
from backend.merchants.choices import ReturnsAfterWindow
from backend.payments.models import Refund

pytestmark = pytest.mark.django_db(transaction=True)


def _bought(days_ago: int) -> None:
    """Every contract bought (and covered from) ``days_ago`` days ago."""
    bought = timezone.now() - timedelta(days=days_ago)
    Contract.objects.update(purchased_at=bought, coverage_start=timezone.localdate(bought))


def _report(api, order_id="RET-1", **body):
    return api.post(
        f"/api/v1/orders/{order_id}/returns/",
        {"return_id": "R-1", "kind": "return", "line": 0, "quantity": 1, **body},
        format="json",
    )


def test_a_return_in_the_window_refunds_the_plan_in_full_once(paid_order, api, merchant):
    paid_order("RET-1", quantity=2)
    merchant.return_window_days = 90
    merchant.save()
    _bought(days_ago=75)  # past California's 60-day free look, inside the store's window

    first = _report(api)
    assert first.status_code == 201, first.json()
    [unit] = first.json()["units"]
    assert unit["outcome"] == "cancelled" and unit["in_return_window"] is True
    refund = Refund.objects.get()
    assert refund.amount == unit["refund"] == 9_999  # the whole price, not pro rata
    assert refund.quote["lines"][0]["params"] == {"reason": "returned_in_window", "days": 90}
    cancelled = Contract.objects.get(number=unit["contract"])
    assert cancelled.state == "cancelled" and cancelled.unit_index == 2  # the newest unit
    assert Contract.objects.filter(state="active").count() == 1

    again = _report(api)
    assert (again.status_code, again.json()) == (200, first.json())
    assert Refund.objects.count() == 1  # reported twice: one cancellation
    conflict = _report(api, quantity=2)
    assert (conflict.status_code, conflict.json()["code"]) == (409, "return_conflict")
    more = _report(api, return_id="R-2", quantity=2)
    assert (more.status_code, more.json()["code"]) == (409, "units_not_covered")
    assert ProductReturn.objects.count() == 1  # the refused one left nothing behind


@pytest.mark.parametrize(
    ("setting", "outcome"),
    [(ReturnsAfterWindow.KEEP, "kept"), (ReturnsAfterWindow.CANCEL, "cancelled")],
)
def test_after_the_window_the_merchant_chooses_what_a_return_does(
    paid_order, api, merchant, setting, outcome
):
    paid_order("RET-1", quantity=1)
    merchant.returns_after_window = setting
    merchant.save()
    _bought(days_ago=75)  # past the default 30-day window (and the free look)

    response = _report(api)
    assert response.status_code == 201, response.json()
    [unit] = response.json()["units"]
    assert unit["outcome"] == outcome
    if outcome == "cancelled":
        refund = Refund.objects.get()
        assert 0 < refund.amount < 9_999 and unit["in_return_window"] is False  # pro rata
    else:
        assert Contract.objects.get().state == "active" and not Refund.objects.exists()


def test_an_exchange_moves_the_plan_to_the_replacement_of_the_same_category(paid_order, api):
    paid_order("RET-1", quantity=1)
    contract = Contract.objects.get()
    replacement = {"sku": "PHONE-9B", "title": "Phone 9 (replacement)", "category": "phones"}
    response = _report(api, kind="exchange", replacement=replacement)
    assert response.status_code == 201, response.json()
    assert response.json()["units"] == [{"contract": contract.number, "outcome": "exchanged"}]
    moved = Contract.objects.get()
    assert moved.state == "active"
    assert (moved.product_snapshot["sku"], moved.product_snapshot["title"]) == (
        "PHONE-9B",
        "Phone 9 (replacement)",
    )
    assert (moved.coverage_start, moved.coverage_end) == (
        contract.coverage_start,
        contract.coverage_end,
    )
    event = ContractEvent.objects.get(contract=moved, name="exchange")
    assert event.data["from_product"]["sku"] == "PHONE-9"

    other = _report(
        api, return_id="R-2", kind="exchange", replacement={"sku": "TV-1", "category": "tvs"}
    )
    assert (other.status_code, other.json()["code"]) == (409, "exchange_category_mismatch")
    assert Contract.objects.get().product_snapshot["sku"] == "PHONE-9B"
    assert ProductReturn.objects.count() == 1


def test_bad_return_reports(paid_order, api, other_api):
    paid_order("RET-1", quantity=1)
    missing = _report(api, kind="exchange")
    assert missing.status_code == 400 and "replacement" in missing.json()["fields"]
    assert _report(api, order_id="NOPE").json()["code"] == "order_not_found"
    assert _report(api, line=7).json()["code"] == "line_not_found"
    assert _report(api, quantity=0).status_code == 400
    # Another merchant's order is not found.
    assert _report(other_api).json()["code"] == "order_not_found"
    assert not ProductReturn.objects.exists()


def test_a_merchant_sets_its_return_window_through_the_api(api, other_api, merchant):
    assert api.get("/api/v1/merchant/returns/").json() == {
        "return_window_days": 30,
        "returns_after_window": "cancel",
    }
    changed = api.patch("/api/v1/merchant/returns/", {"return_window_days": 90}, format="json")
    assert changed.status_code == 200
    assert changed.json() == {"return_window_days": 90, "returns_after_window": "cancel"}
    merchant.refresh_from_db()
    assert merchant.return_window_days == 90
    for bad in (
        {"return_window_days": 400},
        {"return_window_days": "forever"},
        {"returns_after_window": "maybe"},
    ):
        response = api.patch("/api/v1/merchant/returns/", bad, format="json")
        assert response.status_code == 400, bad
    assert other_api.get("/api/v1/merchant/returns/").json()["return_window_days"] == 30
