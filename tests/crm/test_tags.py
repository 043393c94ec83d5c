"""Tag rules: on events (after commit, once per event), by hand, expiring, and the
set-based recompute of time-based rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.common.exceptions import NotFound, ValidationFailed
from backend.contracts.models import Contract
from backend.crm import rules, services
from backend.crm.choices import Trigger
from backend.crm.models import CustomerTag, Tag, TagChange, TagRule
from tests.crm.conftest import tags_of

pytestmark = pytest.mark.django_db


def test_a_plan_bought_tags_by_category_once(sell, rule):
    rule("plan_bought", "bought-phones", category=["phones"])
    rule("plan_bought", "bought-laptops", category=["laptops"])
    contract = sell()
    assert services.tags_for_event(trigger="plan_bought", object_id=contract.pk) == [
        "bought-phones"
    ]
    assert services.tags_for_event(trigger="plan_bought", object_id=contract.pk) == []
    assert tags_of(contract.customer) == {"bought-phones"}
    [change] = TagChange.objects.all()
    assert (change.action, change.source, change.event_key) == (
        "added",
        "rule",
        f"plan_bought:{contract.pk}",
    )


def test_activation_and_cancellation_emit_after_commit(
    sell, rule, django_capture_on_commit_callbacks
):
    from backend.checkout.cancellation import contract_cancel
    from backend.common.actors import Actor

    rule("plan_bought", "customer")
    rule("contract_cancelled", "cancelled-returned", reason=["product_returned"])
    with django_capture_on_commit_callbacks(execute=True):
        contract = sell()
    assert tags_of(contract.customer) == {"customer"}
    with django_capture_on_commit_callbacks(execute=True):
        contract_cancel(
            contract_id=contract.pk, actor=Actor.system("test"), reason="product_returned"
        )
    assert tags_of(contract.customer) == {"customer", "cancelled-returned"}


def test_claim_events_and_a_csat_detractor(sell, rule, django_capture_on_commit_callbacks):
    from backend.claims.models import Claim
    from backend.claims.services import claim_rate

    rule("claim_filed", "claimant")
    rule("claim_rated", "detractor", score_at_most=2)
    rule("claim_rated", "promoter", score_at_least=5)
    contract = sell()
    now = timezone.now()
    claim = Claim.objects.create(
        number="CL-CRM-1",
        contract=contract,
        customer=contract.customer,
        merchant=contract.merchant,
        category="phones",
        reason="mechanical_failure",
        failure_date=timezone.localdate(),
        description="It broke.",
        currency="USD",
        first_response_due=now,
        decision_due=now,
        state="resolved",
        resolved_at=now,
    )
    services.tags_for_event(trigger="claim_filed", object_id=claim.pk)
    with django_capture_on_commit_callbacks(execute=True):
        claim_rate(claim_id=claim.pk, score=2, comment="Slow.")
    assert tags_of(contract.customer) == {"claimant", "detractor"}


def test_rules_with_an_expiry_extend_then_expire(sell, rule):
    rule("plan_bought", "recent-buyer", expires_after_days=30)
    first, second = sell(), sell()
    services.tags_for_event(trigger="plan_bought", object_id=first.pk)
    tag = CustomerTag.objects.get()
    services.tags_for_event(trigger="plan_bought", object_id=second.pk)  # same customer
    tag.refresh_from_db()
    assert TagChange.objects.filter(action="extended").count() == 1
    assert services.tags_expire(now=timezone.now() + timedelta(days=29)) == 0
    assert services.tags_expire(now=timezone.now() + timedelta(days=31)) == 1
    assert not CustomerTag.objects.exists()
    assert list(TagChange.objects.order_by("id").values_list("action", flat=True)) == [
        "added",
        "extended",
        "expired",
    ]


def test_staff_add_and_remove_tags_with_history(sell, marketing):
    customer = sell().customer
    vip = Tag.objects.create(slug="vip", name="VIP")
    assert services.tag_add(customer=customer, tag=vip, actor=marketing.user, reason="Asked")
    assert not services.tag_add(customer=customer, tag=vip, actor=marketing.user)
    services.tag_remove(customer=customer, tag=vip, actor=marketing.user, reason="Mistake")
    with pytest.raises(NotFound):
        services.tag_remove(customer=customer, tag=vip, actor=marketing.user)
    history = list(TagChange.objects.order_by("id").values_list("action", "actor", "reason"))
    assert history == [
        ("added", marketing.user.pk, "Asked"),
        ("removed", marketing.user.pk, "Mistake"),
    ]
    with pytest.raises(ValueError, match="append-only"):
        TagChange.objects.first().save()


def test_expiring_contracts_are_recomputed_set_based(sell, rule, django_assert_max_num_queries):
    rule60 = rule("contract_expiring", "expiring-60d", within_days=60)
    rule30 = rule("contract_expiring", "expiring-30d", within_days=30)
    today = timezone.localdate()
    soon, later, never = (
        sell(email="soon@example.com"),
        sell(email="later@example.com"),
        sell(email="never@example.com"),
    )
    Contract.objects.filter(pk=soon.pk).update(coverage_end=today + timedelta(days=20))
    Contract.objects.filter(pk=later.pk).update(coverage_end=today + timedelta(days=45))
    with django_assert_max_num_queries(12):  # a handful of statements, whatever the customers
        assert services.rule_recompute(rule=rule60) == (2, 0)
    assert services.rule_recompute(rule=rule30) == (1, 0)
    assert services.rule_recompute(rule=rule60) == (0, 0)  # nothing changes twice
    assert tags_of(soon.customer) == {"expiring-60d", "expiring-30d"}
    assert tags_of(later.customer) == {"expiring-60d"}
    assert tags_of(never.customer) == set()
    Contract.objects.filter(pk=soon.pk).update(coverage_end=today + timedelta(days=400))
    assert services.rule_recompute(rule=rule60) == (0, 1)
    assert tags_of(soon.customer) == {"expiring-30d"}
    removed = TagChange.objects.get(action="removed")
    assert (removed.customer_id, removed.source) == (soon.customer_id, "recompute")
    TagRule.objects.filter(pk=rule30.pk).update(active=False)
    rule30.refresh_from_db()
    assert services.rule_recompute(rule=rule30) == (0, 1)


def test_a_hand_made_tag_is_not_taken_off_by_a_recompute(sell, rule, marketing):
    expiring = rule("contract_expiring", "expiring-60d", within_days=60)
    customer = sell().customer
    services.tag_add(customer=customer, tag=expiring.tag, actor=marketing.user)
    assert services.rule_recompute(rule=expiring) == (0, 0)
    assert tags_of(customer) == {"expiring-60d"}


def test_expired_without_renewal_and_lifetime_value(sell, rule):
    unrenewed = rule("contract_expired_unrenewed", "lapsed", within_days=90)
    valuable = rule("lifetime_value", "high-value", amounts={"USD": 15_000, "PLN": 1})
    today = timezone.localdate()
    lapsed, renewed = sell(email="lapsed@example.com"), sell(email="renewed@example.com")
    sell(email="renewed@example.com")  # still has an active phone plan
    Contract.objects.filter(pk__in=[lapsed.pk, renewed.pk]).update(
        state="expired", coverage_end=today - timedelta(days=3)
    )
    assert services.rule_recompute(rule=unrenewed) == (1, 0)
    assert tags_of(lapsed.customer) == {"lapsed"}
    # $99.99 a plan: two plans reach $150, one does not.
    assert services.rule_recompute(rule=valuable) == (1, 0)
    assert tags_of(renewed.customer) == {"high-value"}
    results = services.rules_recompute()
    assert results == {unrenewed.name: (0, 0), valuable.name: (0, 0)}


@pytest.mark.parametrize(
    ("trigger", "conditions", "bad"),
    [
        ("plan_bought", {"colour": ["red"]}, "colour"),
        ("plan_bought", {"reason": ["x"]}, "reason"),
        ("plan_bought", {"category": "phones"}, "category"),
        ("claim_rated", {"score_at_most": 9}, "score_at_most"),
        ("contract_expiring", {}, "within_days"),
        ("lifetime_value", {"amounts": {"usd": 5}}, "amounts"),
        ("teleported", {}, "trigger"),
        ("plan_bought", ["phones"], "conditions"),
    ],
)
def test_invalid_rule_conditions_name_the_field(trigger, conditions, bad):
    with pytest.raises(ValidationFailed) as error:
        rules.validate_conditions(trigger, conditions)
    assert bad in error.value.fields


def test_valid_conditions_and_matching():
    conditions = rules.validate_conditions(
        Trigger.CLAIM_RATED, {"category": ["phones"], "score_at_most": 2}
    )
    assert rules.matches(conditions, {"category": "phones", "score": 1})
    assert not rules.matches(conditions, {"category": "phones", "score": 4})
    assert not rules.matches(conditions, {"category": "tvs", "score": 1})
    assert not rules.matches(conditions, {"category": "phones", "score": None})
    assert rules.matches({}, {"category": "anything"})
