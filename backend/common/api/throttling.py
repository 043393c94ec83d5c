"""Rate limits per client address, by the product's one rule (``common.clientip``)."""

from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from backend.common.clientip import client_ip


class AddressScopedRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle (``throttle_scope`` on the view, the rate in
    ``DEFAULT_THROTTLE_RATES``), keyed by ``client_ip`` for anonymous requests and by the
    user for signed-in ones. DRF's own ``get_ident`` trusts ``X-Forwarded-For`` whenever
    ``NUM_PROXIES`` is unset, so every throttle in the product uses this class instead."""

    def get_ident(self, request):
        return client_ip(request)


class StaffSignInThrottle(SimpleRateThrottle):
    """Every staff sign-in attempt per client address (``staff_login``), signed in or not:
    the desk's and the marketing console's session endpoints and ``/admin/login/``."""

    scope = "staff_login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}
