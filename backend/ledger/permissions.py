"""Finance staff work the books: the month's close, payment files, reconciliation. Platform
admins may do the same."""

from rest_framework.permissions import BasePermission

from backend.accounts.choices import Role
from backend.accounts.models import User


def is_finance(user) -> bool:
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return False
    return user.has_role(Role.FINANCE) or user.has_role(Role.PLATFORM_ADMIN)


class IsFinance(BasePermission):
    message = "Only finance staff can do this."

    def has_permission(self, request, view) -> bool:
        return is_finance(request.user)
