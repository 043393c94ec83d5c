from rest_framework import serializers

from backend.common.api.fields import StrictModelSerializer
from backend.settlement.models import Payout, Statement, StatementLine


class StatementSerializer(StrictModelSerializer):
    number = serializers.CharField(read_only=True)

    class Meta:
        model = Statement
        fields = (
            "id",
            "number",
            "currency",
            "cadence",
            "period_start",
            "period_end",
            "state",
            "language",
            "opening_balance",
            "sales",
            "refunds",
            "commission",
            "clawbacks",
            "adjustments",
            "payouts",
            "closing_balance",
            "lines_count",
            "closed_at",
        )
        read_only_fields = fields


class StatementLineSerializer(StrictModelSerializer):
    reference = serializers.CharField(source="description", read_only=True)

    class Meta:
        model = StatementLine
        fields = ("occurred_at", "category", "reference", "amount")
        read_only_fields = fields


class PayoutSerializer(StrictModelSerializer):
    statement = serializers.IntegerField(source="statement_id", read_only=True, allow_null=True)

    class Meta:
        model = Payout
        fields = (
            "id",
            "statement",
            "amount",
            "currency",
            "state",
            "stripe_transfer_id",
            "attempts",
            "failure_code",
            "failure_message",
            "last_attempt_at",
            "paid_at",
            "created_at",
        )
        read_only_fields = fields


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="The first day after the period.")


class BalanceSerializer(serializers.Serializer):
    currency = serializers.CharField()
    balance = serializers.IntegerField(help_text="Owed to you now, minor units (may be < 0).")
    payouts_due = serializers.IntegerField(help_text="Of it, in payouts not yet made.")


class PayoutAccountSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["not_started", "pending", "active"])
    payouts_enabled = serializers.BooleanField()
    checked_at = serializers.DateTimeField(allow_null=True)


class SettlementSummarySerializer(serializers.Serializer):
    cadence = serializers.CharField()
    current_period = PeriodSerializer()
    balances = BalanceSerializer(many=True)
    payout_account = PayoutAccountSerializer()


class OnboardingSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Stripe's onboarding: single use, valid minutes.")
