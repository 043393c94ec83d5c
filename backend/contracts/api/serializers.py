from rest_framework import serializers

from backend.common.api.fields import (
    StrictCharField,
    StrictModelSerializer,
)
from backend.contracts.choices import ContractState
from backend.contracts.models import Contract
from backend.contracts.payloads import contract_dict
from backend.plans.api.serializers import TaxAmountSerializer


class ContractSerializer(StrictModelSerializer):
    plan_code = StrictCharField(source="plan_snapshot.code")
    plan_name = StrictCharField(source="plan_snapshot.name")
    product = serializers.JSONField(source="product_snapshot")
    state = serializers.ChoiceField(choices=ContractState.choices)
    customer_email = serializers.EmailField(source="customer.email")
    tax = serializers.IntegerField(
        read_only=True, help_text="Tax included in the price, in minor units (0: none)."
    )
    taxes = TaxAmountSerializer(many=True, read_only=True)
    claims_from = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The first day a failure can be claimed: the later of coverage_start and "
        "waiting_period_ends.",
    )

    class Meta:
        model = Contract
        fields = (
            "number",
            "state",
            "plan_code",
            "plan_name",
            "product",
            "price",
            "tax",
            "taxes",
            "currency",
            "jurisdiction",
            "purchased_at",
            "activated_at",
            "coverage_start",
            "coverage_end",
            "waiting_period_ends",
            "claims_from",
            "limit_of_liability",
            "limit_remaining",
            "customer_email",
            "ended_at",
        )

    def to_representation(self, instance) -> dict:
        return contract_dict(instance)


class QuoteLineSerializer(serializers.Serializer):
    key = StrictCharField(
        help_text="full_refund, plan_price, earned, claims_paid or cancellation_fee."
    )
    label = StrictCharField(help_text="What the line says, in the request's language.")
    amount = serializers.IntegerField(
        help_text="Signed minor units: positive adds to the refund, negative deducts."
    )
    amount_display = StrictCharField()
    params = serializers.DictField(
        help_text="The numbers the label is written from (days, caps), by key."
    )


class RefundQuoteSerializer(serializers.Serializer):
    currency = StrictCharField()
    total = serializers.IntegerField()
    total_display = StrictCharField()
    free_look = serializers.BooleanField()
    pack = StrictCharField()
    cancel_on = serializers.DateField()
    due_on = serializers.DateField()
    late_penalty_percent_per_month = serializers.IntegerField()
    days_total = serializers.IntegerField()
    days_unused = serializers.IntegerField()
    lines = QuoteLineSerializer(many=True)
