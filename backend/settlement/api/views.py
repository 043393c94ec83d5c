"""Merchants' settlement API: balance, statements (JSON, CSV, PDF), payouts, and the
start of Stripe onboarding. A merchant API key or a signed-in merchant admin sees its own
merchant's only; anyone else's is 404."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.exceptions import NotFound, ValidationFailed
from backend.ledger.permissions import IsFinance
from backend.merchants.api.permissions import IsMerchant, request_merchant
from backend.settlement.api.serializers import (
    OnboardingSerializer,
    PayoutSerializer,
    SettlementSummarySerializer,
    StatementLineSerializer,
    StatementSerializer,
)
from backend.settlement.choices import PayoutState
from backend.settlement.documents import statement_csv, statement_pdf
from backend.settlement.models import Payout, Statement, StatementLine
from backend.settlement.payouts import onboarding_start, payout_execute
from backend.settlement.selectors import (
    payouts_of,
    settlement_summary,
    statement_of,
    statements_of,
)
from backend.settlement.services import payout_account_check


class SettlementView(APIView):
    """Your balance per currency, the current period, payouts due and your payout account
    (checked with Stripe while it is not active yet; ``?refresh=1`` checks it anyway)."""

    permission_classes = [IsMerchant]

    @extend_schema(responses=SettlementSummarySerializer)
    def get(self, request):
        merchant = request_merchant(request)
        payout_account_check(merchant, force=request.query_params.get("refresh") == "1")
        return Response(SettlementSummarySerializer(settlement_summary(merchant)).data)


class OnboardingView(APIView):
    """Start (or resume) setting up payouts: a link to Stripe's onboarding, which comes
    back to the merchant console."""

    permission_classes = [IsMerchant]

    @extend_schema(request=None, responses={201: OnboardingSerializer})
    def post(self, request):
        back = request.build_absolute_uri("/merchant/#statements")
        url = onboarding_start(
            merchant=request_merchant(request), return_url=back, refresh_url=back
        )
        return Response(OnboardingSerializer({"url": url}).data, status=201)


class StatementListView(generics.ListAPIView):
    """Your closed statements, newest first."""

    permission_classes = [IsMerchant]
    serializer_class = StatementSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Statement.objects.none()
        return statements_of(request_merchant(self.request))


class StatementDetailView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(responses=StatementSerializer)
    def get(self, request, pk: int):
        return Response(StatementSerializer(statement_of(request_merchant(request), pk)).data)


class StatementLineListView(generics.ListAPIView):
    """A statement's lines: every ledger entry on your account it covers."""

    permission_classes = [IsMerchant]
    serializer_class = StatementLineSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StatementLine.objects.none()
        statement = statement_of(request_merchant(self.request), self.kwargs["pk"])
        return statement.lines.order_by("occurred_at", "id")


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class StatementCsvView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        statement = statement_of(request_merchant(request), pk)
        return _download(
            statement_csv(statement), "text/csv; charset=utf-8", f"{statement.number}.csv"
        )


class StatementPdfView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        statement = statement_of(request_merchant(request), pk)
        return _download(statement_pdf(statement), "application/pdf", f"{statement.number}.pdf")


class PayoutListView(generics.ListAPIView):
    """Your payouts, newest first: made, or due with the reason they are not made yet."""

    permission_classes = [IsMerchant]
    serializer_class = PayoutSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payout.objects.none()
        return payouts_of(request_merchant(self.request))


class FinancePayoutSerializer(PayoutSerializer):
    merchant = serializers.CharField(source="merchant.name", read_only=True)

    class Meta(PayoutSerializer.Meta):
        fields = (*PayoutSerializer.Meta.fields, "merchant")
        read_only_fields = fields


class FinancePayoutListView(generics.ListAPIView):
    """Every merchant's payouts still due (``?state=paid`` for the paid ones), oldest
    first, with the reason each is not made yet."""

    permission_classes = [IsFinance]
    serializer_class = FinancePayoutSerializer

    def get_queryset(self):
        state = self.request.query_params.get("state") or PayoutState.DUE
        if state not in PayoutState.values:
            raise ValidationFailed(
                "Unknown payout state.", fields={"state": list(PayoutState.values)}
            )
        return Payout.objects.filter(state=state).select_related("merchant").order_by("created_at")


class FinancePayoutRetryView(APIView):
    """Try a due payout now; it comes back paid, or due with the reason it is not."""

    permission_classes = [IsFinance]

    @extend_schema(request=None, responses=FinancePayoutSerializer)
    def post(self, request, pk: int):
        if not Payout.objects.filter(pk=pk).exists():
            raise NotFound("No such payout.", code="payout_not_found")
        payout = payout_execute(payout_id=pk)
        return Response(FinancePayoutSerializer(payout).data)
