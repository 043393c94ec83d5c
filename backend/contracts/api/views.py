from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.actors import Actor
from backend.contracts.api.serializers import (
    CancelInputSerializer,
    CancelOutputSerializer,
    ContractSerializer,
    OrderOutputSerializer,
    OrderPutSerializer,
    RefundQuoteSerializer,
)
from backend.contracts.choices import CancellationReason
from backend.contracts.models import Contract
from backend.contracts.selectors import contract_get, contract_list, order_contracts, order_get
from backend.contracts.services import (
    LineInput,
    OrderInput,
    TermsAcceptance,
    contract_cancel,
    contract_refund_quote,
    order_upsert,
)
from backend.merchants.api.permissions import IsMerchant, request_merchant
from backend.payments.services import payment_ensure_intent

ORDER_ID = r"[A-Za-z0-9][A-Za-z0-9._:#\-]{0,99}"


class OrderView(APIView):
    """Orders, keyed by your own order id. PUT is an idempotent upsert.

    PUT creates the order, one contract per covered unit (``pending_payment``) and a Stripe
    PaymentIntent, and returns its ``client_secret`` for Stripe.js. Sending the same order
    again returns the same contracts and never charges twice; the same id with different
    lines is ``409 order_conflict``. If Stripe cannot be reached the answer is ``503``: the
    order is kept, nothing is charged, and PUT again to finish.
    """

    permission_classes = [IsMerchant]

    @extend_schema(responses=OrderOutputSerializer)
    def get(self, request, merchant_order_id: str):
        order = order_get(merchant=request_merchant(request), merchant_order_id=merchant_order_id)
        return Response(OrderOutputSerializer(order, contracts=order_contracts(order=order)).data)

    @extend_schema(
        request=OrderPutSerializer,
        responses={200: OrderOutputSerializer, 201: OrderOutputSerializer},
    )
    def put(self, request, merchant_order_id: str):
        merchant = request_merchant(request)
        serializer = OrderPutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        terms = params["terms_acceptance"]
        data = OrderInput(
            merchant_order_id=merchant_order_id,
            jurisdiction=params["jurisdiction"],
            customer=dict(params["customer"]),
            lines=[LineInput(**line) for line in params["lines"]],
            terms=TermsAcceptance(
                text=terms["text"],
                text_version=terms["text_version"],
                ip_address=terms.get("ip_address"),
                user_agent=terms.get("user_agent", ""),
            ),
            purchased_at=params.get("purchased_at"),
            marketing_email_consent=params["marketing_email_consent"],
        )
        result = order_upsert(merchant=merchant, data=data)
        order = result.order
        order.payment = payment_ensure_intent(payment=order.payment)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(OrderOutputSerializer(order, contracts=result.contracts).data, status=code)


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


class ContractCancelView(APIView):
    """Cancel a contract and refund per the quote. Cancelling twice is ``409``."""

    permission_classes = [IsMerchant]

    @extend_schema(request=CancelInputSerializer, responses=CancelOutputSerializer)
    def post(self, request, number: str):
        merchant = request_merchant(request)
        contract = contract_get(number=number, merchant=merchant)
        params = CancelInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        contract, refund = contract_cancel(
            contract_id=contract.pk,
            actor=Actor.merchant(merchant, "API"),
            reason=params.validated_data["reason"],
            note=params.validated_data.get("note", ""),
        )
        return Response(CancelOutputSerializer({"contract": contract, "refund": refund}).data)
