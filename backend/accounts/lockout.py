"""Staff sign-in protection: a per-account lockout (django-axes) and a per-address limit.

Every staff sign-in path (the desk's and the marketing console's session endpoints, and
``/admin/login/``) authenticates through ``django.contrib.auth.authenticate``, so axes
counts their failures together. After ``AXES_FAILURE_LIMIT`` wrong passwords an account is
locked for ``AXES_COOLOFF_TIME``; attempts while it is locked are refused without being
counted, so they neither extend the lockout nor reveal whether a password was right. The
per-address limit is a rate (``staff_login`` in ``DEFAULT_THROTTLE_RATES``) on every sign-in
attempt from one client address, by the product's one address rule (``common.clientip``).
"""

from axes.utils import reset
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from backend.accounts.models import LockoutEvent
from backend.common.api.throttling import StaffSignInThrottle
from backend.common.exceptions import AccountLocked


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """What axes answers a locked-out sign-in with (AXES_LOCKOUT_CALLABLE): the API's error
    body for the consoles' endpoints, a page for the admin site."""
    retry_after = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if request.path.startswith("/api/"):
        error = AccountLocked()
        response = JsonResponse(
            {"code": error.code, "message": error.message, "fields": {}}, status=429
        )
    else:
        response = render(
            request,
            "accounts/locked.html",
            {"message": AccountLocked().message, "title": _("Sign-in locked")},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response


def address_limited(view):
    """Wrap a Django sign-in view (the admin's) in the per-address limit: a POST beyond the
    rate gets 429 before any password is checked."""

    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST":
            throttle = StaffSignInThrottle()
            if not throttle.allow_request(request, None):
                response = render(
                    request,
                    "accounts/locked.html",
                    {
                        "message": _("Too many sign-in attempts from your address; try later."),
                        "title": _("Sign-in limited"),
                    },
                    status=429,
                )
                response["Retry-After"] = str(int(throttle.wait() or 60))
                return response
        return view(request, *args, **kwargs)

    return wrapped


def lockout_recorded(sender, request, username, ip_address, **kwargs) -> None:
    """axes' ``user_locked_out`` receiver: one audit row per lockout. axes sends the signal
    again for each refused attempt while locked; only the failure that reached the limit
    carries a failure count."""
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    LockoutEvent.objects.create(
        kind=LockoutEvent.Kind.LOCKED,
        username=username or "",
        ip_address=ip_address or None,
        path=(getattr(request, "path", "") or "")[:200],
    )


@transaction.atomic
def lockout_lift(*, username: str, actor, reason: str = "") -> int:
    """A platform admin lifts an account's lockout: its failed attempts are forgotten and the
    lifting is audited. Returns how many attempt records were cleared."""
    cleared = reset(username=username)
    LockoutEvent.objects.create(
        kind=LockoutEvent.Kind.LIFTED, username=username, actor=actor, reason=reason
    )
    return cleared
