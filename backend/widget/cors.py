"""Which sites may call the widget API from a browser.

A merchant lists the sites that embed its widget (``Merchant.widget_origins``); an empty
list means any site, as with a Stripe publishable key. A preflight request carries no key,
so it is answered for any origin: it grants nothing by itself, because the browser reads
the real response only if that response allows the origin too.
"""

from backend.merchants.models import Merchant
from backend.widget.authentication import HEADER, origin_allowed


def widget_cors_allowed(sender, request, **kwargs) -> bool:
    """``corsheaders.signals.check_request_enabled`` receiver for the widget's paths."""
    if not request.path_info.startswith("/api/v1/widget/"):
        return False
    if request.method == "OPTIONS":
        return True
    key = request.headers.get(HEADER, "").strip()
    merchant = Merchant.objects.filter(publishable_key=key, is_active=True).only("widget_origins")[
        :1
    ]
    return bool(merchant) and origin_allowed(merchant[0], request.headers.get("Origin", ""))
