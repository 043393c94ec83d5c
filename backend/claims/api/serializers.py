import json

from django.urls import reverse
from django_fsm import can_proceed
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from backend.claims.choices import ClaimReason, PayoutMethod, ResolutionKind
from backend.claims.csat import csat_token
from backend.claims.guides import answers_shown
from backend.claims.models import (
    CannedResponse,
    Claim,
    ClaimEvent,
    ClaimEvidence,
    ClaimMessage,
    ClaimResolution,
    DeskQueue,
    RepairPartner,
)
from backend.claims.queues import validate_filters
from backend.claims.selectors import claim_timeline, customer_history
from backend.common.api.fields import (
    MinorUnitsField,
    StrictCharField,
    StrictIntegerField,
    StrictModelSerializer,
)
from backend.common.api.query import QuerySerializer


class ClaimFileSerializer(serializers.Serializer):
    contract = StrictCharField(max_length=20, help_text="The contract number.")
    reason = serializers.ChoiceField(choices=ClaimReason.choices)
    failure_date = serializers.DateField()
    description = StrictCharField(max_length=5000, min_length=10)
    answers = serializers.JSONField(
        required=False, help_text="Guided questions: {question id: 'yes' or 'no'}."
    )
    serial_number = StrictCharField(max_length=100, required=False, allow_blank=True)
    contact_name = StrictCharField(max_length=200, required=False, allow_blank=True)
    # Multipart forms carry numbers as text, so this one is parsed from a string too.
    claimed_amount = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10**12
    )
    photos = serializers.ListField(child=serializers.FileField(), required=False)
    receipts = serializers.ListField(child=serializers.FileField(), required=False)

    def validate_answers(self, value):
        if value in (None, ""):
            return {}
        if isinstance(value, str):  # multipart forms send it as a JSON string
            try:
                value = json.loads(value)
            except ValueError:
                raise serializers.ValidationError("Not valid JSON.") from None
        if not isinstance(value, dict) or len(value) > 20:
            raise serializers.ValidationError("An object of at most 20 answers.")
        for key, answer in value.items():
            if not isinstance(key, str) or len(key) > 50 or answer not in ("yes", "no"):
                raise serializers.ValidationError("Each answer is 'yes' or 'no'.")
        return value


class ReplySerializer(serializers.Serializer):
    body = StrictCharField(max_length=10_000)
    photos = serializers.ListField(child=serializers.FileField(), required=False)
    receipts = serializers.ListField(child=serializers.FileField(), required=False)


class ReasonSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=5000)


class RateSerializer(serializers.Serializer):
    token = StrictCharField(max_length=500)
    score = StrictIntegerField(min_value=1, max_value=5)
    comment = StrictCharField(max_length=2000, required=False, allow_blank=True)


class EligibilityQuerySerializer(QuerySerializer):
    contract = StrictCharField(max_length=20)
    reason = serializers.ChoiceField(choices=ClaimReason.choices)
    failure_date = serializers.DateField()


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.DictField())


class EventSerializer(StrictModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ClaimEvent
        fields = ("name", "from_state", "to_state", "actor", "reason", "created_at")

    def get_actor(self, event) -> str:
        if self.context.get("for_customer"):
            return {"shopper": "you", "system": "Coverdesk"}.get(event.actor_kind, "warranty desk")
        return event.actor_label


class MessageSerializer(StrictModelSerializer):
    class Meta:
        model = ClaimMessage
        fields = ("id", "author_kind", "author_name", "internal", "body", "created_at")


class EvidenceSerializer(StrictModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField(
        help_text="A JPEG of at most 480 pixels a side; null for PDFs (and photos without one)."
    )

    class Meta:
        model = ClaimEvidence
        fields = (
            "id",
            "kind",
            "content_type",
            "size",
            "original_name",
            "uploaded_by",
            "url",
            "thumbnail_url",
        )

    def get_url(self, evidence) -> str:
        name = "desk-claim-evidence" if self.context.get("desk") else "portal-claim-evidence"
        return reverse(name, kwargs={"number": evidence.claim.number, "evidence_id": evidence.pk})

    def get_thumbnail_url(self, evidence) -> str | None:
        return f"{self.get_url(evidence)}?size=thumbnail" if evidence.thumbnail else None


class ResolutionSerializer(StrictModelSerializer):
    partner = StrictCharField(source="partner.name", default="")

    class Meta:
        model = ClaimResolution
        fields = (
            "kind",
            "state",
            "reference",
            "amount",
            "currency",
            "partner",
            "carrier",
            "tracking_number",
            "payout_method",
            "payout_reference",
            "credit_code",
            "credit_expires_on",
            "completed_at",
        )


def resolution_data(claim) -> dict | None:
    resolution = ClaimResolution.objects.filter(claim=claim).select_related("partner").first()
    return ResolutionSerializer(resolution).data if resolution else None


class ClaimSummarySerializer(StrictModelSerializer):
    contract = StrictCharField(source="contract.number")
    product = StrictCharField(source="contract.product_snapshot.title", default="")
    state_display = StrictCharField(source="get_state_display")

    class Meta:
        model = Claim
        fields = (
            "number",
            "contract",
            "product",
            "reason",
            "state",
            "state_display",
            "failure_date",
            "created_at",
            "updated_at",
        )


class PortalClaimSerializer(ClaimSummarySerializer):
    """A claim as its shopper sees it: no internal notes, no fraud flags, no assignee."""

    description = StrictCharField()
    messages = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    resolution = serializers.SerializerMethodField()
    can_withdraw = serializers.SerializerMethodField()
    can_appeal = serializers.SerializerMethodField()
    can_reply = serializers.SerializerMethodField()
    rate_token = serializers.SerializerMethodField()

    class Meta(ClaimSummarySerializer.Meta):
        fields = (
            *ClaimSummarySerializer.Meta.fields,
            "description",
            "approved_amount",
            "currency",
            "resolution_kind",
            "decision_note",
            "first_response_due",
            "decision_due",
            "csat_score",
            "messages",
            "evidence",
            "timeline",
            "resolution",
            "can_withdraw",
            "can_appeal",
            "can_reply",
            "rate_token",
        )

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, claim):
        return MessageSerializer(claim.messages.filter(internal=False), many=True).data

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, claim):
        return EvidenceSerializer(claim.evidence.all(), many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, claim):

        events = claim_timeline(claim, for_customer=True)
        return EventSerializer(events, many=True, context={"for_customer": True}).data

    @extend_schema_field(ResolutionSerializer(allow_null=True))
    def get_resolution(self, claim):
        return resolution_data(claim)

    def get_can_withdraw(self, claim) -> bool:
        return can_proceed(claim.withdraw)

    def get_can_appeal(self, claim) -> bool:
        return can_proceed(claim.appeal)

    def get_can_reply(self, claim) -> bool:
        return claim.state not in ("closed", "withdrawn")

    def get_rate_token(self, claim) -> str | None:
        if claim.resolved_at and claim.csat_score is None:
            return csat_token(claim)
        return None


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


class GuideQuestionSerializer(serializers.Serializer):
    id = StrictCharField()
    question = StrictCharField()
    tip_if = serializers.ChoiceField(choices=("yes", "no"), allow_null=True)
    tip = StrictCharField()


class GuideSerializer(serializers.Serializer):
    category = StrictCharField()
    questions = GuideQuestionSerializer(many=True)


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
