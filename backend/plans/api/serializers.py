from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from backend.catalog.api.serializers import CategoryField
from backend.common.api.fields import (
    CurrencyField,
    JurisdictionField,
    MinorUnitsField,
    StrictCharField,
    StrictIntegerField,
    StrictModelSerializer,
)
from backend.plans.choices import Coverage, CoverageStarts, ServiceType
from backend.plans.models import MerchantPlan, Plan, PlanPrice


class InlineProductSerializer(serializers.Serializer):
    title = StrictCharField(max_length=300)
    category = CategoryField()
    price = MinorUnitsField()
    currency = CurrencyField()
    manufacturer_warranty_months = StrictIntegerField(min_value=0, max_value=240, default=12)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A product of your catalogue",
            request_only=True,
            value={"sku": "VOLT-PHON-0001", "quantity": 1, "jurisdiction": "US-CA"},
        ),
        OpenApiExample(
            "A product described inline",
            request_only=True,
            value={
                "product": {
                    "title": "Phone 9 Pro, 256 GB",
                    "category": "phones",
                    "price": 79900,
                    "currency": "USD",
                    "manufacturer_warranty_months": 12,
                },
                "quantity": 2,
                "jurisdiction": "US-NY",
            },
        ),
    ]
)
class OffersRequestSerializer(serializers.Serializer):
    """Either ``sku`` (a product in the caller's catalogue) or an inline ``product``."""

    sku = StrictCharField(max_length=100, required=False)
    product = InlineProductSerializer(required=False)
    quantity = StrictIntegerField(min_value=1, max_value=settings.OFFER_MAX_QUANTITY, default=1)
    jurisdiction = JurisdictionField()

    def validate(self, attrs):
        if ("sku" in attrs) == ("product" in attrs):
            raise serializers.ValidationError(
                {"sku": [_("Give either a sku or an inline product, not both or neither.")]}
            )
        return attrs


class TaxAmountSerializer(serializers.Serializer):
    """One tax included in a price (plans.taxes), where the jurisdiction levies one."""

    id = StrictCharField(help_text="The tax's id in the jurisdiction pack, e.g. us-tx.sales_tax.")
    rate_bp = serializers.IntegerField(help_text="Its rate in basis points (0 for a fixed fee).")
    amount = serializers.IntegerField(help_text="Included in the price, in minor units.")


class TaxSerializer(TaxAmountSerializer):
    """As an offer shows it: named in the shopper's language, the amount formatted."""

    name = StrictCharField(help_text="Its name in the shopper's language.")
    amount_display = StrictCharField()


class OfferSerializer(serializers.Serializer):
    """Schema of one offer. The endpoint renders it with plans.api.rendering (for speed)."""

    plan_code = StrictCharField(source="plan.code")
    name = StrictCharField(source="plan.name")
    summary = StrictCharField(source="plan.summary")
    provider = StrictCharField(source="plan.provider_name")
    coverage = serializers.ChoiceField(source="plan.coverage", choices=Coverage.choices)
    service_type = serializers.ChoiceField(source="plan.service_type", choices=ServiceType.choices)
    term_months = serializers.IntegerField(source="plan.term_months")
    coverage_starts = serializers.ChoiceField(
        source="plan.coverage_starts", choices=CoverageStarts.choices
    )
    coverage_begins_after_months = serializers.IntegerField()
    waiting_period_days = serializers.IntegerField(source="plan.waiting_period_days")
    currency = StrictCharField()
    price = serializers.IntegerField(help_text="Plan price per unit, in minor units.")
    total = serializers.IntegerField(help_text="Price for the requested quantity.")
    price_display = StrictCharField(help_text="The price formatted for the shopper's language.")
    tax = serializers.IntegerField(
        help_text="Tax included in the price per unit, in minor units: 0 where the "
        "jurisdiction does not tax service contracts. Show it beside the price."
    )
    taxes = TaxSerializer(many=True)
    deductible = serializers.IntegerField(source="band.deductible")
    limit_of_liability = serializers.IntegerField()
    terms_url = serializers.URLField(
        help_text="The plan's full terms for this jurisdiction, to link as 'See plan terms'."
    )
    terms_sha256 = StrictCharField(
        help_text="SHA-256 of the terms page at terms_url: send it back with the order line "
        "to record which terms the shopper accepted."
    )
    offer_token = StrictCharField(source="token")


class OfferedProductSerializer(serializers.Serializer):
    sku = StrictCharField(allow_null=True)
    title = StrictCharField()
    category = StrictCharField()
    price = serializers.IntegerField()
    currency = StrictCharField()
    manufacturer_warranty_months = serializers.IntegerField()


class OffersResponseSerializer(serializers.Serializer):
    product = OfferedProductSerializer()
    jurisdiction = StrictCharField()
    quantity = serializers.IntegerField()
    expires_at = serializers.DateTimeField()
    offers = OfferSerializer(many=True)


class PlanPriceSerializer(StrictModelSerializer):
    class Meta:
        model = PlanPrice
        fields = (
            "currency",
            "product_price_min",
            "product_price_max",
            "price",
            "deductible",
            "limit_of_liability",
            "cancellation_fee",
        )


class PlanSerializer(StrictModelSerializer):
    """A plan the merchant offers, as merchants see it in their console."""

    provider = StrictCharField(source="provider.legal_name")
    categories = serializers.SlugRelatedField(
        source="eligible_categories", slug_field="slug", many=True, read_only=True
    )
    prices = PlanPriceSerializer(many=True)
    merchant_commission_bp = serializers.SerializerMethodField(
        help_text="What you keep of each sale, in basis points of the plan's price (2500 = 25%)."
    )

    class Meta:
        model = Plan
        fields = (
            "code",
            "name",
            "summary",
            "provider",
            "coverage",
            "service_type",
            "term_months",
            "waiting_period_days",
            "coverage_starts",
            "categories",
            "markets",
            "excluded_markets",
            "transferable",
            "prices",
            "merchant_commission_bp",
        )

    def get_merchant_commission_bp(self, plan) -> int:
        override = getattr(plan, "offering_commission_bp", None)
        return plan.merchant_commission_bp if override is None else override


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": _("true or false (a JSON boolean) is required.")}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class OfferingSerializer(StrictModelSerializer):
    """A plan as one merchant offers it: switched on or off, and where in its order."""

    code = StrictCharField(source="plan.code", read_only=True)
    name = StrictCharField(source="plan.name", read_only=True)
    summary = StrictCharField(source="plan.summary", read_only=True)
    provider = StrictCharField(source="plan.provider.legal_name", read_only=True)
    coverage = StrictCharField(source="plan.coverage", read_only=True)
    term_months = serializers.IntegerField(source="plan.term_months", read_only=True)
    is_active = StrictBooleanField(required=False, help_text="Whether shoppers are offered it.")
    display_order = StrictIntegerField(
        required=False, min_value=0, max_value=32767, help_text="Lower comes first."
    )

    class Meta:
        model = MerchantPlan
        fields = (
            "code",
            "name",
            "summary",
            "provider",
            "coverage",
            "term_months",
            "is_active",
            "display_order",
        )


class OfferingOrderSerializer(serializers.Serializer):
    codes = serializers.ListField(
        child=StrictCharField(max_length=50),
        max_length=500,
        help_text="Every plan code you offer, once, in the order shoppers should see them.",
    )
