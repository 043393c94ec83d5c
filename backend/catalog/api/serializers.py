from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from backend.catalog.models import Category, Product, WrittenWarranty
from backend.catalog.warranties import designation_title, warranty_terms
from backend.common.api.fields import (
    CurrencyField,
    MinorUnitsField,
    StrictCharField,
    StrictIntegerField,
    StrictModelSerializer,
)


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


class CategorySerializer(StrictModelSerializer):
    class Meta:
        model = Category
        fields = ("slug", "name")


class ProductOutputSerializer(StrictModelSerializer):
    category = StrictCharField(source="category_id")

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
    title = StrictCharField(max_length=300)
    category = CategoryField()
    price = MinorUnitsField()
    currency = CurrencyField()
    manufacturer_warranty_months = StrictIntegerField(min_value=0, max_value=240, required=False)
    brand = StrictCharField(max_length=100, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A phone",
            request_only=True,
            value={
                "title": "Phone 9 Pro, 256 GB",
                "category": "phones",
                "price": 79900,
                "currency": "USD",
                "manufacturer_warranty_months": 12,
                "brand": "Northwind",
                "is_active": True,
            },
        )
    ]
)
class ProductPutSerializer(ProductUpsertSerializer):
    """PUT /products/{sku}: the SKU comes from the URL."""

    sku = None


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Two products",
            request_only=True,
            value={
                "products": [
                    {
                        "sku": "PHONE-9-PRO-256",
                        "title": "Phone 9 Pro, 256 GB",
                        "category": "phones",
                        "price": 79900,
                        "currency": "USD",
                        "manufacturer_warranty_months": 12,
                    },
                    {
                        "sku": "TV-55-OLED",
                        "title": "55-inch OLED TV",
                        "category": "tvs",
                        "price": 129900,
                        "currency": "USD",
                    },
                ]
            },
        )
    ]
)
class ProductBulkUpsertSerializer(serializers.Serializer):
    products = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=settings.BULK_UPSERT_MAX_ROWS
    )


class BulkUpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    created_skus = serializers.ListField(child=StrictCharField())
    updated_skus = serializers.ListField(child=StrictCharField())


class WrittenWarrantySerializer(StrictModelSerializer):
    """A merchant's written warranty, with the public page its product pages must link to
    before the sale (16 CFR 702.3) and the state of its current revision's documents."""

    designation_title = serializers.SerializerMethodField()
    categories = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    page_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta:
        model = WrittenWarranty
        fields = (
            "code",
            "designation",
            "designation_title",
            "duration_months",
            "categories",
            "revision",
            "is_active",
            "page_url",
            "pdf_url",
            "documents",
        )

    def get_designation_title(self, warranty) -> str:

        return designation_title(warranty_terms(warranty))

    def get_page_url(self, warranty) -> str:
        from django.urls import reverse

        url = reverse("written-warranty", args=[warranty.merchant.slug, warranty.code])
        return self.context["request"].build_absolute_uri(url)

    def get_pdf_url(self, warranty) -> str:
        return f"{self.get_page_url(warranty)}?format=pdf"

    def get_documents(self, warranty) -> dict[str, str]:
        """Language -> rendering, issued or failed, for the current revision."""
        return {
            d.language: d.state
            for d in warranty.documents.all()
            if d.warranty_revision == warranty.revision
        }
