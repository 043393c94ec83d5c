"""Merchant API-key authentication: ``Authorization: Api-Key <prefix>.<secret>``."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from backend.common.queries import unique_or_none
from backend.merchants.models import Merchant, MerchantAPIKey
from backend.merchants.services import merchant_api_key_touch

KEYWORD = "Api-Key"


class MerchantPrincipal:
    """``request.user`` for a call made with a merchant API key.

    It is authenticated but is not a person: it carries the merchant whose objects
    the call may see, and the key that was used.
    """

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key: MerchantAPIKey) -> None:
        self.api_key = api_key
        self.merchant: Merchant = api_key.merchant
        self.merchant_id = api_key.merchant_id

    def __str__(self) -> str:
        return f"api-key:{self.api_key.prefix}"

    def has_role(self, role) -> bool:
        return False

    def has_perm(self, perm, obj=None) -> bool:
        return False


class MerchantAPIKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _sep, key = header.partition(" ")
        if keyword != KEYWORD:
            return None
        key = key.strip()
        if not key or "." not in key:
            raise exceptions.AuthenticationFailed(_("Malformed API key."))
        prefix = key.partition(".")[0]
        api_key = unique_or_none(
            MerchantAPIKey.objects.select_related("merchant").filter(
                prefix=prefix, revoked=False, merchant__is_active=True
            )
        )
        if api_key is None or api_key.has_expired or not api_key.is_valid(key):
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        merchant_api_key_touch(api_key=api_key)
        return MerchantPrincipal(api_key), api_key

    def authenticate_header(self, request) -> str:
        return KEYWORD


class MerchantAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "backend.merchants.api.authentication.MerchantAPIKeyAuthentication"
    name = "MerchantApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <prefix>.<secret>`, as shown once when the key is created.",
        }
