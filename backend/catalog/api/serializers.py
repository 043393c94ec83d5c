from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers

from backend.catalog.models import Category, Product
from backend.common.api.fields import CurrencyField, MinorUnitsField, StrictIntegerField


class CategoryField(serializers.SlugField):
    """A category slug that must exist. The slugs are loaded once per request and passed in
    the serializer context as ``category_slugs`` (one query, whatever the number of rows)."""

    default_error_messages = {"unknown": _("Unknown category %(slug)r.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 50)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in self.context["category_slugs"]:
            raise serializers.ValidationError(self.error_messages["unknown"] % {"slug": value})
        return value


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ("slug", "name")


class ProductOutputSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category_id")

    class Meta:
        model = Product
        fields = (
            "sku",
            "title",
            "category",
            "price",
            "currency",
            "manufacturer_warranty_months",
            "brand",
            "is_active",
            "created_at",
            "updated_at",
        )


class ProductUpsertSerializer(serializers.Serializer):
    """One product row. Categories are checked against a set loaded once per request."""

    sku = serializers.RegexField(
        r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,99}$",
        max_length=100,
        error_messages={"invalid": _("Letters, digits and . _ : - only.")},
    )
    title = serializers.CharField(max_length=300)
    category = CategoryField()
    price = MinorUnitsField()
    currency = CurrencyField()
    manufacturer_warranty_months = StrictIntegerField(min_value=0, max_value=240, required=False)
    brand = serializers.CharField(max_length=100, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class ProductPutSerializer(ProductUpsertSerializer):
    """PUT /products/{sku}: the SKU comes from the URL."""

    sku = None


class ProductBulkUpsertSerializer(serializers.Serializer):
    products = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=settings.BULK_UPSERT_MAX_ROWS
    )


class BulkUpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    created_skus = serializers.ListField(child=serializers.CharField())
    updated_skus = serializers.ListField(child=serializers.CharField())
