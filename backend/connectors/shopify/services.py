"""The Shopify connector: install through Shopify's OAuth, and the store's webhooks turned
into Coverdesk's own services.

**Install.** A merchant asks for an install link for its shop (``install_start``); the
link sends the merchant's browser to Shopify's consent screen with a one-time ``state``;
Shopify sends it back to the callback (``install_complete``), signed with the app's
secret, with a code that is exchanged for the shop's offline access token (stored
encrypted), and Coverdesk subscribes the shop to the webhooks it needs.

**Webhooks.** Each one is verified (``X-Shopify-Hmac-Sha256``, the body's HMAC under the
app's secret), stored once by its ``X-Shopify-Webhook-Id`` (Shopify's retries repeat it),
and processed after commit, in one transaction with its outcome (``webhook_process``):

- ``orders/paid``: its plans' line items become an order of contracts, the payment
  taken at the store (``PaymentChannel.STORE``), and the contracts activated;
- ``refunds/create``, ``orders/cancelled``: the units refunded are reported as returns
  (``checkout.returns``): a full refund inside the merchant's return window, the ordinary
  one or none after it;
- ``products/create``, ``products/update``: the catalogue upserted by SKU;
- ``app/uninstalled``: the token erased; ``shop/redact``: the shop's stored webhooks too;
- ``customers/redact``: the customer's details erased from the stored webhooks;
  ``customers/data_request``: what Coverdesk holds for the customer, listed for the
  merchant to answer with;
- ``fulfillments/create``: kept (no plan's coverage starts at delivery yet).

What the store sends that Coverdesk cannot accept (an offer expired, a plan no longer
offered) rejects the webhook with the error's code, for the merchant to see in the
delivery log; it is not retried. Anything else failing is retried.
"""

import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from backend.catalog.models import Category
from backend.catalog.services import product_bulk_upsert
from backend.checkout.choices import ReturnKind
from backend.checkout.orders import LineInput, OrderInput, TermsAcceptance, order_upsert
from backend.checkout.returns import ReturnInput, return_report
from backend.claims.models import Claim
from backend.common.actors import Actor
from backend.common.exceptions import ApplicationError, Conflict, Unauthenticated
from backend.common.queries import unique_or_none
from backend.connectors.shopify import admin_api, mapping, signatures, tokens
from backend.connectors.shopify.choices import SHOP_TOPICS, ShopState, Topic, WebhookStatus
from backend.connectors.shopify.models import InstallRequest, Shop, ShopOrder, Webhook
from backend.contracts.choices import ContractState
from backend.contracts.models import Contract
from backend.customers.choices import ConsentSource
from backend.payments.choices import PaymentChannel
from backend.payments.services import payment_collected_at_store

SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
# What the theme block shows beside its checkbox; the acceptance records it.
TERMS_TEXT_VERSION = "shopify-cart-1"


def terms_checkbox_text() -> str:
    return _("I have read and accept the protection plan's terms.")


class InvalidInstall(ApplicationError):
    default_code = "install_invalid"


def _shop_domain(shop: str) -> str:
    domain = (shop or "").strip().lower()
    if not SHOP_DOMAIN.match(domain):
        raise ApplicationError(
            _("A shop is named by its myshopify.com domain, such as example.myshopify.com."),
            code="invalid_shop_domain",
            fields={"shop": [_("Not a myshopify.com domain.")]},
        )
    return domain


# --- Install ------------------------------------------------------------------------------


def install_start(*, merchant, shop: str, callback_url: str) -> str:
    """The link that installs the app on ``shop`` for ``merchant``: Shopify's consent
    screen, which returns to ``callback_url`` with the one-time state made here."""
    domain = _shop_domain(shop)
    taken = Shop.objects.filter(domain=domain, state=ShopState.INSTALLED).exclude(merchant=merchant)
    if taken.exists():
        raise Conflict(_("This shop is connected to another merchant."), code="shop_taken")
    request = InstallRequest.objects.create(
        merchant=merchant, domain=domain, nonce=secrets.token_urlsafe(32)
    )
    query = urlencode(
        {
            "client_id": settings.SHOPIFY_API_KEY,
            "scope": settings.SHOPIFY_SCOPES,
            "redirect_uri": callback_url,
            "state": request.nonce,
        }
    )
    return admin_api.admin_url(domain, f"/admin/oauth/authorize?{query}")


def _install_claim(params: dict[str, str]) -> InstallRequest:
    """The install request the callback answers, used up: once, and only while fresh."""
    if not signatures.query_signature_valid(settings.SHOPIFY_API_SECRET, params):
        raise Unauthenticated(
            _("The installation's signature is not Shopify's."), code="invalid_signature"
        )
    domain = _shop_domain(params.get("shop", ""))
    now = timezone.now()
    ttl = timedelta(seconds=settings.SHOPIFY_INSTALL_TTL_SECONDS)
    try:
        signed_at = datetime.fromtimestamp(int(params.get("timestamp", "")), tz=UTC)
    except (ValueError, OverflowError, OSError):
        signed_at = None
    if signed_at is None or abs(now - signed_at) > ttl:
        raise InvalidInstall(
            _("This installation link has expired; install the app again."), code="install_expired"
        )
    fresh = InstallRequest.objects.filter(
        nonce=params.get("state", ""),
        domain=domain,
        used_at__isnull=True,
        created_at__gte=now - ttl,
    )
    request = fresh.first()
    if request is None or not fresh.filter(pk=request.pk).update(used_at=now):
        raise InvalidInstall(
            _("This installation link was used already or has expired; install the app again.")
        )
    return request


def install_complete(*, params: dict[str, str], webhook_url: str) -> Shop:
    """Shopify's callback: the code exchanged for the shop's token, the shop connected to
    the merchant that started the install, and its webhooks subscribed. Call outside a
    transaction (Shopify is called)."""
    request = _install_claim(params)
    grant = admin_api.access_token_exchange(shop=request.domain, code=params.get("code", ""))
    now = timezone.now()
    with transaction.atomic():
        shop = unique_or_none(Shop.objects.select_for_update().filter(domain=request.domain))
        if shop is None:
            shop = Shop(merchant=request.merchant, domain=request.domain, installed_at=now)
        elif shop.state == ShopState.INSTALLED and shop.merchant_id != request.merchant_id:
            raise Conflict(_("This shop is connected to another merchant."), code="shop_taken")
        if shop.pk is None or can_proceed(shop.install):
            shop.install(
                merchant=request.merchant,
                access_token=tokens.encrypt(grant.access_token),
                scopes=grant.scopes,
                at=now,
            )
        shop.save()
    registered = [
        {
            "topic": topic,
            "id": admin_api.webhook_subscribe(
                shop=shop.domain, token=grant.access_token, topic=topic, address=webhook_url
            ),
        }
        for topic in SHOP_TOPICS
    ]
    Shop.objects.filter(pk=shop.pk).update(webhooks_registered=registered)
    shop.webhooks_registered = registered
    return shop


# --- Webhooks: receiving ------------------------------------------------------------------


def webhook_receive(*, body: bytes, headers) -> tuple[Webhook | None, bool]:
    """Verify a webhook and store it once. Returns (webhook, created); no webhook for a
    topic Coverdesk does not handle. A bad signature raises and stores nothing."""
    if not signatures.webhook_signature_valid(
        settings.SHOPIFY_API_SECRET, body, headers.get("X-Shopify-Hmac-Sha256", "")
    ):
        raise Unauthenticated(
            _("The webhook's signature is not Shopify's."), code="invalid_signature"
        )
    topic, webhook_id = headers.get("X-Shopify-Topic", ""), headers.get("X-Shopify-Webhook-Id", "")
    if not webhook_id:
        raise ApplicationError(
            _("The webhook has no X-Shopify-Webhook-Id."), code="malformed_request"
        )
    if topic not in Topic.values:
        return None, False
    try:
        payload = mapping.json_object(body)
    except ValueError:
        raise ApplicationError(
            _("The webhook's body is not a JSON object."), code="malformed_request"
        ) from None
    domain = str(headers.get("X-Shopify-Shop-Domain", "")).lower()
    existing = Webhook.objects.filter(webhook_id=webhook_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            webhook = Webhook.objects.create(
                webhook_id=webhook_id,
                topic=topic,
                domain=domain,
                shop=Shop.objects.filter(domain=domain).first(),
                api_version=headers.get("X-Shopify-API-Version", "")[:20],
                triggered_at=mapping.when(headers.get("X-Shopify-Triggered-At")),
                payload=payload,
            )
    except IntegrityError:
        return Webhook.objects.get(webhook_id=webhook_id), False
    return webhook, True


# --- Webhooks: processing -----------------------------------------------------------------


class Ignored(Exception):
    """Nothing for Coverdesk to do with this webhook, and why."""


def webhook_process(*, webhook_pk: int) -> Webhook:
    """Apply a stored webhook, once: its effects and its outcome commit together."""
    with transaction.atomic():
        webhook = (
            Webhook.objects.select_for_update(of=("self",))  # its shop, an outer join, is not
            .select_related("shop__merchant")  # lockable on PostgreSQL (a shop may be unknown)
            .get(pk=webhook_pk)
        )
        if webhook.status not in (WebhookStatus.RECEIVED, WebhookStatus.FAILED):
            return webhook
        now = timezone.now()
        try:
            with transaction.atomic():
                result = HANDLERS[webhook.topic](webhook)
        except Ignored as why:
            webhook.ignore(at=now, reason=str(why))
        except ApplicationError as exc:
            if exc.status_code >= 500:
                raise
            webhook.reject(at=now, code=exc.code, message=exc.message)
        else:
            webhook.process(at=now, result=result)
        webhook.save()
    return webhook


def webhook_mark_failed(*, webhook_pk: int, error: str) -> None:
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update().get(pk=webhook_pk)
        if can_proceed(webhook.fail):
            webhook.fail(error=error)
            webhook.save()


def webhooks_to_retry(*, older_than: timedelta, limit: int = 500) -> list[int]:
    """Webhooks received but never processed (a worker died, the queue lost the task),
    or failed, still unsettled ``older_than`` after they arrived."""
    return list(
        Webhook.objects.filter(
            status__in=(WebhookStatus.RECEIVED, WebhookStatus.FAILED),
            received_at__lt=timezone.now() - older_than,
            attempts__lt=20,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def _connected(webhook: Webhook) -> Shop:
    shop = webhook.shop
    if shop is None or shop.state != ShopState.INSTALLED:
        raise Ignored("the shop is not connected")
    return shop


def _order_paid(webhook: Webhook) -> dict:
    shop, order = _connected(webhook), webhook.payload
    lines = mapping.plan_lines(order)
    if not lines:
        raise Ignored("no protection plans in the order")
    if order.get("cancelled_at"):
        raise Ignored("the order was cancelled")
    merchant = shop.merchant
    ip_address, user_agent = mapping.client_of(order)
    paid_at = mapping.when(order.get("processed_at")) or mapping.when(order.get("created_at"))
    actor = Actor.merchant(merchant, f"Shopify order {order.get('name') or order['id']}")
    result = order_upsert(
        merchant=merchant,
        data=OrderInput(
            merchant_order_id=f"shopify-{order['id']}",
            jurisdiction=mapping.jurisdiction_of(order),
            customer=mapping.customer_of(order),
            lines=[
                LineInput(
                    offer_token=line.offer_token,
                    terms_sha256=line.terms_sha256,
                    quantity=line.quantity,
                    product_title=line.product_title,
                )
                for line in lines
            ],
            terms=TermsAcceptance(
                text=terms_checkbox_text(),
                text_version=TERMS_TEXT_VERSION,
                ip_address=ip_address,
                user_agent=user_agent,
            ),
            purchased_at=paid_at,
            source=ConsentSource.STORE_CONNECTOR,
            actor=actor,
            payment_channel=PaymentChannel.STORE,
        ),
    )
    positions = {}
    for position, line in enumerate(lines):
        positions[line.line_item_id] = position
        if line.covers_line_item_id:
            positions[line.covers_line_item_id] = position
    ShopOrder.objects.get_or_create(
        shop=shop,
        shopify_order_id=str(order["id"]),
        defaults={"order": result.order, "lines": positions},
    )
    payment_collected_at_store(
        payment_id=result.order.payment.pk,
        reference=f"shopify:{order['id']}",
        actor=actor,
        at=paid_at or timezone.now(),
    )
    return {
        "order": result.order.merchant_order_id,
        "contracts": [c.number for c in result.contracts],
    }


def _shop_order(shop: Shop, order_id) -> ShopOrder:
    found = ShopOrder.objects.select_related("order").filter(
        shop=shop, shopify_order_id=str(order_id)
    )
    shop_order = found.first()
    if shop_order is None:
        raise Ignored("no plans were sold with this order")
    return shop_order


def _active_units(shop_order: ShopOrder) -> dict[int, int]:
    counts: dict[int, int] = {}
    for position in Contract.objects.filter(
        order_line__order=shop_order.order, state=ContractState.ACTIVE
    ).values_list("order_line__position", flat=True):
        counts[position] = counts.get(position, 0) + 1
    return counts


def _report(shop: Shop, shop_order: ShopOrder, return_id: str, position: int, units: int, at):
    report, _created = return_report(
        merchant=shop.merchant,
        merchant_order_id=shop_order.order.merchant_order_id,
        data=ReturnInput(
            return_id=return_id,
            kind=ReturnKind.RETURN,
            line=position,
            quantity=units,
            reported_at=at,
        ),
    )
    return report.outcome


def _refund_created(webhook: Webhook) -> dict:
    shop, refund = _connected(webhook), webhook.payload
    shop_order = _shop_order(shop, refund.get("order_id"))
    active = _active_units(shop_order)
    at = mapping.when(refund.get("created_at")) or webhook.received_at
    outcome = []
    for refunded in mapping.refunded_lines(refund, shop_order.lines):
        units = min(refunded.quantity, active.get(refunded.position, 0))
        if units:
            return_id = f"shopify-refund-{refund['id']}-{refunded.position}"
            outcome += _report(shop, shop_order, return_id, refunded.position, units, at)
    if not outcome:
        raise Ignored("the refund gave back no covered unit")
    return {"order": shop_order.order.merchant_order_id, "plans": outcome}


def _order_cancelled(webhook: Webhook) -> dict:
    shop, order = _connected(webhook), webhook.payload
    shop_order = _shop_order(shop, order.get("id"))
    at = mapping.when(order.get("cancelled_at")) or webhook.received_at
    outcome = []
    for position, units in sorted(_active_units(shop_order).items()):
        return_id = f"shopify-cancel-{order['id']}-{position}"
        outcome += _report(shop, shop_order, return_id, position, units, at)
    if not outcome:
        raise Ignored("no plan of the order is active")
    return {"order": shop_order.order.merchant_order_id, "plans": outcome}


def _product_changed(webhook: Webhook) -> dict:
    shop = _connected(webhook)
    merchant = shop.merchant
    rows, skipped = mapping.product_rows(
        webhook.payload,
        currency=merchant.default_currency,
        categories=set(Category.objects.values_list("slug", flat=True)),
    )
    if not rows:
        raise Ignored("no variant maps to the catalogue" + (f": {skipped}" if skipped else ""))
    upserted = product_bulk_upsert(merchant=merchant, rows=rows)
    return {"created": upserted.created, "updated": upserted.updated, "skipped": skipped}


def _fulfilled(webhook: Webhook) -> dict:
    _connected(webhook)
    raise Ignored("no plan's coverage starts at delivery")


def _uninstalled(webhook: Webhook) -> dict:
    shop = webhook.shop
    if shop is None or not can_proceed(shop.uninstall):
        raise Ignored("the shop was not installed")
    shop.uninstall(at=timezone.now())
    shop.save()
    return {"shop": shop.domain, "state": shop.state}


def _redacted(topic: str) -> dict:
    return {"redacted": True, "topic": topic}


def _shop_webhooks(webhook: Webhook):
    return Webhook.objects.filter(domain=webhook.domain).exclude(pk=webhook.pk)


def _customer_webhooks(webhook: Webhook) -> tuple[list[str], str]:
    """The stored webhooks about the customer a privacy request names (by the orders it
    lists), and the customer's e-mail."""
    request = webhook.payload
    customer = request.get("customer") if isinstance(request.get("customer"), dict) else {}
    orders = [
        str(o) for o in request.get("orders_to_redact") or request.get("orders_requested") or []
    ]
    return orders, str(customer.get("email") or "").strip().lower()


def _customer_redact(webhook: Webhook) -> dict:
    """Erase the customer's details from what the connector stored of the shop's
    webhooks (orders, refunds). Contracts and claims are Coverdesk's own records, kept for
    the law's periods; erasing those is the privacy service's, asked for separately."""
    orders, _email = _customer_webhooks(webhook)
    stored = _shop_webhooks(webhook).filter(
        Q(topic__in=(Topic.ORDERS_PAID, Topic.ORDERS_CANCELLED), payload__id__in=_ids(orders))
        | Q(topic=Topic.REFUNDS_CREATE, payload__order_id__in=_ids(orders))
    )
    webhook.payload = _redacted(webhook.topic)
    return {"orders": orders, "webhooks_redacted": _redact(stored)}


def _ids(orders: list[str]) -> list:
    """Shopify's order ids as its payloads hold them (numbers), and as given."""
    return [int(o) for o in orders if o.isdigit()] + orders


def _redact(webhooks) -> int:
    """Erase the payloads of ``webhooks``: one UPDATE per topic."""
    return sum(
        webhooks.filter(topic=topic).update(payload=_redacted(topic))
        for topic in set(webhooks.values_list("topic", flat=True))
    )


def _customer_data_request(webhook: Webhook) -> dict:
    """What Coverdesk holds about the customer, from this merchant: the contracts and the
    claims, for the merchant to answer the shopper's request with."""
    shop = webhook.shop
    orders, email = _customer_webhooks(webhook)
    if shop is None or not email:
        raise Ignored("no customer of a connected shop")
    contracts = list(
        Contract.objects.filter(merchant=shop.merchant, customer__email=email)
        .order_by("pk")
        .values_list("number", flat=True)
    )
    claims = list(
        Claim.objects.filter(contract__merchant=shop.merchant, contract__customer__email=email)
        .order_by("pk")
        .values_list("number", flat=True)
    )
    return {"customer": email, "orders": orders, "contracts": contracts, "claims": claims}


def _shop_redact(webhook: Webhook) -> dict:
    """Shopify asks, 48 hours after an uninstall, for the shop's data to go: its token
    and every webhook stored from it. The orders and contracts it sold stay Coverdesk's."""
    erased = _redact(_shop_webhooks(webhook))
    shop = webhook.shop
    if shop is not None and can_proceed(shop.redact):
        shop.redact(at=timezone.now())
        shop.save()
    return {"shop": webhook.domain, "webhooks_redacted": erased}


HANDLERS: dict[str, Callable[[Webhook], dict]] = {
    Topic.ORDERS_PAID: _order_paid,
    Topic.ORDERS_CANCELLED: _order_cancelled,
    Topic.REFUNDS_CREATE: _refund_created,
    Topic.FULFILLMENTS_CREATE: _fulfilled,
    Topic.PRODUCTS_CREATE: _product_changed,
    Topic.PRODUCTS_UPDATE: _product_changed,
    Topic.APP_UNINSTALLED: _uninstalled,
    Topic.CUSTOMERS_DATA_REQUEST: _customer_data_request,
    Topic.CUSTOMERS_REDACT: _customer_redact,
    Topic.SHOP_REDACT: _shop_redact,
}
