"""One exception handler for the whole API.

Every error body is ``{"code": str, "message": str, "fields": {...}}``. The codes are
stable; the messages are for people and may be translated.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from backend.common.exceptions import ApplicationError

logger = logging.getLogger(__name__)

# DRF exception class -> (stable code, human message or None to keep DRF's own).
_DRF_CODES: dict[type[drf.APIException], str] = {
    drf.ParseError: "malformed_request",
    drf.AuthenticationFailed: "authentication_failed",
    drf.NotAuthenticated: "not_authenticated",
    drf.PermissionDenied: "permission_denied",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.Throttled: "throttled",
}


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def _flatten_detail(detail: Any) -> Any:
    """ErrorDetail trees become plain lists/dicts of strings."""
    if isinstance(detail, dict):
        return {str(k): _flatten_detail(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten_detail(v) for v in detail]
    return str(detail)


def _validation_response(exc: drf.ValidationError) -> tuple[str, str, dict[str, Any]]:
    detail = exc.detail
    if isinstance(detail, dict):
        fields = _flatten_detail(detail)
        non_field = fields.pop("non_field_errors", None)
        if non_field and not fields:
            return "validation_error", " ".join(non_field), {}
        names = ", ".join(sorted(fields))
        message = _("Invalid input in: %(fields)s.") % {"fields": names}
        if non_field:
            fields["non_field_errors"] = non_field
        return "validation_error", message, fields
    messages = _flatten_detail(detail if isinstance(detail, list) else [detail])
    return "validation_error", " ".join(str(m) for m in messages), {}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        set_rollback()
        body = error_body(exc.code, exc.message, exc.fields)
        body.update(exc.extra)
        return Response(body, status=exc.status_code)

    if isinstance(exc, ConcurrentTransition):  # another request moved the object first
        set_rollback()
        return Response(
            error_body(
                "concurrent_update",
                _("Someone else changed this at the same moment. Reload it and try again."),
            ),
            status=409,
        )
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = drf.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)

    if not isinstance(exc, drf.APIException):
        return None  # A real bug: let Django log it and answer 500 (see server_error below).

    set_rollback()
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, drf.ValidationError):
        code, message, fields = _validation_response(exc)
    else:
        code = _DRF_CODES.get(type(exc)) or next(
            (c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error"
        )
        message, fields = str(exc.detail), {}
        if isinstance(exc, drf.ParseError):
            message = _("The request body is not valid JSON.")
    return Response(error_body(code, message, fields), status=exc.status_code, headers=headers)


def not_found(request, exception=None):
    """404 for URLs outside any view. API clients get the same error body as everywhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", _("No such endpoint.")), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body("server_error", _("Something went wrong on our side; it has been logged.")),
            status=500,
        )
    from django.views.defaults import server_error as django_server_error

    return django_server_error(request)
