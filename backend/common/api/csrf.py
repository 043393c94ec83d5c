"""CSRF for sign-in endpoints.

DRF checks CSRF only for requests its SessionAuthentication has authenticated, so a POST
that *creates* a session (a sign-in, from no session at all) would go unchecked, and a
hostile page could sign a visitor's browser in to the attacker's account (login CSRF).
Every session sign-in calls ``enforce_csrf`` first: the same check Django's middleware makes
(the token from the cookie in ``X-CSRFToken``, and the Origin or Referer for HTTPS).
"""

from django.utils.translation import gettext as _
from rest_framework.authentication import CSRFCheck

from backend.common.exceptions import PermissionDenied


def enforce_csrf(request) -> None:
    django_request = getattr(request, "_request", request)
    check = CSRFCheck(lambda _request: None)
    check.process_request(django_request)  # reads the CSRF cookie
    reason = check.process_view(django_request, None, (), {})
    if reason:
        raise PermissionDenied(
            _("This form must be sent from Coverdesk's own page (CSRF check failed)."),
            code="csrf_failed",
        )
