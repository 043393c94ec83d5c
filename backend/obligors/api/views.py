"""Obligor reporting over the API: closed months with their totals, and each month's
reports as CSV or XLSX; finance closes a month."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api.fields import StrictCharField, StrictIntegerField
from backend.common.api.sessions import StaffLoginSerializer, StaffSessionView
from backend.common.exceptions import NotFound
from backend.ledger.permissions import IsFinance, is_finance
from backend.obligors.permissions import ReadsObligorReports, is_obligor, request_provider
from backend.obligors.reports import REPORTS, write_csv, write_xlsx
from backend.obligors.selectors import closed_month, months_of, parse_month
from backend.obligors.services import month_close
from backend.obligors.taxes import tax_figures, tax_remit, tax_report
from backend.plans.models import Provider

PROVIDER = OpenApiParameter(
    "provider", int, description="Finance staff: the obligor (provider) whose figures to read."
)
WRITERS = {
    "csv": (write_csv, "text/csv; charset=utf-8"),
    "xlsx": (
        write_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


class CurrencyTotalsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    written_count = serializers.IntegerField()
    written_gross = serializers.IntegerField()
    written_net = serializers.IntegerField()
    refunds_net = serializers.IntegerField()
    chargebacks_net = serializers.IntegerField()
    earned = serializers.IntegerField()
    unearned = serializers.IntegerField()
    claims_paid = serializers.IntegerField()
    claims_reserved = serializers.IntegerField()
    ibnr = serializers.IntegerField()
    incurred = serializers.IntegerField()
    loss_ratio = serializers.FloatField(allow_null=True)
    administrator_fees = serializers.IntegerField()
    commissions = serializers.IntegerField()
    remittance = serializers.IntegerField()


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    closed_at = serializers.DateTimeField()
    totals = CurrencyTotalsSerializer(many=True)


class ClosedSerializer(serializers.Serializer):
    month = serializers.CharField()
    closed_at = serializers.DateTimeField()
    plans = serializers.IntegerField()


class BooksUserSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=["finance", "obligor"])
    provider = serializers.IntegerField(allow_null=True)
    provider_name = serializers.CharField(allow_null=True)


@extend_schema_view(
    get=extend_schema(responses=BooksUserSerializer),
    post=extend_schema(request=StaffLoginSerializer, responses=BooksUserSerializer),
    delete=extend_schema(responses={204: None}),
)
class BooksSessionView(StaffSessionView):
    """GET: who is signed in to the books (and a CSRF cookie). POST {username, password}:
    sign in (an obligor's user, or finance staff). DELETE: sign out."""

    not_signed_in = ReadsObligorReports.message
    refused = "Wrong username or password, or not an obligor or finance account."

    def allowed(self, user) -> bool:
        return is_obligor(user) or is_finance(user)

    def describe(self, user) -> dict:
        finance = is_finance(user)
        return {
            "username": user.get_username(),
            "name": user.get_full_name() or user.get_username(),
            "role": "finance" if finance else "obligor",
            "provider": None if finance else user.provider_id,
            "provider_name": None if finance else user.provider.legal_name,
        }


class ProviderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="legal_name")


class ProviderListView(APIView):
    """The obligors, for finance to choose whose reports to read."""

    permission_classes = [IsFinance]

    @extend_schema(responses=ProviderSerializer(many=True))
    def get(self, request):
        return Response(ProviderSerializer(Provider.objects.order_by("legal_name"), many=True).data)


class MonthListView(APIView):
    """Closed months, newest first, with the obligor's totals per currency."""

    permission_classes = [ReadsObligorReports]

    @extend_schema(parameters=[PROVIDER], responses=MonthSerializer(many=True))
    def get(self, request):
        return Response(MonthSerializer(months_of(request_provider(request)), many=True).data)


class ReportView(APIView):
    """A closed month's report as a file: ``premium-bordereau``, ``claims-bordereau``,
    ``reserve``, ``loss-run``, ``remittance`` or ``texas-quarterly``, as ``csv`` or ``xlsx``."""

    permission_classes = [ReadsObligorReports]

    @extend_schema(
        parameters=[PROVIDER],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, WRITERS["xlsx"][1]): OpenApiTypes.BINARY,
        },
    )
    def get(self, request, month: str, report: str, extension: str):
        if report not in REPORTS or extension not in WRITERS:
            raise NotFound("No such report.", code="report_not_found")
        provider_id = request_provider(request)
        close = closed_month(parse_month(month))
        return _file(
            REPORTS[report](provider_id, close), extension, f"{report}-{month}-p{provider_id}"
        )


def _file(report, extension: str, name: str) -> HttpResponse:
    write, content_type = WRITERS[extension]
    response = HttpResponse(write(report), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


class TaxRowSerializer(serializers.Serializer):
    jurisdiction = serializers.CharField()
    place = serializers.CharField(help_text="The jurisdiction's name in the reader's language.")
    taxes = serializers.CharField(help_text="Its taxes as its pack has them now, with rates.")
    currency = serializers.CharField()
    contracts = serializers.IntegerField(help_text="Taxed contracts sold in the month.")
    taxable_sales = serializers.IntegerField(help_text="Their prices, tax included.")
    collected = serializers.IntegerField()
    refunded = serializers.IntegerField()
    charged_back = serializers.IntegerField()
    net = serializers.IntegerField(help_text="Collected less refunded and charged back.")
    payable = serializers.IntegerField(help_text="The jurisdiction's balance at month end.")
    remitted = serializers.IntegerField(help_text="Paid to the jurisdiction for the month.")


class TaxMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    rows = TaxRowSerializer(many=True)


class TaxView(APIView):
    """Finance: a closed month's tax by jurisdiction (amounts in minor units)."""

    permission_classes = [IsFinance]

    @extend_schema(responses=TaxMonthSerializer)
    def get(self, request, month: str):
        close = closed_month(parse_month(month))
        return Response(
            TaxMonthSerializer({"month": f"{close.month:%Y-%m}", "rows": tax_figures(close)}).data
        )


class TaxRemitInputSerializer(serializers.Serializer):
    jurisdiction = StrictCharField(max_length=10)
    currency = StrictCharField(min_length=3, max_length=3)
    amount = StrictIntegerField(min_value=1, help_text="Minor units paid to the jurisdiction.")
    reference = StrictCharField(max_length=100, help_text="The bank's or the state's reference.")
    paid_on = serializers.DateField()


class TaxRemittanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    month = serializers.CharField(source="close")
    jurisdiction = serializers.CharField()
    currency = serializers.CharField()
    amount = serializers.IntegerField()
    reference = serializers.CharField()
    paid_on = serializers.DateField()


class TaxRemitView(APIView):
    """Finance: record the tax paid to a jurisdiction for a closed month, posted to the
    ledger once (409 ``tax_remitted`` the second time; 400 ``remittance_exceeds_payable``
    above what is owed)."""

    permission_classes = [IsFinance]

    @extend_schema(request=TaxRemitInputSerializer, responses={201: TaxRemittanceSerializer})
    def post(self, request, month: str):
        close = closed_month(parse_month(month))
        data = TaxRemitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        remittance = tax_remit(
            close=close,
            **{**data.validated_data, "currency": data.validated_data["currency"].upper()},
            user=request.user,
        )
        return Response(TaxRemittanceSerializer(remittance).data, status=201)


class TaxReportView(APIView):
    """Finance: a closed month's tax by jurisdiction as ``csv`` or ``xlsx``."""

    permission_classes = [IsFinance]

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, WRITERS["xlsx"][1]): OpenApiTypes.BINARY,
        },
    )
    def get(self, request, month: str, extension: str):
        if extension not in WRITERS:
            raise NotFound("No such report.", code="report_not_found")
        close = closed_month(parse_month(month))
        return _file(tax_report(close), extension, f"tax-{month}")


class MonthCloseView(APIView):
    """Close a month for every obligor: once (409 ``month_closed`` after), and only once
    its last day has passed (400 ``month_not_over``)."""

    permission_classes = [IsFinance]

    @extend_schema(request=None, responses={201: ClosedSerializer})
    def post(self, request, month: str):
        close = month_close(month=parse_month(month), user=request.user, today=timezone.localdate())
        return Response(
            ClosedSerializer(
                {
                    "month": f"{close.month:%Y-%m}",
                    "closed_at": close.closed_at,
                    "plans": close.plans.count(),
                }
            ).data,
            status=201,
        )
