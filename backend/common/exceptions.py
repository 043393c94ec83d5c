"""The one family of application errors.

Services raise these; the API's exception handler maps them to HTTP. Each carries a
stable machine-readable ``code`` and a human ``message`` (and, for validation, ``fields``).
"""

from typing import Any

from django.utils.translation import gettext


class ApplicationError(Exception):
    status_code = 400
    default_code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}
        self.extra = extra or {}


class ValidationFailed(ApplicationError):
    default_code = "validation_error"


class Unauthenticated(ApplicationError):
    """The request does not prove who sent it (a bad or missing signature)."""

    status_code = 401
    default_code = "not_authenticated"


class NotFound(ApplicationError):
    status_code = 404
    default_code = "not_found"


class PermissionDenied(ApplicationError):
    status_code = 403
    default_code = "permission_denied"


class Conflict(ApplicationError):
    status_code = 409
    default_code = "conflict"


class AccountLocked(ApplicationError):
    """Staff sign-in refused: too many wrong passwords for this account (django-axes)."""

    status_code = 429
    default_code = "account_locked"

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(
            message
            or gettext(
                "Too many failed sign-in attempts: this account is locked for a while. "
                "Try again later, or ask a platform admin to lift the lock."
            ),
            **kwargs,
        )
