from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.checkout.api.serializers import (
    CancelInputSerializer,
    CancelOutputSerializer,
    OrderOutputSerializer,
    OrderPutSerializer,
    ReturnInputSerializer,
    ReturnOutputSerializer,
)
from backend.checkout.cancellation import contract_cancel
from backend.checkout.orders import LineInput, OrderInput, TermsAcceptance, order_place
from backend.checkout.returns import ReturnInput, return_report
from backend.common.actors import Actor
from backend.contracts.selectors import contract_get, order_contracts, order_get
from backend.merchants.api.permissions import IsMerchant, request_merchant

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
        result = order_place(merchant=merchant, data=data)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        body = OrderOutputSerializer(result.order, contracts=result.contracts).data
        return Response(body, status=code)


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


class OrderReturnView(APIView):
    """Report a product returned, refunded or exchanged at the store, for some units of an
    order line: their plans are cancelled (fully refunded inside your return window) or
    moved to the replacement product. Once per ``return_id``: ``201`` the first time,
    ``200`` with the same outcome after; ``409 return_conflict`` for the same id with other
    lines, ``409 units_not_covered`` for more units than still have a plan, ``409
    exchange_category_mismatch`` for a replacement of another category."""

    permission_classes = [IsMerchant]

    @extend_schema(
        request=ReturnInputSerializer,
        responses={200: ReturnOutputSerializer, 201: ReturnOutputSerializer},
    )
    def post(self, request, merchant_order_id: str):
        params = ReturnInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        report, created = return_report(
            merchant=request_merchant(request),
            merchant_order_id=merchant_order_id,
            data=ReturnInput(**params.validated_data),
        )
        return Response(
            ReturnOutputSerializer(report).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
