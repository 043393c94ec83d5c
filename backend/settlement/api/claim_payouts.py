"""Claim payouts over the API: the shopper gives the bank account a reimbursement is paid
to (portal); finance makes the bank's payment files and reads the bank's answers back."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import FileUploadParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.claims.models import Claim
from backend.common.api.fields import StrictCharField, StrictModelSerializer
from backend.common.exceptions import NotFound, ValidationFailed
from backend.customers.permissions import IsShopper, request_customer
from backend.ledger.permissions import IsFinance
from backend.settlement.claim_payouts import (
    bank_details_give,
    payout_file_create,
    payout_file_read_back,
)
from backend.settlement.models import ClaimPayout, PayoutFile


class ClaimPayoutSerializer(StrictModelSerializer):
    claim = serializers.CharField(source="claim.number", read_only=True)
    account = serializers.SerializerMethodField(help_text="The account paid to, masked.")

    class Meta:
        model = ClaimPayout
        fields = ("claim", "method", "amount", "currency", "state", "account_holder", "account",
                  "failure_reason", "paid_at")  # fmt: skip
        read_only_fields = fields

    def get_account(self, payout) -> str:
        number = payout.iban or payout.account_number
        return f"…{number[-4:]}" if number else ""


class BankDetailsSerializer(serializers.Serializer):
    account_holder = StrictCharField(max_length=70)
    iban = StrictCharField(max_length=42, required=False, help_text="EUR and PLN payouts.")
    bic = StrictCharField(max_length=11, required=False)
    routing_number = StrictCharField(max_length=9, required=False, help_text="USD payouts.")
    account_number = StrictCharField(max_length=17, required=False)


def _shoppers_claim(request, number: str) -> Claim:
    claim = Claim.objects.filter(number=number, customer=request_customer(request)).first()
    if claim is None:
        raise NotFound("No such claim.", code="claim_not_found")
    return claim


class PortalClaimPayoutView(APIView):
    """The payout of your approved reimbursement: GET its state; PUT the bank account to
    pay it to (an IBAN for EUR and PLN, a routing and account number for USD)."""

    permission_classes = [IsShopper]

    @extend_schema(responses=ClaimPayoutSerializer)
    def get(self, request, number: str):
        payout = ClaimPayout.objects.filter(claim=_shoppers_claim(request, number)).first()
        if payout is None:
            raise NotFound("This claim has no payout to make.", code="no_claim_payout")
        return Response(ClaimPayoutSerializer(payout).data)

    @extend_schema(request=BankDetailsSerializer, responses=ClaimPayoutSerializer)
    def put(self, request, number: str):
        serializer = BankDetailsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payout = bank_details_give(
            claim=_shoppers_claim(request, number), data=serializer.validated_data
        )
        return Response(ClaimPayoutSerializer(payout).data)


class PayoutFileSerializer(StrictModelSerializer):
    class Meta:
        model = PayoutFile
        fields = ("id", "method", "currency", "reference", "total", "count", "state",
                  "created_at", "read_back_at")  # fmt: skip
        read_only_fields = fields


class PayoutFileCreateSerializer(serializers.Serializer):
    currency = StrictCharField(max_length=3)


class PayoutFileListView(generics.ListAPIView):
    """Payment files, newest first. POST {currency}: a file of every due payout in it."""

    permission_classes = [IsFinance]
    serializer_class = PayoutFileSerializer
    queryset = PayoutFile.objects.all()

    @extend_schema(request=PayoutFileCreateSerializer, responses={201: PayoutFileSerializer})
    def post(self, request):
        serializer = PayoutFileCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        file = payout_file_create(currency=serializer.validated_data["currency"], user=request.user)
        return Response(PayoutFileSerializer(file).data, status=201)


def _file(pk: int) -> PayoutFile:
    file = PayoutFile.objects.filter(pk=pk).first()
    if file is None:
        raise NotFound("No such payment file.", code="payout_file_not_found")
    return file


class PayoutFileDownloadView(APIView):
    permission_classes = [IsFinance]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        file = _file(pk)
        response = HttpResponse(bytes(file.content), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
        return response


class ReadBackSerializer(serializers.Serializer):
    paid = serializers.IntegerField()
    rejected = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class PayoutFileStatusView(APIView):
    """Upload the bank's answer to a file (multipart field ``report``): a pain.002 status
    report, or an ACH returns file. Reading it twice changes nothing."""

    permission_classes = [IsFinance]
    parser_classes = [MultiPartParser, FileUploadParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"report": {"type": "string", "format": "binary"}},
            }
        },
        responses=ReadBackSerializer,
    )
    def post(self, request, pk: int):
        upload = request.data.get("report") or request.data.get("file")
        if upload is None or not hasattr(upload, "read"):
            raise ValidationFailed(
                "Upload the bank's report as the multipart field 'report'.",
                fields={"report": ["Required."]},
                code="report_required",
            )
        counts = payout_file_read_back(file_id=_file(pk).pk, report=upload.read(5_000_000))
        return Response(ReadBackSerializer(counts).data)
