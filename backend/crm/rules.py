"""Tag rules as data: which conditions each trigger accepts, and whether an event's facts
meet a rule's conditions.

Event conditions are lists a fact must be among (``{"category": ["phones", "laptops"]}``)
and, for ratings, score bounds. Time-based triggers take their parameters instead
(``{"within_days": 30}``, ``{"amounts": {"USD": 50000}}``). An unknown key, a value of the
wrong kind, or a key the trigger does not know is a field error, never silently ignored.
"""

from rest_framework import serializers

from backend.common.exceptions import ValidationFailed
from backend.crm.choices import Trigger

_LIST_FACTS = ("category", "plan", "merchant", "jurisdiction", "reason")
ACCEPTS: dict[str, tuple[str, ...]] = {
    Trigger.PLAN_BOUGHT: ("category", "plan", "merchant", "jurisdiction"),
    Trigger.OFFER_DECLINED: ("category", "merchant", "jurisdiction"),
    Trigger.CLAIM_FILED: ("category", "plan", "merchant", "reason"),
    Trigger.CLAIM_APPROVED: ("category", "plan", "merchant", "reason"),
    Trigger.CLAIM_DENIED: ("category", "plan", "merchant", "reason"),
    Trigger.CLAIM_RATED: ("category", "plan", "merchant", "score_at_most", "score_at_least"),
    Trigger.CONTRACT_CANCELLED: ("category", "plan", "merchant", "reason"),
    Trigger.CONTRACT_EXPIRING: ("within_days",),
    Trigger.CONTRACT_EXPIRED_UNRENEWED: ("within_days",),
    Trigger.LIFETIME_VALUE: ("amounts",),
}
REQUIRED = {
    Trigger.CONTRACT_EXPIRING: ("within_days",),
    Trigger.CONTRACT_EXPIRED_UNRENEWED: ("within_days",),
    Trigger.LIFETIME_VALUE: ("amounts",),
}


class _ConditionsSerializer(serializers.Serializer):
    category = serializers.ListField(child=serializers.SlugField(max_length=50), max_length=100)
    plan = serializers.ListField(child=serializers.SlugField(max_length=60), max_length=100)
    merchant = serializers.ListField(child=serializers.SlugField(max_length=50), max_length=100)
    jurisdiction = serializers.ListField(
        child=serializers.RegexField(r"^[A-Z]{2}(-[A-Z]{2})?$"), max_length=100
    )
    reason = serializers.ListField(child=serializers.SlugField(max_length=40), max_length=20)
    score_at_most = serializers.IntegerField(min_value=1, max_value=5)
    score_at_least = serializers.IntegerField(min_value=1, max_value=5)
    within_days = serializers.IntegerField(min_value=1, max_value=3650)
    amounts = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=10**12), allow_empty=False
    )

    def validate_amounts(self, value):
        bad = [
            code for code in value if len(code) != 3 or not code.isalpha() or code.upper() != code
        ]
        if bad:
            raise serializers.ValidationError(f"Currency codes are ISO 4217, e.g. USD: {bad}.")
        return value


def validate_conditions(trigger: str, conditions) -> dict:
    """The conditions, validated for ``trigger``; ValidationFailed names each bad key."""
    if trigger not in ACCEPTS:
        raise ValidationFailed("Unknown trigger.", fields={"trigger": ["unknown"]})
    if not isinstance(conditions, dict):
        raise ValidationFailed(
            "Rule conditions must be an object.", fields={"conditions": ["object"]}
        )
    accepted = ACCEPTS[trigger]
    unknown = sorted(set(conditions) - set(accepted))
    missing = [key for key in REQUIRED.get(trigger, ()) if key not in conditions]
    errors = {key: [f"Not a condition of {trigger}."] for key in unknown}
    errors.update({key: ["Required for this trigger."] for key in missing})
    serializer = _ConditionsSerializer(data=conditions, partial=True)
    if not serializer.is_valid():
        errors.update(serializer.errors)
    if errors:
        raise ValidationFailed("These rule conditions are not valid.", fields=errors)
    return dict(serializer.validated_data)


def matches(conditions: dict, facts: dict) -> bool:
    """Whether an event with ``facts`` meets every condition (none: every event does)."""
    for key in _LIST_FACTS:
        if key in conditions and facts.get(key) not in conditions[key]:
            return False
    score = facts.get("score")
    low, high = conditions.get("score_at_least", 1), conditions.get("score_at_most", 5)
    if "score_at_least" in conditions or "score_at_most" in conditions:
        return score is not None and low <= score <= high
    return True
