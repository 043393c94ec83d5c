"""The few calls Coverdesk makes to a shop's Admin API: the OAuth token exchange and the
webhook subscriptions. Called outside any transaction, with a timeout; Shopify down or
refusing is ``ShopifyUnavailable`` (503: the merchant installs again)."""

import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from backend.common.exceptions import ApplicationError

logger = logging.getLogger(__name__)


class ShopifyUnavailable(ApplicationError):
    status_code = 503
    default_code = "shopify_unavailable"


@dataclass(frozen=True)
class Grant:
    access_token: str
    scopes: str


def admin_url(shop: str, path: str) -> str:
    """``path`` on the shop's admin (``https://{shop}`` unless SHOPIFY_ADMIN_URL says)."""
    return settings.SHOPIFY_ADMIN_URL.format(shop=shop).rstrip("/") + path


def _post(shop: str, path: str, body: dict, token: str = "") -> requests.Response:
    headers = {"Accept": "application/json"}
    if token:
        headers["X-Shopify-Access-Token"] = token
    try:
        return requests.post(
            admin_url(shop, path),
            json=body,
            headers=headers,
            timeout=settings.SHOPIFY_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        logger.warning("Shopify %s unreachable: %s", shop, exc)
        raise ShopifyUnavailable(_("Shopify could not be reached; try again.")) from None


def access_token_exchange(*, shop: str, code: str) -> Grant:
    """The authorisation code of Shopify's callback, for the shop's offline access token."""
    response = _post(
        shop,
        "/admin/oauth/access_token",
        {
            "client_id": settings.SHOPIFY_API_KEY,
            "client_secret": settings.SHOPIFY_API_SECRET,
            "code": code,
        },
    )
    try:
        body = response.json() if response.ok else {}
        token, scopes = body["access_token"], body.get("scope", "")
    except (ValueError, KeyError):
        raise ShopifyUnavailable(
            _("Shopify refused the installation (HTTP %(status)d); install again.")
            % {"status": response.status_code}
        ) from None
    return Grant(access_token=token, scopes=scopes)


def webhook_subscribe(*, shop: str, token: str, topic: str, address: str) -> str:
    """Subscribe the shop's ``topic`` to ``address``; the subscription's id, or ``existing``
    where the shop has one for the topic already (an install repeated)."""
    response = _post(
        shop,
        f"/admin/api/{settings.SHOPIFY_API_VERSION}/webhooks.json",
        {"webhook": {"topic": topic, "address": address, "format": "json"}},
        token=token,
    )
    if response.status_code == 422 and "taken" in response.text:
        return "existing"
    if response.ok:
        try:
            return str(response.json()["webhook"]["id"])
        except (ValueError, KeyError, TypeError):
            pass
    raise ShopifyUnavailable(
        _("Shopify refused the webhook subscription %(topic)s (HTTP %(status)d).")
        % {"topic": topic, "status": response.status_code}
    )
