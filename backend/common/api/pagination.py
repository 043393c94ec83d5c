from django.utils.translation import gettext as _
from rest_framework import pagination

from backend.common.exceptions import ValidationFailed


def page_size_param(request, *, default: int, maximum: int) -> int:
    """``?page_size=`` as asked, or ``default`` when it is not given: a whole number from 1
    to ``maximum``, anything else (empty, ``abc``, ``0``, over the maximum) a 400, never
    quietly replaced by another size."""
    raw = request.query_params.get("page_size")
    if raw is None:
        return default
    # isdigit() alone admits "¹" and other digits int() refuses: ASCII only.
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise ValidationFailed(
            _("page_size must be a whole number from 1 to %(max)d.") % {"max": maximum},
            fields={"page_size": [_("A whole number from 1 to %(max)d.") % {"max": maximum}]},
        )
    return int(raw)


class PageNumberPagination(pagination.PageNumberPagination):
    """Every list is paginated: ``?page=N&page_size=M`` (at most 500 a page)."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        return page_size_param(request, default=self.page_size, maximum=self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters
