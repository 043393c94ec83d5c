"""Session sign-in for the staff consoles (desk, marketing): one view, told by each console
who may sign in and how to show them."""

from django.contrib.auth import authenticate, get_user, login, logout
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api.csrf import enforce_csrf
from backend.common.api.fields import StrictCharField
from backend.common.api.throttling import StaffSignInThrottle
from backend.common.exceptions import AccountLocked, ValidationFailed


def end_session(request) -> None:
    """Sign out: end the session and tell the auth signals whose session it was. DRF sets
    ``request.user`` to whatever credentials it accepted (a merchant's API key, say), which is
    not the session's user and not a User at all."""
    django_request = request._request
    django_request.user = get_user(django_request)
    logout(django_request)


class StaffLoginSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=200, trim_whitespace=False)


@method_decorator(ensure_csrf_cookie, name="dispatch")
class StaffSessionView(APIView):
    """GET: who is signed in to this console (and a CSRF cookie). POST {username, password}:
    sign in (this console's staff only). DELETE: sign out. Signing in is limited per client
    address and locks an account after repeated wrong passwords (``accounts.lockout``);
    asking who is signed in is not limited."""

    permission_classes = [AllowAny]
    throttle_classes = [StaffSignInThrottle]
    not_signed_in = "Sign in first."  # the 401's message
    refused = "Wrong username or password."  # the 400's message

    def allowed(self, user) -> bool:
        raise NotImplementedError

    def describe(self, user) -> dict:
        raise NotImplementedError

    def get_throttles(self):
        return super().get_throttles() if self.request.method == "POST" else []

    def get(self, request):
        if not self.allowed(request.user):
            return Response(
                {"code": "not_authenticated", "message": str(self.not_signed_in), "fields": {}},
                status=status.HTTP_401_UNAUTHORIZED,
            )
        return Response(self.describe(request.user))

    def post(self, request):
        enforce_csrf(request)
        serializer = StaffLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request, **serializer.validated_data)
        if getattr(request, "axes_locked_out", False):  # set by django-axes's backend
            raise AccountLocked()
        if user is None or not self.allowed(user):
            raise ValidationFailed(str(self.refused), code="invalid_credentials")
        login(request, user)
        return Response(self.describe(user))

    def delete(self, request):
        end_session(request)
        return Response(status=status.HTTP_204_NO_CONTENT)
