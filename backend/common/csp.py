"""Content-Security-Policy: one strict policy for every page (django-csp's middleware, the
directives in settings), widened per view only where a page needs it.

The policy allows scripts, styles, fonts and images from this site only: no inline script
anywhere, no eval, no plugins, no framing of our pages, forms posting back to this site.
Two kinds of page need more, and say so here rather than loosening the site-wide policy:

- pages that take a card through the widget (the demo store, the post-purchase offer page)
  load Stripe.js, which calls Stripe's API and frames its card fields (``stripe_checkout``);
- the merchant console frames its widget preview (``frames_own_pages``), and the preview
  allows framing by this site only (``framed_by_self``);
- contract documents shown as HTML (plan terms, written warranties) carry their own
  ``<style>`` because wkhtmltopdf renders the same HTML with no access to files; each such
  block is allowed by its own sha256, so no other inline style is (``allow_inline_styles``).
"""

import base64
import functools
import hashlib
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse

_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def _add(response: HttpResponse, sources: dict[str, list[str]]) -> None:
    update = dict(getattr(response, "_csp_update", None) or {})
    for directive, values in sources.items():
        update[directive] = [*update.get(directive, ()), *values]
    response._csp_update = update


def stripe_sources() -> dict[str, list[str]]:
    """What Stripe.js needs (https://docs.stripe.com/security/guide#content-security-policy),
    or the local emulator's origin when STRIPE_API_BASE points at one (it serves its own
    Stripe.js and API from there)."""
    base = settings.STRIPE_API_BASE
    if base:
        parts = urlsplit(base)
        origin = f"{parts.scheme}://{parts.netloc}"
        return {"script-src": [origin], "connect-src": [origin], "frame-src": [origin]}
    return {
        "script-src": ["https://js.stripe.com"],
        "connect-src": ["https://api.stripe.com"],
        "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
    }


def stripe_checkout(view):
    """A page that takes a card through the widget's Stripe.js checkout."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        _add(response, stripe_sources())
        return response

    return wrapped


def allow_inline_styles(response: HttpResponse, html: str) -> HttpResponse:
    """Allow exactly the ``<style>`` blocks of ``html`` (a rendered document), by hash."""
    hashes = [
        "'sha256-{}'".format(
            base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode("ascii")
        )
        for block in _STYLE_BLOCK.findall(html)
    ]
    if hashes:
        _add(response, {"style-src": hashes})
    return response


def frames_own_pages(view):
    """A page that frames Coverdesk's own pages (the merchant console's widget preview)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        _add(response, {"frame-src": ["'self'"]})
        return response

    return wrapped


def framed_by_self(view):
    """A page that Coverdesk's own consoles frame (the merchant console's widget preview)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response._csp_replace = {"frame-ancestors": ["'self'"]}
        return response

    return wrapped
