"""Public pages of merchants' written warranties (HTML, no authentication).

16 CFR 702.3: a warranty's full text must be available before the sale. Each active
warranty has a page, in the shopper's language where its pack has it, with its PDF.
"""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from backend.catalog.models import WrittenWarranty
from backend.catalog.warranties import highest_prices, warranty_languages, warranty_terms
from backend.catalog.warranty_document import warranty_data
from backend.common.csp import allow_inline_styles
from backend.common.exceptions import ApplicationError
from backend.common.languages import text_language
from backend.documents.choices import DocumentKind, DocumentState
from backend.documents.services import render_warranty, template_version, warranty_pack
from backend.legal import compliance
from backend.legal.pdf import PdfRenderError
from backend.legal.rendering import render_html


def _page_html(warranty: WrittenWarranty, pack, language: str) -> str:
    kind = DocumentKind.WRITTEN_WARRANTY
    data = warranty_data(warranty_terms(warranty), pack, language, {})
    return render_html(
        pack=pack,
        kind=kind,
        version=template_version(pack, kind),
        language=language,
        data=data,
        clauses=compliance.required_clauses(pack, kind, language, data),
    )


@require_GET
def written_warranty(request, merchant: str, code: str):
    """The warranty's current terms. ``?format=pdf`` downloads the issued document of the
    current revision (rendered on the spot while it is still being issued)."""
    warranty = (
        WrittenWarranty.objects.select_related("merchant")
        .filter(merchant__slug=merchant, code=code, is_active=True, merchant__is_active=True)
        .first()
    )
    if warranty is None:
        raise Http404("No such warranty")
    try:
        pack = warranty_pack(warranty)
    except ApplicationError:
        raise Http404("No such warranty") from None
    language = getattr(request, "LANGUAGE_CODE", "en")
    language = text_language(warranty_languages(warranty_terms(warranty)), language, pack)
    if request.GET.get("format") != "pdf":
        html = _page_html(warranty, pack, language)
        return allow_inline_styles(HttpResponse(html), html)
    filename = f"{warranty.merchant.slug}-{warranty.code}-warranty.pdf"
    document = warranty.documents.filter(
        warranty_revision=warranty.revision, language=language, state=DocumentState.ISSUED
    ).first()
    if document is not None:
        with document.file.open("rb") as f:
            pdf = f.read()
    else:
        try:
            _html, pdf, _report = render_warranty(
                terms=warranty_terms(warranty),
                item_prices=highest_prices(warranty),
                pack=pack,
                language=language,
                version=template_version(pack, DocumentKind.WRITTEN_WARRANTY),
            )
        except PdfRenderError:
            pdf = None
        if pdf is None:
            return HttpResponse(
                "The PDF could not be made just now; the page above is the same.", status=503
            )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
