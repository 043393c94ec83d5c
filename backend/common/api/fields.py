"""Strict serializer fields: no silent coercion. Money must be a JSON integer and text a JSON
string (DRF's own CharField turns ``0`` into ``"0"`` and ``12.5`` into ``"12.5"``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.common import jurisdictions
from backend.common.money import is_currency


class StrictIntegerField(serializers.IntegerField):
    """An integer that must arrive as a JSON integer: ``12`` yes, ``12.0`` or ``"12"`` no."""

    default_error_messages = {"invalid": _("A whole number (JSON integer) is required.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """Text that must arrive as a JSON string: ``"note"`` yes, ``0`` or ``true`` no. Every
    text field of the API's input is one."""

    default_error_messages = {"invalid": _("Text (a JSON string) is required.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose text fields are StrictCharFields."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 10**12, "example": 79900})
class MinorUnitsField(StrictIntegerField):
    """A non-negative amount of money in minor units of its currency (cents, grosze)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 10**12)
        kwargs.setdefault("help_text", "Amount in minor units of the currency (e.g. cents).")
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "minLength": 3, "maxLength": 3, "example": "USD"})
class CurrencyField(StrictCharField):
    default_error_messages = {"unknown": _("Unknown currency {value!r}: use an ISO 4217 code.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_length", 3)
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("help_text", "ISO 4217 currency code, e.g. USD or PLN.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data).upper()
        if not is_currency(value):
            self.fail("unknown", value=value)
        return value


@extend_schema_field({"type": "string", "maxLength": 6, "example": "US-CA"})
class JurisdictionField(StrictCharField):
    default_error_messages = {
        "unknown": _(
            "Unknown jurisdiction {value!r}: use a US state as US-XX (e.g. US-CA) "
            "or an ISO 3166 country code (e.g. PL)."
        )
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("help_text", "US state as `US-CA`, or an ISO 3166-1 country code.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = jurisdictions.normalise(super().to_internal_value(data))
        if not jurisdictions.is_shopper_jurisdiction(value):
            self.fail("unknown", value=value)
        return value
