"""Reference data anyone may read (where plans are sold, the reasons a claim can give):
the frontends and merchants' integrations read it from the API instead of keeping copies."""

from django.conf import settings
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from backend.common.api.throttling import AddressScopedRateThrottle


def names_by_language(name_in) -> dict[str, str]:
    """``name_in(language)`` for every language the product speaks."""
    return {code: str(name_in(code)) for code, _name in settings.LANGUAGES}


class ReferenceDataView(APIView):
    """Public and throttled per address; it changes with a deployment only, so browsers and
    proxies may keep it an hour."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressScopedRateThrottle]
    throttle_scope = "reference"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            response["Cache-Control"] = "public, max-age=3600"
        return response
