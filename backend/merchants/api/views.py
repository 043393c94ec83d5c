from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.merchants.api.permissions import IsMerchant, IsMerchantAdminUser, request_merchant
from backend.merchants.api.serializers import (
    APIKeyCreatedSerializer,
    APIKeyCreateSerializer,
    APIKeySerializer,
    MerchantSerializer,
    ReturnSettingsSerializer,
)
from backend.merchants.selectors import merchant_api_key_get, merchant_api_key_list
from backend.merchants.services import (
    merchant_api_key_create,
    merchant_api_key_revoke,
    merchant_returns_set,
)


class MerchantMeView(APIView):
    """The merchant the caller acts for (a cheap way to check a key)."""

    permission_classes = [IsMerchant]

    @extend_schema(responses=MerchantSerializer)
    def get(self, request):
        return Response(MerchantSerializer(request_merchant(request)).data)


class ReturnSettingsView(APIView):
    """What a product returned at your store does to its plan: within
    ``return_window_days`` of the purchase a full refund; after it ``returns_after_window``
    (``cancel``: the ordinary refund; ``keep``: no change). PATCH either."""

    permission_classes = [IsMerchant]

    @extend_schema(responses=ReturnSettingsSerializer)
    def get(self, request):
        return Response(ReturnSettingsSerializer(request_merchant(request)).data)

    @extend_schema(request=ReturnSettingsSerializer, responses=ReturnSettingsSerializer)
    def patch(self, request):
        merchant = request_merchant(request)
        serializer = ReturnSettingsSerializer(merchant, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        merchant = merchant_returns_set(merchant=merchant, **serializer.validated_data)
        return Response(ReturnSettingsSerializer(merchant).data)


class APIKeyListCreateView(generics.ListAPIView):
    """A merchant admin's API keys. Creating one returns the key once."""

    permission_classes = [IsMerchantAdminUser]
    serializer_class = APIKeySerializer

    def get_queryset(self):
        return merchant_api_key_list(merchant=request_merchant(self.request))

    @extend_schema(request=APIKeyCreateSerializer, responses={201: APIKeyCreatedSerializer})
    def post(self, request):
        serializer = APIKeyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        api_key, key = merchant_api_key_create(
            merchant=request_merchant(request), name=serializer.validated_data["name"]
        )
        api_key.key = key
        return Response(APIKeyCreatedSerializer(api_key).data, status=status.HTTP_201_CREATED)


class APIKeyRevokeView(APIView):
    permission_classes = [IsMerchantAdminUser]

    @extend_schema(request=None, responses=APIKeySerializer)
    def post(self, request, key_id: str):
        api_key = merchant_api_key_get(merchant=request_merchant(request), key_id=key_id)
        return Response(APIKeySerializer(merchant_api_key_revoke(api_key=api_key)).data)
