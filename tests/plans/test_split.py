"""The split of a plan's price: merchant's commission, administrator's fee and the
obligor's net premium, always summing to the price (issue 16)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from backend.common.exceptions import ValidationFailed
from backend.contracts.models import Contract
from backend.plans.models import MerchantPlan
from backend.plans.split import BASIS_POINTS, SplitRates, rates_for, split_price

prices = st.integers(min_value=0, max_value=10**12)


@st.composite
def rates(draw):
    commission = draw(st.integers(min_value=0, max_value=BASIS_POINTS))
    fee = draw(st.integers(min_value=0, max_value=BASIS_POINTS - commission))
    return SplitRates(commission, fee)


@given(price=prices, rates=rates())
def test_the_parts_always_sum_to_the_price_and_none_is_negative(price, rates):
    split = split_price(price, "USD", rates)
    assert split.merchant_commission + split.administrator_fee + split.net_premium == price
    assert min(split.merchant_commission, split.administrator_fee, split.net_premium) >= 0


@given(price=prices, rates=rates())
def test_rounding_favours_the_obligor_by_less_than_a_cent_a_share(price, rates):
    split = split_price(price, "USD", rates)
    for share, bp in (
        (split.merchant_commission, rates.merchant_commission_bp),
        (split.administrator_fee, rates.administrator_fee_bp),
    ):
        exact = price * bp / BASIS_POINTS
        assert share <= exact < share + 1  # rounded down, never up
    assert split.net_premium >= price * (BASIS_POINTS - sum(vars(rates).values())) / BASIS_POINTS


def test_a_worked_example():
    split = split_price(9_999, "USD", SplitRates(2_500, 1_000))
    assert (split.merchant_commission, split.administrator_fee, split.net_premium) == (
        2_499,
        999,
        6_501,
    )


@pytest.mark.parametrize(
    ("commission", "fee", "fields"),
    [
        (8_000, 2_001, {"merchant_commission_bp", "administrator_fee_bp"}),
        (-1, 0, {"merchant_commission_bp"}),
        (0, "10", {"administrator_fee_bp"}),
    ],
)
def test_rates_that_do_not_add_up_are_refused_naming_the_fields(commission, fee, fields):
    with pytest.raises(ValidationFailed) as refused:
        split_price(100, "USD", SplitRates(commission, fee))
    assert refused.value.status_code == 400
    assert refused.value.code == "invalid_price_split"
    assert set(refused.value.fields) == fields


@pytest.mark.django_db
def test_a_merchants_offering_overrides_the_plans_rates(plan, merchant):
    plan.merchant_commission_bp, plan.administrator_fee_bp = 2_000, 1_000
    plan.save()
    offering = MerchantPlan.objects.get(plan=plan, merchant=merchant)
    assert rates_for(plan, offering) == SplitRates(2_000, 1_000)
    offering.merchant_commission_bp = 3_500
    assert rates_for(plan, offering) == SplitRates(3_500, 1_000)


@pytest.mark.django_db
def test_the_database_refuses_a_plan_whose_rates_exceed_the_price(plan):
    plan.merchant_commission_bp, plan.administrator_fee_bp = 9_000, 1_001
    with pytest.raises(ValidationError) as refused:
        plan.full_clean()
    assert "merchant_commission_bp" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        plan.save()


@pytest.mark.django_db
def test_an_override_that_exceeds_the_price_with_the_plans_fee_is_refused(plan, merchant):
    plan.administrator_fee_bp = 3_000
    plan.save()
    offering = MerchantPlan.objects.get(plan=plan, merchant=merchant)
    offering.merchant_commission_bp = 7_001
    with pytest.raises(ValidationError) as refused:
        offering.full_clean()
    assert "merchant_commission_bp" in refused.value.message_dict
    offering.merchant_commission_bp = 7_000
    offering.full_clean()
    offering.save()
    plan.administrator_fee_bp = 3_001  # now the plan's own change would break the offering
    with pytest.raises(ValidationError) as refused:
        plan.full_clean()
    assert "administrator_fee_bp" in refused.value.message_dict


@pytest.mark.django_db
def test_each_contract_snapshots_its_split_at_sale(
    stripe_api, put_order, order_body, plan, merchant
):
    plan.merchant_commission_bp, plan.administrator_fee_bp = 2_500, 1_000
    plan.save()
    MerchantPlan.objects.filter(plan=plan, merchant=merchant).update(merchant_commission_bp=3_000)
    assert put_order("SPLIT-1", order_body(quantity=2)).status_code == 201
    contracts = list(Contract.objects.all())
    assert len(contracts) == 2
    for contract in contracts:
        split = contract.plan_snapshot["price_split"]
        assert split == {
            "currency": "USD",
            "price": 9_999,
            "merchant_commission": 2_999,
            "administrator_fee": 999,
            "net_premium": 6_001,
            "merchant_commission_bp": 3_000,
            "administrator_fee_bp": 1_000,
            "clawback_in_free_look": "full",
            "clawback_after_free_look": "pro_rata",
            "tax": 0,  # California does not tax service contracts
            "taxes": [],
        }
        assert contract.net_premium == 6_001
        assert contract.tax == 0
    plan.merchant_commission_bp = 0  # a later catalogue edit changes no contract
    plan.save()
    assert Contract.objects.first().plan_snapshot["price_split"]["merchant_commission"] == 2_999


@pytest.mark.django_db
def test_a_merchant_sees_its_own_commission_on_each_plan(api, plan, merchant, other_merchant):
    plan.merchant_commission_bp = 2_000
    plan.save()
    MerchantPlan.objects.create(merchant=other_merchant, plan=plan, merchant_commission_bp=3_300)
    [listed] = api.get("/api/v1/plans/").json()["results"]
    assert listed["code"] == plan.code and listed["merchant_commission_bp"] == 2_000
    MerchantPlan.objects.filter(merchant=merchant, plan=plan).update(merchant_commission_bp=2_750)
    [listed] = api.get("/api/v1/plans/").json()["results"]
    assert listed["merchant_commission_bp"] == 2_750  # its own, never the other merchant's
