"""Marketing works the CRM: tags, rules, segments, exports and analytics. Desk staff,
merchants and shoppers get 403 on every CRM endpoint."""

from rest_framework.permissions import BasePermission

from backend.accounts.choices import Role
from backend.accounts.models import User


def is_marketing(user) -> bool:
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return False
    return user.has_role(Role.MARKETING) or user.has_role(Role.PLATFORM_ADMIN)


class IsMarketing(BasePermission):
    message = "Only marketing can do this."

    def has_permission(self, request, view) -> bool:
        return is_marketing(request.user)
