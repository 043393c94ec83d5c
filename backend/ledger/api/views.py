"""Finance's view of the books: the daily reconciliation with Stripe and its differences."""

from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api.fields import StrictCharField, StrictModelSerializer
from backend.common.exceptions import NotFound
from backend.ledger.models import Difference, Reconciliation
from backend.ledger.permissions import IsFinance
from backend.ledger.reconciliation import difference_resolve


class DifferenceSerializer(StrictModelSerializer):
    day = serializers.DateField(source="reconciliation.day", read_only=True)
    resolved_by = serializers.CharField(
        source="resolved_by.username", read_only=True, allow_null=True
    )

    class Meta:
        model = Difference
        fields = ("id", "day", "kind", "what", "reference", "currency", "stripe_amount",
                  "ledger_amount", "resolved_at", "resolved_by", "resolution")  # fmt: skip
        read_only_fields = fields


class ReconciliationSerializer(StrictModelSerializer):
    open_differences = serializers.IntegerField(read_only=True)

    class Meta:
        model = Reconciliation
        fields = ("day", "ran_at", "stripe_entries", "matched", "fees_posted", "open_differences")
        read_only_fields = fields


class ReconciliationOverviewSerializer(serializers.Serializer):
    days = ReconciliationSerializer(many=True)
    open = DifferenceSerializer(many=True)


class ReconciliationView(APIView):
    """The last 31 reconciled days, and every difference still open."""

    permission_classes = [IsFinance]

    @extend_schema(responses=ReconciliationOverviewSerializer)
    def get(self, request):
        days = Reconciliation.objects.annotate(
            open_differences=Count("differences", filter=Q(differences__resolved_at__isnull=True))
        )[:31]
        open_ = Difference.objects.filter(resolved_at__isnull=True).select_related(
            "reconciliation", "resolved_by"
        )[:500]
        return Response(ReconciliationOverviewSerializer({"days": days, "open": open_}).data)


class ResolveSerializer(serializers.Serializer):
    note = StrictCharField(max_length=300)


class DifferenceResolveView(APIView):
    """Mark a difference dealt with, saying how (an adjustment posted, or why it is none)."""

    permission_classes = [IsFinance]

    @extend_schema(request=ResolveSerializer, responses=DifferenceSerializer)
    def post(self, request, pk: int):
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not Difference.objects.filter(pk=pk).exists():
            raise NotFound("No such difference.", code="difference_not_found")
        difference = difference_resolve(
            difference_id=pk, user=request.user, note=serializer.validated_data["note"]
        )
        return Response(DifferenceSerializer(difference).data)
