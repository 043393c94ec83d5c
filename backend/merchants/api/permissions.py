from rest_framework.permissions import BasePermission

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.merchants.api.authentication import MerchantPrincipal
from backend.merchants.models import Merchant


def request_merchant(request) -> Merchant | None:
    """The merchant a request acts for: the API key's, or a signed-in merchant admin's own."""
    user = request.user
    if isinstance(user, MerchantPrincipal):
        return user.merchant
    if isinstance(user, User) and user.merchant_id and user.has_role(Role.MERCHANT_ADMIN):
        return user.merchant
    return None


def is_merchant_admin(user) -> bool:
    """A signed-in person who administers an active merchant (the merchant console's users)."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return False
    merchant = user.merchant if user.merchant_id else None
    return user.has_role(Role.MERCHANT_ADMIN) and merchant is not None and merchant.is_active


class IsMerchant(BasePermission):
    """A merchant API key, or a signed-in merchant admin of an active merchant."""

    message = "This endpoint is for merchants: use a merchant API key."

    def has_permission(self, request, view) -> bool:
        merchant = request_merchant(request)
        return merchant is not None and merchant.is_active


class IsMerchantAdminUser(BasePermission):
    """A signed-in person (not an API key) who is a merchant admin: manages the keys."""

    message = "Only a signed-in merchant admin may manage API keys."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return isinstance(user, User) and request_merchant(request) is not None
