"""The shapes of placing an order, cancelling a contract and reporting a return, in and
out."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from backend.checkout.api.rendering import order_dict
from backend.checkout.choices import ReturnKind
from backend.common.api.fields import JurisdictionField, StrictCharField, StrictIntegerField
from backend.contracts.api.serializers import ContractSerializer, RefundQuoteSerializer
from backend.contracts.choices import CancellationReason
from backend.payments.choices import PaymentStatus


class CustomerInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    first_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    last_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    phone = StrictCharField(max_length=40, required=False, allow_blank=True)
    address_line1 = StrictCharField(max_length=200, required=False, allow_blank=True)
    address_line2 = StrictCharField(max_length=200, required=False, allow_blank=True)
    city = StrictCharField(max_length=100, required=False, allow_blank=True)
    region = StrictCharField(max_length=100, required=False, allow_blank=True)
    postal_code = StrictCharField(max_length=20, required=False, allow_blank=True)
    country = StrictCharField(max_length=2, required=False, allow_blank=True)
    locale = serializers.ChoiceField(choices=[c for c, _n in settings.LANGUAGES], default="en")


class OrderLineInputSerializer(serializers.Serializer):
    offer_token = StrictCharField(max_length=2000)
    terms_sha256 = serializers.RegexField(
        r"^[0-9a-f]{64}$", help_text="The offer's terms_sha256: the terms the shopper accepted."
    )
    quantity = StrictIntegerField(min_value=1, max_value=settings.OFFER_MAX_QUANTITY, default=1)
    product_title = StrictCharField(max_length=300, required=False, allow_blank=True)


class TermsAcceptanceSerializer(serializers.Serializer):
    """What the shopper ticked before paying. Recorded as a consent record."""

    accepted = serializers.BooleanField()
    text = StrictCharField(max_length=2000)
    text_version = StrictCharField(max_length=40)
    ip_address = serializers.IPAddressField(required=False, allow_null=True)
    user_agent = StrictCharField(max_length=500, required=False, allow_blank=True)

    def validate_accepted(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(_("The shopper must accept the plan terms."))
        return value


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Two phones with a plan each",
            request_only=True,
            value={
                "customer": {
                    "email": "ana.nowak@example.com",
                    "first_name": "Ana",
                    "last_name": "Nowak",
                    "locale": "en",
                },
                "jurisdiction": "US-CA",
                "lines": [
                    {
                        "offer_token": "<offer_token from POST /api/v1/offers/>",
                        "terms_sha256": "<terms_sha256 of the same offer>",
                        "quantity": 2,
                        "product_title": "Phone 9 Pro, 256 GB",
                    }
                ],
                "terms_acceptance": {
                    "accepted": True,
                    "text": "I have read the plan terms and agree to them.",
                    "text_version": "checkout-2026-11",
                    "ip_address": "203.0.113.9",
                    "user_agent": "Mozilla/5.0",
                },
                "marketing_email_consent": False,
            },
        )
    ]
)
class OrderPutSerializer(serializers.Serializer):
    customer = CustomerInputSerializer()
    jurisdiction = JurisdictionField()
    lines = OrderLineInputSerializer(many=True, min_length=1, max_length=50)
    terms_acceptance = TermsAcceptanceSerializer()
    purchased_at = serializers.DateTimeField(required=False)
    marketing_email_consent = serializers.BooleanField(
        required=False, allow_null=True, default=None
    )


class PaymentOutputSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=PaymentStatus.choices)
    amount = serializers.IntegerField()
    currency = StrictCharField()
    client_secret = StrictCharField(
        allow_blank=True, help_text="For Stripe.js in the shopper's browser: confirm with it."
    )
    publishable_key = StrictCharField()
    failure_message = StrictCharField(allow_blank=True)


class OrderOutputSerializer(serializers.Serializer):
    """An order with its payment and contracts. Render it from the order with its
    ``payment`` loaded and the contracts: ``OrderOutputSerializer(order, contracts=...)``."""

    merchant_order_id = StrictCharField()
    jurisdiction = StrictCharField()
    currency = StrictCharField()
    total = serializers.IntegerField()
    purchased_at = serializers.DateTimeField()
    customer_email = serializers.EmailField(source="customer.email")
    payment = PaymentOutputSerializer()
    contracts = ContractSerializer(many=True)

    def __init__(self, instance=None, *, contracts=(), **kwargs) -> None:
        super().__init__(instance, **kwargs)
        self.contracts = contracts

    def to_representation(self, instance) -> dict:
        return order_dict(instance, self.contracts)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "The shopper asked",
            request_only=True,
            value={"reason": "customer_request", "note": "Asked by phone, ticket 4411."},
        )
    ]
)
class CancelInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=CancellationReason.choices, default=CancellationReason.CUSTOMER_REQUEST
    )
    note = StrictCharField(max_length=500, required=False, allow_blank=True)


class RefundOutputSerializer(serializers.Serializer):
    state = StrictCharField()
    amount = serializers.IntegerField()
    currency = StrictCharField()
    due_at = serializers.DateTimeField()
    quote = RefundQuoteSerializer()


class CancelOutputSerializer(serializers.Serializer):
    contract = ContractSerializer()
    refund = RefundOutputSerializer()


class ReplacementProductSerializer(serializers.Serializer):
    sku = StrictCharField(max_length=100)
    title = StrictCharField(max_length=300, required=False, allow_blank=True)
    category = StrictCharField(max_length=50, help_text="Must be the returned product's.")
    price = StrictIntegerField(min_value=0, required=False, help_text="Minor units.")


class ReturnInputSerializer(serializers.Serializer):
    return_id = StrictCharField(max_length=100, help_text="Your own id: a repeat is a no-op.")
    kind = serializers.ChoiceField(choices=ReturnKind.choices)
    line = StrictIntegerField(min_value=0, help_text="The order line's position.")
    quantity = StrictIntegerField(min_value=1, max_value=1000)
    reported_at = serializers.DateTimeField(
        required=False, help_text="When the store took the product back (now if not given)."
    )
    replacement = ReplacementProductSerializer(required=False)

    def validate(self, attrs):
        if (attrs["kind"] == ReturnKind.EXCHANGE) != ("replacement" in attrs):
            raise serializers.ValidationError(
                {"replacement": [_("An exchange names its replacement; a return does not.")]}
            )
        return attrs


class ReturnUnitSerializer(serializers.Serializer):
    contract = StrictCharField(help_text="The unit's contract number.")
    outcome = serializers.ChoiceField(choices=["cancelled", "kept", "exchanged"])
    refund = serializers.IntegerField(required=False, help_text="Minor units, if cancelled.")
    in_return_window = serializers.BooleanField(required=False)


class ReturnOutputSerializer(serializers.Serializer):
    return_id = StrictCharField(source="merchant_return_id")
    kind = serializers.ChoiceField(choices=ReturnKind.choices)
    line = serializers.IntegerField(source="line_position")
    quantity = serializers.IntegerField()
    reported_at = serializers.DateTimeField()
    units = ReturnUnitSerializer(source="outcome", many=True)
