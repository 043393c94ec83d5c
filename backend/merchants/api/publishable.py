"""Publishable-key authentication for the widget: ``Coverdesk-Key: pk_cd_...``.

A publishable key is public (it sits in the merchant's page). It identifies the merchant
for the widget endpoints only; the merchant API refuses it (IsMerchant never sees a
WidgetPrincipal), and what it can do is bounded by signed offer tokens.
"""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.permissions import BasePermission

from backend.common.api.throttling import AddressScopedRateThrottle
from backend.common.exceptions import PermissionDenied
from backend.common.queries import unique_or_none
from backend.merchants.models import Merchant

HEADER = "Coverdesk-Key"


class WidgetPrincipal:
    is_authenticated = True
    is_anonymous = False
    is_staff = False
    pk = None

    def __init__(self, merchant: Merchant) -> None:
        self.merchant = merchant

    def __str__(self) -> str:
        return f"widget:{self.merchant.slug}"


def origin_allowed(merchant: Merchant, origin: str) -> bool:
    """Whether a page at ``origin`` may use the merchant's widget: a site it lists, or any
    site when it lists none (a publishable key is public, as Stripe's are)."""

    def normalise(value: str) -> str:
        return value.strip().rstrip("/").lower()

    allowed = {normalise(o) for o in merchant.widget_origins or ()}
    return not allowed or normalise(origin) in allowed


class PublishableKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return None
        merchant = unique_or_none(Merchant.objects.filter(publishable_key=key, is_active=True))
        if merchant is None:
            raise exceptions.AuthenticationFailed(_("Unknown publishable key."))
        origin = request.headers.get("Origin")
        # Coverdesk's own pages (the console's preview, the demo store) are always allowed.
        own = f"{request.scheme}://{request.get_host()}"
        if origin and origin != own and not origin_allowed(merchant, origin):
            raise PermissionDenied(
                _("This site is not allowed to use this merchant's widget."),
                code="origin_not_allowed",
            )
        return WidgetPrincipal(merchant), key

    def authenticate_header(self, request) -> str:
        return HEADER


class IsWidget(BasePermission):
    message = "Send the merchant's publishable key in the Coverdesk-Key header."

    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, WidgetPrincipal)


class PublishableKeyScheme(OpenApiAuthenticationExtension):
    target_class = "backend.merchants.api.publishable.PublishableKeyAuthentication"
    name = "PublishableKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": HEADER,
            "description": "The merchant's publishable key (public, for the widget).",
        }


class WidgetMixin:
    """A view the widget calls, with the merchant's publishable key (the widget's own
    endpoints, and the CRM's offer and event endpoints it reports to)."""

    authentication_classes = [PublishableKeyAuthentication]
    permission_classes = [IsWidget]
    throttle_classes = [AddressScopedRateThrottle]
    throttle_scope = "widget"
