"""Which sites may call the widget API from a browser.

A merchant lists the sites that embed its widget (``Merchant.widget_origins``); an empty
list means any site, as with a Stripe publishable key. A preflight request carries no key,
so it is answered for any origin: it grants nothing by itself, because the browser reads
the real response only if that response allows the origin too.
"""

from backend.merchants.api.publishable import WidgetPrincipal


def widget_cors_allowed(sender, request, **kwargs) -> bool:
    """``corsheaders.signals.check_request_enabled`` receiver for the widget's paths.

    A real request is answered with CORS headers once the publishable-key authentication has
    accepted it, which includes checking the page's origin against the merchant's list
    (``authentication.origin_allowed``): no second look-up here."""
    if not request.path_info.startswith("/api/v1/widget/"):
        return False
    if request.method == "OPTIONS":
        return True
    return isinstance(getattr(request, "user", None), WidgetPrincipal)
