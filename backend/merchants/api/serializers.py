from urllib.parse import urlsplit

from rest_framework import serializers

from backend.common.api.fields import StrictCharField, StrictModelSerializer
from backend.merchants.models import Merchant, MerchantAPIKey

_MERCHANT_FIXED = (
    "slug",
    "name",
    "country",
    "default_currency",
    "default_locale",
    "revenue_share_bps",
    "is_active",
)


class MerchantSerializer(StrictModelSerializer):
    """The merchant; only its support contact is the merchant's to change."""

    class Meta:
        model = Merchant
        fields = (*_MERCHANT_FIXED, "support_email", "website")
        read_only_fields = _MERCHANT_FIXED
        extra_kwargs = {
            "support_email": {"help_text": "Where your shoppers reach your support."},
            "website": {"help_text": "Your store's site, shown to shoppers."},
        }


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


class MerchantAdminSerializer(serializers.Serializer):
    username = StrictCharField()
    name = StrictCharField()
    email = serializers.EmailField()
    merchant = StrictCharField(help_text="The merchant's name.")
    merchant_slug = StrictCharField()


class InviteTokenSerializer(serializers.Serializer):
    token = StrictCharField(max_length=500, help_text="From the invite link's #invite= part.")


class InviteSerializer(serializers.Serializer):
    merchant = StrictCharField(source="merchant.name")
    email = serializers.EmailField()
    expires_at = serializers.DateTimeField()


class InviteAcceptSerializer(InviteTokenSerializer):
    username = serializers.RegexField(
        r"^[\w.@+-]+\Z",
        max_length=150,
        help_text="Letters, digits and @ . + - _ only.",
        error_messages={"invalid": "Use letters, digits and @ . + - _ only."},
    )
    password = StrictCharField(max_length=200, trim_whitespace=False)
    first_name = StrictCharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = StrictCharField(max_length=150, required=False, allow_blank=True, default="")


class OriginField(StrictCharField):
    """A web origin: scheme, host and port, no path (``https://shop.example``)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data).rstrip("/")
        parts = urlsplit(value)
        if (
            parts.scheme not in ("https", "http")
            or not parts.hostname
            or parts.path
            or parts.query
            or parts.fragment
            or parts.username
        ):
            raise serializers.ValidationError(
                "Give an origin: https://, a host name and a port if not the default; no path."
            )
        return f"{parts.scheme}://{parts.netloc.lower()}"


class WidgetSettingsSerializer(StrictModelSerializer):
    """The checkout widget's key and the sites that may embed it."""

    widget_origins = serializers.ListField(
        child=OriginField(max_length=200),
        max_length=20,
        help_text="Sites allowed to embed your widget; empty allows any site.",
    )

    class Meta:
        model = Merchant
        fields = ("publishable_key", "widget_origins")
        read_only_fields = ("publishable_key",)

    def validate_widget_origins(self, origins: list[str]) -> list[str]:
        return list(dict.fromkeys(origins))  # each once, in the order given
