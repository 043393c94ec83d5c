from rest_framework.permissions import BasePermission

from backend.accounts.models import User


def request_customer(request):
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        return getattr(user, "customer", None)
    return None


class IsShopper(BasePermission):
    message = "Sign in to the portal with the link we e-mail you."

    def has_permission(self, request, view) -> bool:
        return request_customer(request) is not None
