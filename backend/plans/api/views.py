from urllib.parse import quote

from django.urls import reverse
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.catalog.selectors import category_slugs
from backend.common.api.schema import ERROR_REF
from backend.merchants.api.permissions import IsMerchant, request_merchant
from backend.plans.api.rendering import TERMS_CODE_PLACEHOLDER, offers_response
from backend.plans.api.serializers import (
    OfferingOrderSerializer,
    OfferingSerializer,
    OffersRequestSerializer,
    OffersResponseSerializer,
    PlanSerializer,
)
from backend.plans.offers import ProductInput, offers_for_product
from backend.plans.selectors import (
    merchant_offering_get,
    merchant_offerings,
    plan_list_for_merchant,
    product_input_for_sku,
)
from backend.plans.services import merchant_plan_set, merchant_plans_order


def offers_body(request, *, product, jurisdiction, quantity, offer_set, language) -> dict:
    """An offers response, its terms links absolute for the request's host."""
    terms_url = request.build_absolute_uri(
        reverse("plan-terms", kwargs={"code": TERMS_CODE_PLACEHOLDER})
    )
    return offers_response(
        product=product,
        jurisdiction=jurisdiction,
        quantity=quantity,
        offer_set=offer_set,
        language=language,
        terms_url=f"{terms_url}?jurisdiction={quote(jurisdiction)}",
    )


class OffersView(APIView):
    """Eligible, priced plan offers for one product, quantity and shopper jurisdiction.

    Identify the product by ``sku`` (from your catalogue) or describe it inline. Each
    offer carries an ``offer_token`` to send with the order; it binds the plan, both
    prices, the quantity and the jurisdiction, and expires at ``expires_at``.
    """

    permission_classes = [IsMerchant]

    def get_merchant(self, request):
        return request_merchant(request)

    @extend_schema(
        request=OffersRequestSerializer,
        responses={
            200: OffersResponseSerializer,
            404: OpenApiResponse(
                ERROR_REF, description="No product with this `sku` in your catalogue."
            ),
        },
    )
    def post(self, request):
        merchant = self.get_merchant(request)
        data = request.data
        needs_categories = isinstance(data, dict) and "product" in data
        serializer = OffersRequestSerializer(
            data=data, context={"category_slugs": category_slugs() if needs_categories else ()}
        )
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        if "sku" in params:
            product = product_input_for_sku(merchant=merchant, sku=params["sku"])
        else:
            product = ProductInput(sku=None, **params["product"])

        jurisdiction = params["jurisdiction"]
        offer_set = offers_for_product(
            merchant_id=merchant.id,
            product=product,
            quantity=params["quantity"],
            jurisdiction=jurisdiction,
        )
        body = offers_body(
            request,
            product=product,
            jurisdiction=jurisdiction,
            quantity=params["quantity"],
            offer_set=offer_set,
            language=get_language() or "en",
        )
        return Response(body)


class PlanListView(generics.ListAPIView):
    """The plans the calling merchant offers, with their price bands."""

    permission_classes = [IsMerchant]
    serializer_class = PlanSerializer

    def get_queryset(self):
        return plan_list_for_merchant(merchant=request_merchant(self.request))


class OfferingListView(generics.ListAPIView):
    """Every plan you may offer, switched on or off, in your display order."""

    permission_classes = [IsMerchant]
    serializer_class = OfferingSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return merchant_offerings(merchant=None).none()
        return merchant_offerings(merchant=request_merchant(self.request))


class OfferingDetailView(APIView):
    """PATCH ``is_active`` to switch a plan on or off at your checkout, or
    ``display_order`` to move it."""

    permission_classes = [IsMerchant]

    @extend_schema(request=OfferingSerializer, responses=OfferingSerializer)
    def patch(self, request, code: str):
        offering = merchant_offering_get(merchant=request_merchant(request), code=code)
        serializer = OfferingSerializer(offering, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        offering = merchant_plan_set(offering=offering, **serializer.validated_data)
        return Response(OfferingSerializer(offering).data)


class OfferingOrderView(APIView):
    """PUT {codes}: the order of every plan you offer (400 ``plan_order_mismatch`` unless
    the list names each of them once)."""

    permission_classes = [IsMerchant]

    @extend_schema(request=OfferingOrderSerializer, responses=OfferingSerializer(many=True))
    def put(self, request):
        params = OfferingOrderSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        offerings = merchant_plans_order(
            merchant=request_merchant(request), codes=params.validated_data["codes"]
        )
        return Response(OfferingSerializer(offerings, many=True).data)
