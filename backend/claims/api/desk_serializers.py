"""What the warranty desk's API reads and writes: the queue's rows and pages, the claim
screen, each action's input, saved queues, canned responses, partners and metrics.
"""

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from backend.claims.api.serializers import (
    ClaimSummarySerializer,
    EventSerializer,
    EvidenceSerializer,
    MessageSerializer,
    ResolutionSerializer,
    resolution_data,
)
from backend.claims.choices import PayoutMethod, ResolutionKind
from backend.claims.guides import answers_shown
from backend.claims.models import (
    CannedResponse,
    DeskQueue,
    RepairPartner,
)
from backend.claims.queues import validate_filters
from backend.claims.selectors import customer_history
from backend.common.api.fields import (
    MinorUnitsField,
    StrictCharField,
    StrictIntegerField,
    StrictModelSerializer,
)


class DeskClaimRowSerializer(ClaimSummarySerializer):
    merchant = StrictCharField(source="merchant.slug")
    assignee = StrictCharField(source="assignee.username", default=None, allow_null=True)
    flags = serializers.SerializerMethodField()

    class Meta(ClaimSummarySerializer.Meta):
        fields = (
            *ClaimSummarySerializer.Meta.fields,
            "priority",
            "category",
            "merchant",
            "assignee",
            "first_response_due",
            "decision_due",
            "sla_breached_at",
            "flags",
        )

    def get_flags(self, claim) -> list[str]:
        return [f["code"] for f in claim.fraud_flags]


class DeskClaimPageSerializer(serializers.Serializer):
    results = DeskClaimRowSerializer(many=True)
    next_cursor = StrictCharField(allow_null=True, help_text="Pass back as ``cursor``.")


class DeskClaimSerializer(DeskClaimRowSerializer):
    """Everything the desk needs on one screen."""

    description = StrictCharField()
    contract_detail = serializers.SerializerMethodField()
    customer = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    resolution = serializers.SerializerMethodField()
    fraud_flags = serializers.JSONField()
    answers_shown = serializers.SerializerMethodField()

    class Meta(DeskClaimRowSerializer.Meta):
        fields = (
            *DeskClaimRowSerializer.Meta.fields,
            "description",
            "answers",
            "answers_shown",
            "serial_number",
            "contact_name",
            "currency",
            "claimed_amount",
            "requested_amount",
            "approved_amount",
            "resolution_kind",
            "decision_note",
            "first_response_at",
            "decided_at",
            "resolved_at",
            "csat_score",
            "csat_comment",
            "fraud_flags",
            "contract_detail",
            "customer",
            "history",
            "messages",
            "evidence",
            "timeline",
            "resolution",
        )

    @extend_schema_field(
        inline_serializer(
            "GuidedAnswer",
            {
                "id": serializers.CharField(),
                "question": serializers.CharField(),
                "answer": serializers.CharField(),
            },
            many=True,
        )
    )
    def get_answers_shown(self, claim) -> list[dict]:
        return answers_shown(claim.category, claim.answers or {})

    def get_contract_detail(self, claim) -> dict:
        contract = claim.contract
        plan = contract.plan_snapshot
        return {
            "number": contract.number,
            "state": contract.state,
            "plan": plan["name"],
            "coverage": plan["coverage"],
            "service_type": plan["service_type"],
            "deductible": plan.get("deductible", 0),
            "product": contract.product_snapshot,
            "purchased_at": contract.purchased_at,
            "coverage_start": contract.coverage_start,
            "coverage_end": contract.coverage_end,
            "limit_of_liability": contract.limit_of_liability,
            "limit_remaining": contract.limit_remaining,
            "claims_paid": contract.claims_paid,
            "currency": contract.currency,
            "jurisdiction": contract.jurisdiction,
        }

    def get_customer(self, claim) -> dict:
        customer = claim.contract.customer
        return {
            "name": f"{customer.first_name} {customer.last_name}".strip(),
            "first_name": customer.first_name,
            "email": customer.email,
            "phone": customer.phone,
            "locale": customer.locale,
            "jurisdiction": customer.jurisdiction,
        }

    def get_history(self, claim) -> dict:

        return customer_history(claim)

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, claim):
        return MessageSerializer(claim.messages.all(), many=True).data

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, claim):
        return EvidenceSerializer(claim.evidence.all(), many=True, context={"desk": True}).data

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, claim):
        return EventSerializer(claim.events.order_by("created_at", "id"), many=True).data

    @extend_schema_field(ResolutionSerializer(allow_null=True))
    def get_resolution(self, claim):
        return resolution_data(claim)


class DeskMessageSerializer(serializers.Serializer):
    body = StrictCharField(max_length=10_000)
    internal = serializers.BooleanField(default=False)
    canned_response = serializers.SlugField(max_length=50, required=False, allow_blank=True)


class ApproveSerializer(serializers.Serializer):
    amount = MinorUnitsField()
    resolution = serializers.ChoiceField(choices=ResolutionKind.choices)
    note = StrictCharField(max_length=5000, required=False, allow_blank=True)


class DecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    amount = MinorUnitsField(required=False)
    note = StrictCharField(max_length=5000, required=False, allow_blank=True)


class DenySerializer(serializers.Serializer):
    note = StrictCharField(max_length=5000)


class AssignSerializer(serializers.Serializer):
    assignee = StrictCharField(max_length=150, allow_null=True)
    reason = StrictCharField(max_length=500, required=False, allow_blank=True)


class FulfilSerializer(serializers.Serializer):
    partner = StrictIntegerField(required=False, min_value=1)
    payout_method = serializers.ChoiceField(choices=PayoutMethod.choices, required=False)
    payout_reference = StrictCharField(max_length=100, required=False, allow_blank=True)


class ResolutionUpdateSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=("start", "ship", "complete"))
    carrier = StrictCharField(max_length=50, required=False, allow_blank=True)
    tracking_number = StrictCharField(max_length=100, required=False, allow_blank=True)


class TakeNextSerializer(serializers.Serializer):
    queue = StrictIntegerField(required=False, min_value=1)


class QueueSerializer(StrictModelSerializer):
    class Meta:
        model = DeskQueue
        fields = ("id", "name", "filters", "position")

    def validate_filters(self, value):

        return validate_filters(value)


class CannedResponseSerializer(StrictModelSerializer):
    class Meta:
        model = CannedResponse
        fields = ("code", "language", "title", "body")


class PartnerSerializer(StrictModelSerializer):
    class Meta:
        model = RepairPartner
        fields = ("id", "name", "email", "categories")


class MetricsSerializer(serializers.Serializer):
    backlog = serializers.DictField(child=serializers.IntegerField())
    open = serializers.IntegerField()
    sla_breached_open = serializers.IntegerField()
    # Durations in hours and a 1-5 score: not money (money is always integer minor units).
    median_hours_to_first_response = serializers.FloatField(allow_null=True)
    median_hours_to_resolution = serializers.FloatField(allow_null=True)
    claims_per_reason = serializers.DictField(child=serializers.IntegerField())
    csat_average = serializers.FloatField(allow_null=True)
    csat_responses = serializers.IntegerField()
    resolved_last_90_days = serializers.IntegerField()
    window_days = serializers.IntegerField()
