"""Public pages of the plan catalogue (HTML, no authentication)."""

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from backend.common import jurisdictions, packs
from backend.common.csp import allow_inline_styles
from backend.common.exceptions import NotFound
from backend.legal.pdf import PdfRenderError, html_to_pdf
from backend.plans.selectors import plan_get_public
from backend.plans.terms import render_terms, sha256


@require_GET
def plan_terms(request, code: str):
    """The full terms of a plan for a jurisdiction, reachable from every offer before payment:
    a specimen of the contract, from the template and version its contracts are issued
    with. ``?format=pdf`` downloads the same page as a PDF."""
    try:
        plan = plan_get_public(code=code)
    except NotFound:
        raise Http404("No such plan") from None
    jurisdiction = jurisdictions.normalise(request.GET.get("jurisdiction", ""))
    if jurisdiction and not jurisdictions.is_shopper_jurisdiction(jurisdiction):
        jurisdiction = ""
    html = render_terms(plan, jurisdiction, getattr(request, "LANGUAGE_CODE", "en"))
    digest = sha256(html)
    if request.GET.get("format") == "pdf":
        pack = packs.load_packs()[packs.pack_code_for(jurisdiction) or "US"]
        try:
            pdf = _terms_pdf(html, digest, pack.page_size)
        except PdfRenderError:
            return HttpResponse(
                "The PDF could not be made just now; the terms above are the same.", status=503
            )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{plan.code}-terms.pdf"'
    else:
        response = allow_inline_styles(HttpResponse(html), html)
    response["Coverdesk-Terms-SHA256"] = digest
    return response


# A public page anyone may fetch: its PDF is made once per distinct text, not per request
# (each rendering is a wkhtmltopdf run), and shared by every process through the cache.
TERMS_PDF_CACHE_SECONDS = 24 * 3600


def _terms_pdf(html: str, digest: str, page_size: str) -> bytes:
    key = f"plans:terms-pdf:{page_size}:{digest}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = html_to_pdf(html, page_size=page_size)
        cache.set(key, pdf, TERMS_PDF_CACHE_SECONDS)
    return pdf
