from django.contrib.auth import login
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api.csrf import enforce_csrf
from backend.common.api.sessions import StaffLoginSerializer, StaffSessionView
from backend.common.api.throttling import StaffSignInThrottle
from backend.merchants.api.permissions import (
    IsMerchant,
    IsMerchantAdminUser,
    is_merchant_admin,
    request_merchant,
)
from backend.merchants.api.serializers import (
    APIKeyCreatedSerializer,
    APIKeyCreateSerializer,
    APIKeySerializer,
    InviteAcceptSerializer,
    InviteSerializer,
    InviteTokenSerializer,
    MerchantAdminSerializer,
    MerchantSerializer,
    ReturnSettingsSerializer,
    WidgetSettingsSerializer,
)
from backend.merchants.selectors import merchant_api_key_get, merchant_api_key_list
from backend.merchants.services import (
    invite_from_token,
    merchant_api_key_create,
    merchant_api_key_revoke,
    merchant_invite_accept,
    merchant_settings_set,
)


def _describe_admin(user) -> dict:
    return {
        "username": user.get_username(),
        "name": user.get_full_name() or user.get_username(),
        "email": user.email,
        "merchant": user.merchant.name,
        "merchant_slug": user.merchant.slug,
    }


@extend_schema_view(
    get=extend_schema(responses=MerchantAdminSerializer),
    post=extend_schema(request=StaffLoginSerializer, responses=MerchantAdminSerializer),
    delete=extend_schema(responses={204: None}),
)
class MerchantSessionView(StaffSessionView):
    """GET: who is signed in to the merchant console (and a CSRF cookie). POST
    {username, password}: sign in (a merchant's admin). DELETE: sign out."""

    not_signed_in = "Sign in to the merchant console first."
    refused = "Wrong username or password, or not a merchant admin."

    def allowed(self, user) -> bool:
        return is_merchant_admin(user)

    def describe(self, user) -> dict:
        return _describe_admin(user)


@method_decorator(ensure_csrf_cookie, name="dispatch")
class InviteCheckView(APIView):
    """POST {token}: whom an invite link is for (the merchant and the e-mail address), or
    400 with why it cannot be used (``invite_invalid``, ``invite_used``, ``invite_revoked``,
    ``invite_expired``). The token is sent in the body, never in a URL."""

    permission_classes = [AllowAny]
    throttle_classes = [StaffSignInThrottle]

    @extend_schema(request=InviteTokenSerializer, responses=InviteSerializer)
    def post(self, request):
        params = InviteTokenSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        return Response(InviteSerializer(invite_from_token(params.validated_data["token"])).data)


class InviteAcceptView(APIView):
    """POST {token, username, password, first_name, last_name}: accept an invite, which
    creates your merchant admin account and signs you in. An invite works once (400
    ``invite_used`` the second time) and until it expires (400 ``invite_expired``)."""

    permission_classes = [AllowAny]
    throttle_classes = [StaffSignInThrottle]

    @extend_schema(request=InviteAcceptSerializer, responses={201: MerchantAdminSerializer})
    def post(self, request):
        enforce_csrf(request)
        params = InviteAcceptSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        user = merchant_invite_accept(**params.validated_data)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(_describe_admin(user), status=status.HTTP_201_CREATED)


class MerchantSettingsView(APIView):
    """GET the merchant's settings that ``serializer_class`` names, PATCH any of them."""

    permission_classes = [IsMerchant]
    serializer_class: type

    def get(self, request):
        return Response(self.serializer_class(request_merchant(request)).data)

    def patch(self, request):
        merchant = request_merchant(request)
        serializer = self.serializer_class(merchant, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        merchant = merchant_settings_set(merchant=merchant, **serializer.validated_data)
        return Response(self.serializer_class(merchant).data)


@extend_schema_view(
    get=extend_schema(responses=MerchantSerializer),
    patch=extend_schema(request=MerchantSerializer, responses=MerchantSerializer),
)
class MerchantMeView(MerchantSettingsView):
    """The merchant the caller acts for (a cheap way to check a key). PATCH your support
    contact: ``support_email`` and ``website``."""

    serializer_class = MerchantSerializer


@extend_schema_view(
    get=extend_schema(responses=WidgetSettingsSerializer),
    patch=extend_schema(request=WidgetSettingsSerializer, responses=WidgetSettingsSerializer),
)
class WidgetSettingsView(MerchantSettingsView):
    """The checkout widget's publishable key and the sites allowed to embed it. PATCH
    ``widget_origins`` (origins like ``https://shop.example``; an empty list allows any)."""

    serializer_class = WidgetSettingsSerializer


@extend_schema_view(
    get=extend_schema(responses=ReturnSettingsSerializer),
    patch=extend_schema(request=ReturnSettingsSerializer, responses=ReturnSettingsSerializer),
)
class ReturnSettingsView(MerchantSettingsView):
    """What a product returned at your store does to its plan: within
    ``return_window_days`` of the purchase a full refund; after it ``returns_after_window``
    (``cancel``: the ordinary refund; ``keep``: no change). PATCH either."""

    serializer_class = ReturnSettingsSerializer


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
