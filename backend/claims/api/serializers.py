"""What the shopper's claim API reads and writes, and the parts of a claim both APIs show
(its events, messages, evidence and resolution)."""

import json

from django.urls import reverse
from django_fsm import can_proceed
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.claims.choices import ClaimReason
from backend.claims.csat import csat_token
from backend.claims.models import (
    Claim,
    ClaimEvent,
    ClaimEvidence,
    ClaimMessage,
    ClaimResolution,
)
from backend.claims.selectors import claim_timeline
from backend.common.api.fields import (
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

    @staticmethod
    def filing(params: dict) -> dict:
        """The validated claim's arguments to ``services.claim_file``, but its contract,
        actor, files and language."""
        return {
            "reason": params["reason"],
            "failure_date": params["failure_date"],
            "description": params["description"],
            "answers": params.get("answers") or {},
            "serial_number": params.get("serial_number", ""),
            "contact_name": params.get("contact_name", ""),
            "claimed_amount": params.get("claimed_amount"),
        }

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


class GuideQuestionSerializer(serializers.Serializer):
    id = StrictCharField()
    question = StrictCharField()
    tip_if = serializers.ChoiceField(choices=("yes", "no"), allow_null=True)
    tip = StrictCharField()


class GuideSerializer(serializers.Serializer):
    category = StrictCharField()
    questions = GuideQuestionSerializer(many=True)
