"""Who a request is counted against: the one rule for every per-address decision.

Throttles, the sign-in lockout (django-axes) and the addresses recorded with consent and
downloads all call ``client_ip``. With ``COVERDESK_TRUSTED_PROXIES = 0`` (the default) the
answer is the socket's peer address and ``X-Forwarded-For`` is ignored, since any client can
send that header. Behind N load balancers or reverse proxies that each *append* the address
they saw, the client is the N-th address from the right of ``X-Forwarded-For``: everything
further left was written by the client and proves nothing.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        # Fewer hops than trusted proxies: the request did not come through all of them
        # (or a proxy is misconfigured). The leftmost hop was written by a proxy we trust
        # only if every proxy appended, so fall back to the peer we actually talk to.
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
