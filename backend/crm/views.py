"""Public CRM pages: the unsubscribe link (RFC 8058 one-click, and a page for people), and
the landing page of post-purchase offers."""

from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from backend.common.clientip import client_ip
from backend.common.csp import stripe_checkout
from backend.common.exceptions import ApplicationError, ValidationFailed
from backend.crm import consent, leads
from backend.customers.choices import ConsentSource


@csrf_exempt  # the signed token is the credential; mail clients POST without cookies
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET: a page that asks (link scanners follow GETs, so a GET changes nothing). POST:
    unsubscribe at once: the mail client's one-click ``List-Unsubscribe=One-Click`` body,
    or the page's button."""
    try:
        customer, channel = consent.unsubscribe_target(token)
    except ValidationFailed as error:
        return render(request, "crm/unsubscribe.html", {"error": error.message}, status=400)
    with translation.override(customer.locale or "en"):
        done = False
        if request.method == "POST":
            consent.withdraw(
                customer,
                channel,
                source=ConsentSource.UNSUBSCRIBE_LINK,
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
            done = True
        response = render(request, "crm/unsubscribe.html", {"email": customer.email, "done": done})
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@stripe_checkout
@require_http_methods(["GET"])
def lead_offers(request, token: str):
    """The landing page of a post-purchase offer: the purchase, and the plans that can still
    be added to it, bought through the widget's checkout. A bad or expired link is a page
    that says so (400), never an error."""
    try:
        lead = leads.lead_from_token(token)
    except ApplicationError as error:
        response = render(
            request, "crm/lead_offers.html", {"error": error.message}, status=error.status_code
        )
    else:
        with translation.override(lead.customer.locale or "en"):
            response = render(
                request,
                "crm/lead_offers.html",
                {
                    "lead": lead,
                    "token": token,
                    "merchant": lead.merchant,
                    "title": lead.product.get("title") or lead.product.get("sku") or "",
                },
            )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
