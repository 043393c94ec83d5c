from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.contracts.api.serializers import ContractSerializer, RefundQuoteSerializer
from backend.contracts.choices import CancellationReason
from backend.contracts.models import Contract
from backend.contracts.selectors import contract_get, contract_list, contract_refund_quote
from backend.merchants.api.permissions import IsMerchant, request_merchant


class ContractListView(generics.ListAPIView):
    """Your contracts, newest first; filter by ``state``."""

    permission_classes = [IsMerchant]
    serializer_class = ContractSerializer
    filterset_fields = ("state", "jurisdiction", "currency")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request user
            return Contract.objects.none()
        return contract_list(merchant=request_merchant(self.request))


class ContractDetailView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(responses=ContractSerializer)
    def get(self, request, number: str):
        contract = contract_get(number=number, merchant=request_merchant(request))
        return Response(ContractSerializer(contract).data)


class RefundQuoteView(APIView):
    """What cancelling the contract today would refund, with the arithmetic itemised."""

    permission_classes = [IsMerchant]

    @extend_schema(
        parameters=[OpenApiParameter("reason", enum=CancellationReason.values, required=False)],
        responses=RefundQuoteSerializer,
    )
    def get(self, request, number: str):
        contract = contract_get(number=number, merchant=request_merchant(request))
        reason = serializers.ChoiceField(choices=CancellationReason.choices).run_validation(
            request.query_params.get("reason", CancellationReason.CUSTOMER_REQUEST)
        )
        quote = contract_refund_quote(contract=contract, reason=reason)
        return Response(quote.as_dict(request.LANGUAGE_CODE))
