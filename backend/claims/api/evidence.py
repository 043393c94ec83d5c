"""A claim's evidence files over HTTP, to the holder and to the desk: served as downloads
that cannot run in the browser (sandboxed, no sniffing, never cached).
"""

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
)

from backend.claims.models import ClaimEvidence
from backend.common.exceptions import NotFound, ValidationFailed

EVIDENCE_SIZE = OpenApiParameter(
    "size", str, enum=["original", "thumbnail"], description="thumbnail: a small JPEG (photos)"
)


EVIDENCE_RESPONSES = {
    (200, "application/octet-stream"): OpenApiTypes.BINARY,
    404: OpenApiResponse(description="No such file (evidence_not_found), or no thumbnail of it."),
}


def evidence_response(request, evidence: ClaimEvidence) -> FileResponse:
    """The file, or with ``?size=thumbnail`` its thumbnail (photos only)."""
    size = request.query_params.get("size", "original")
    if size not in ("original", "thumbnail"):
        raise ValidationFailed(
            _("size must be original or thumbnail."), fields={"size": ["invalid_choice"]}
        )
    if size == "thumbnail":
        if not evidence.thumbnail:
            raise NotFound(_("This file has no thumbnail."), code="thumbnail_not_found")
        return file_response(
            evidence.thumbnail, "image/jpeg", f"{evidence.claim.number}-{evidence.pk}-small.jpg"
        )
    return file_response(
        evidence.file,
        evidence.content_type,
        f"{evidence.claim.number}-{evidence.pk}.{evidence.extension}",
    )


def file_response(file, content_type: str, filename: str) -> FileResponse:
    response = FileResponse(
        file.open("rb"),
        content_type=content_type,
        as_attachment=content_type == "application/pdf",
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
