from rest_framework import serializers

from backend.common.api.fields import StrictCharField, StrictModelSerializer
from backend.crm.choices import Channel, ExportFormat
from backend.crm.models import ExportJob, Segment, Tag, TagChange, TagRule
from backend.crm.rules import validate_conditions
from backend.crm.segments import validate_definition
from backend.crm.services import export_download_token


class TagSerializer(StrictModelSerializer):
    customers = serializers.IntegerField(read_only=True, help_text="Customers tagged now.")

    class Meta:
        model = Tag
        fields = ("slug", "name", "description", "customers", "created_at")
        read_only_fields = ("created_at",)


class TagRuleSerializer(StrictModelSerializer):
    tag = serializers.SlugRelatedField(slug_field="slug", queryset=Tag.objects.all())

    class Meta:
        model = TagRule
        fields = (
            "id",
            "name",
            "trigger",
            "conditions",
            "tag",
            "expires_after_days",
            "active",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")

    def validate(self, attrs):
        trigger = attrs.get("trigger", getattr(self.instance, "trigger", None))
        conditions = attrs.get("conditions", getattr(self.instance, "conditions", {}))
        attrs["conditions"] = validate_conditions(trigger, conditions)
        return attrs


class TagChangeSerializer(StrictModelSerializer):
    tag = StrictCharField(source="tag.slug")
    actor = StrictCharField(source="actor.username", default=None)
    rule = StrictCharField(source="rule.name", default=None)

    class Meta:
        model = TagChange
        fields = ("tag", "action", "source", "rule", "actor", "reason", "expires_at", "created_at")


class CustomerTagInputSerializer(serializers.Serializer):
    tag = serializers.SlugRelatedField(slug_field="slug", queryset=Tag.objects.all())
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class TagRemovalSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class CrmCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = StrictCharField()
    jurisdiction = StrictCharField()
    locale = StrictCharField()
    marketing_email = serializers.BooleanField()
    marketing_sms = serializers.BooleanField()
    do_not_sell = serializers.BooleanField()
    tags = serializers.ListField(child=StrictCharField())


class DefinitionField(serializers.JSONField):
    def to_internal_value(self, data):
        return validate_definition(super().to_internal_value(data))


class SegmentSerializer(StrictModelSerializer):
    definition = DefinitionField()
    created_by = StrictCharField(source="created_by.username", default=None, read_only=True)

    class Meta:
        model = Segment
        fields = (
            "id",
            "name",
            "description",
            "definition",
            "created_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")


class PreviewInputSerializer(serializers.Serializer):
    definition = DefinitionField()


class PreviewSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Customers the definition selects.")
    reachable = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Of those, how many an export to each channel would hold (consent, no "
        "do-not-sell, an address).",
    )
    sample = CrmCustomerSerializer(many=True)


class ExportInputSerializer(serializers.Serializer):
    segment = serializers.PrimaryKeyRelatedField(
        queryset=Segment.objects.all(), required=False, allow_null=True
    )
    definition = DefinitionField(required=False)
    format = serializers.ChoiceField(choices=ExportFormat.choices)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.EMAIL)

    def validate(self, attrs):
        if bool(attrs.get("segment")) == ("definition" in attrs):
            raise serializers.ValidationError(
                {"segment": ["Give a saved segment or a definition, not both or neither."]}
            )
        return attrs


class ExportSerializer(StrictModelSerializer):
    requested_by = StrictCharField(source="requested_by.username", default=None)
    progress = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = (
            "id",
            "segment",
            "definition",
            "format",
            "channel",
            "state",
            "requested_by",
            "total_rows",
            "rows_written",
            "progress",
            "size",
            "sha256",
            "error",
            "download_url",
            "created_at",
            "started_at",
            "finished_at",
            "purged_at",
        )

    def get_progress(self, job) -> float:
        """0 to 1."""
        if job.state in ("done", "purged"):
            return 1.0
        if not job.total_rows:
            return 0.0
        return min(1.0, job.rows_written / job.total_rows)

    def get_download_url(self, job) -> str | None:
        """A link that works for CRM_EXPORT_LINK_MINUTES (signed), while the file exists."""
        from django.urls import reverse

        if job.state != "done" or not job.file:
            return None
        path = reverse("crm-export-download", args=[job.pk])
        return f"{path}?token={export_download_token(job)}"


class SmsInboundSerializer(serializers.Serializer):
    From = StrictCharField(max_length=40)
    Body = StrictCharField(max_length=1600, allow_blank=True)
