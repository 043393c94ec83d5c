from rest_framework import serializers

from backend.common.api.fields import StrictCharField, StrictModelSerializer
from backend.merchants.models import Merchant, MerchantAPIKey


class MerchantSerializer(StrictModelSerializer):
    class Meta:
        model = Merchant
        fields = (
            "slug",
            "name",
            "country",
            "default_currency",
            "default_locale",
            "revenue_share_bps",
            "is_active",
        )


class APIKeySerializer(StrictModelSerializer):
    class Meta:
        model = MerchantAPIKey
        fields = (
            "id",
            "name",
            "prefix",
            "created",
            "expiry_date",
            "last_used_at",
            "revoked",
            "revoked_at",
        )


class APIKeyCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=50)


class APIKeyCreatedSerializer(APIKeySerializer):
    key = StrictCharField(help_text="The full key. Shown once: it is stored only as a hash.")

    class Meta(APIKeySerializer.Meta):
        fields = (*APIKeySerializer.Meta.fields, "key")


class ReturnSettingsSerializer(StrictModelSerializer):
    """What a product returned at the store does to its plan (``checkout.returns``)."""

    class Meta:
        model = Merchant
        fields = ("return_window_days", "returns_after_window")
        extra_kwargs = {
            "return_window_days": {
                "min_value": 0,
                "max_value": 365,
                "help_text": "Days from the purchase in which a return refunds the plan in full.",
            },
            "returns_after_window": {
                "help_text": "After the window: cancel the plan with the ordinary refund, "
                "or keep it."
            },
        }
