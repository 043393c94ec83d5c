"""Public pages of the plan catalogue (HTML, no authentication)."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from backend.common import jurisdictions
from backend.common.exceptions import NotFound
from backend.plans.selectors import plan_get_public
from backend.plans.terms import render_terms, sha256


@require_GET
def plan_terms(request, code: str):
    """The full terms of a plan for a jurisdiction, reachable from every offer before payment.

    A plain rendering for now; the compliant, versioned document per jurisdiction pack
    replaces it when documents are issued from legal templates.
    """
    try:
        plan = plan_get_public(code=code)
    except NotFound:
        raise Http404("No such plan") from None
    jurisdiction = jurisdictions.normalise(request.GET.get("jurisdiction", ""))
    if jurisdiction and not jurisdictions.is_shopper_jurisdiction(jurisdiction):
        jurisdiction = ""
    html = render_terms(plan, jurisdiction, getattr(request, "LANGUAGE_CODE", "en"))
    response = HttpResponse(html)
    response["Coverdesk-Terms-SHA256"] = sha256(html)
    return response
