"""The refund calculator against worked examples, one jurisdiction pack at a time.

Every example: a $120.00 plan (PLN 120.00 for Poland) bought 2026-01-01, a $40.00 plan
cancellation fee, coverage from purchase for two years (730 days) unless stated.
"""

from datetime import date

import pytest

from backend.common.exceptions import ApplicationError
from backend.common.packs import load_packs, pack_for
from backend.legal.refunds import RefundRules, refund_quote

PURCHASED = date(2026, 1, 1)
END = date(2028, 1, 1)


def quote(
    jurisdiction,
    cancel_on,
    *,
    claims=0,
    appliance=False,
    start=PURCHASED,
    end=END,
    returned=False,
    currency="USD",
):
    return refund_quote(
        rules=RefundRules.from_pack(pack_for(jurisdiction)),
        price=12_000,
        currency=currency,
        purchased_on=PURCHASED,
        coverage_start=start,
        coverage_end=end,
        cancel_on=cancel_on,
        claims_paid=claims,
        plan_cancellation_fee=4_000,
        appliance=appliance,
        product_returned=returned,
    )


def amounts(q):
    return [(line.key, line.amount) for line in q.lines]


def test_default_us_free_look_is_a_full_refund():
    q = quote("US-GA", date(2026, 1, 5))
    assert (q.pack, q.free_look, q.total) == ("US", True, 12_000)
    assert amounts(q) == [("full_refund", 12_000)]
    assert q.due_on == date(2026, 2, 4) and q.late_penalty_percent_per_month == 10


def test_default_us_pro_rata_less_claims_less_capped_fee():
    # 181 of 730 days used: unearned = ceil(12000 * 549 / 730) = 9025; claims 2000;
    # fee = min(40.00, 10% of 120.00 = 12.00, $50) = 12.00.
    q = quote("US-GA", date(2026, 7, 1), claims=2_000)
    assert amounts(q) == [
        ("plan_price", 12_000),
        ("earned", -2_975),
        ("claims_paid", -2_000),
        ("cancellation_fee", -1_200),
    ]
    assert q.total == 5_825 and (q.days_total, q.days_unused) == (730, 549)


def test_california_60_days_or_30_for_appliances():
    assert quote("US-CA", date(2026, 2, 15)).total == 12_000  # day 45 of 60
    # Appliances: 30 days, so day 45 is pro rata: ceil(12000 * 685 / 730) = 11261; CA does not
    # deduct claims; fee capped at the lesser of 10% (12.00) and $25.
    q = quote("US-CA", date(2026, 2, 15), appliance=True, claims=2_000)
    assert not q.free_look
    assert amounts(q)[-1] == ("cancellation_fee", -1_200)
    assert q.total == 10_061


def test_florida_refunds_at_least_90_percent_of_unearned():
    q = quote("US-FL", date(2026, 1, 5))  # no free look in the pack
    # unearned = ceil(12000 * 726 / 730) = 11935; fee capped at 10% of it = 1193.
    assert not q.free_look
    assert q.total == 10_742 and q.total * 10 >= 11_935 * 9


def test_texas_free_look_deducts_claims_and_later_fee_is_capped_at_50():
    q = quote("US-TX", date(2026, 1, 21), claims=3_000)
    assert q.free_look and q.total == 9_000
    assert q.due_on == date(2026, 3, 7)  # 45 days; the penalty runs from day 46
    later = quote("US-TX", date(2026, 7, 1))
    assert amounts(later)[-1] == ("cancellation_fee", -4_000)  # min(40.00, $50 cap)
    assert later.total == 5_025


def test_illinois_free_look_only_without_claims_and_with_the_stated_fee():
    q = quote("US-IL", date(2026, 1, 11))
    assert q.free_look and q.total == 10_800  # full, less fee min(40.00, 10%, $50)
    with_claim = quote("US-IL", date(2026, 1, 11), claims=500)
    # No free look once service was received: pro rata ceil(12000 * 720 / 730) = 11836,
    # claims not deducted in IL, fee 12.00.
    assert not with_claim.free_look and with_claim.total == 10_636


def test_new_york_after_free_look_with_claims():
    q = quote("US-NY", date(2026, 1, 26), claims=1_000)
    # ceil(12000 * 705 / 730) = 11590; less 10.00 claims; less 12.00 fee.
    assert q.total == 9_390 and q.late_penalty_percent_per_month == 10


def test_poland_14_day_withdrawal_then_pro_rata_without_fee():
    assert quote("PL", date(2026, 1, 14), currency="PLN").total == 12_000
    q = quote("PL", date(2026, 4, 11), currency="PLN", claims=5_000)  # day 100
    assert q.pack == "PL" and amounts(q) == [("plan_price", 12_000), ("earned", -1_643)]
    assert q.total == 10_357 and q.due_on == date(2026, 4, 25)


def test_other_eu_states_use_the_eu_pack():
    assert quote("DE", date(2026, 1, 10), currency="EUR").pack == "EU"


def test_coverage_not_started_is_wholly_unearned():
    start, end = date(2027, 1, 1), date(2029, 1, 1)
    q = quote("US-GA", date(2026, 6, 1), start=start, end=end)
    assert q.days_unused == q.days_total and q.total == 12_000 - 1_200
    returned = quote("US-GA", date(2026, 6, 1), start=start, end=end, returned=True)
    assert returned.total == 12_000 and amounts(returned) == [("full_refund", 12_000)]


def test_after_coverage_ends_nothing_is_refunded_and_never_negative():
    assert quote("US-GA", date(2028, 3, 1), claims=50_000).total == 0


def test_quote_renders_itemised_for_the_shopper():
    data = quote("US-GA", date(2026, 7, 1), claims=2_000).as_dict()
    assert data["total_display"] == "$58.25"
    assert [line["amount_display"] for line in data["lines"]] == [
        "$120.00",
        "-$29.75",
        "-$20.00",
        "-$12.00",
    ]


def test_every_pack_is_valid_and_unknown_jurisdictions_have_none():
    for pack in load_packs().values():
        RefundRules.from_pack(pack)
    assert pack_for("US-WA").data["retention_years"] == 6
    assert pack_for("US-WA").table("refund")["free_look_days"] == 10  # inherited from US
    with pytest.raises(ApplicationError) as exc:
        pack_for("JP")
    assert exc.value.code == "no_jurisdiction_pack"
