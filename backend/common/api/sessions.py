"""Session sign-in for the staff consoles (desk, marketing): one view, told by each console
who may sign in and how to show them."""

from django.contrib.auth import authenticate, login, logout
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.common.exceptions import ValidationFailed


class StaffLoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=200, trim_whitespace=False)


@method_decorator(ensure_csrf_cookie, name="dispatch")
class StaffSessionView(APIView):
    """GET: who is signed in to this console (and a CSRF cookie). POST {username, password}:
    sign in (this console's staff only). DELETE: sign out. Signing in is throttled per
    address; asking who is signed in is not."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "desk_login"
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
        serializer = StaffLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request, **serializer.validated_data)
        if user is None or not self.allowed(user):
            raise ValidationFailed(str(self.refused), code="invalid_credentials")
        login(request, user)
        return Response(self.describe(user))

    def delete(self, request):
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)
