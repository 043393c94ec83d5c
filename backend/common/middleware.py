"""Input no part of the product can store: refused at the door, in one place.

PostgreSQL text cannot hold the NUL character (U+0000), and a NUL that reaches a query
fails it with a database error, a 500. No real input has one in a path, a query parameter
or a text field, so every request carrying one is answered ``400 nul_character`` before any
view runs: the path (``%00``), query keys and values, form fields (not uploaded files,
whose bytes are their own business), and JSON bodies (where NUL can only be ``\\u0000``).
"""

import re

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from backend.common.api.exceptions import error_body

# A JSON escape for U+0000 that is not itself an escaped backslash followed by "u0000".
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(query_dict) -> bool:
    return any(
        "\x00" in key or any("\x00" in v for v in values) for key, values in query_dict.lists()
    )


def _carries_nul(request: HttpRequest) -> str:
    """Where the request carries a NUL ("" when nowhere)."""
    if "\x00" in request.path_info:
        return "path"
    if "%00" in request.META.get("QUERY_STRING", "") or _has_nul(request.GET):
        return "query"
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if content_type == "application/json" or content_type.endswith("+json"):
            if _JSON_NUL.search(request.body) or b"\x00" in request.body:
                return "body"
        elif content_type in _FORM_TYPES and _has_nul(request.POST):
            return "body"
    return ""


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        where = _carries_nul(request)
        if where:
            return JsonResponse(
                error_body(
                    "nul_character",
                    _(
                        "The request's %(where)s contains a NUL character (U+0000), "
                        "which no field accepts."
                    )
                    % {"where": where},
                    {"location": [where]},
                ),
                status=400,
            )
        return self.get_response(request)
