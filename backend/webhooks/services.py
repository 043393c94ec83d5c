"""Outbound webhooks: signed like Stripe's, retried with exponential backoff, all logged.

Each delivery is POSTed with ``Coverdesk-Signature: t=<unix time>,v1=<hex>``, where the
hex is HMAC-SHA256 of ``"<t>.<body>"`` under the endpoint's secret. Receivers verify it
and reject old timestamps, exactly as they would for Stripe.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from backend.common.exceptions import ValidationFailed
from backend.webhooks.choices import WebhookEventType
from backend.webhooks.models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 10


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min ... capped at 6 hours."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def _resolved_addresses(host: str) -> list[ipaddress._BaseAddress]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        return []
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def url_problem(url: str) -> str | None:
    """Why this URL may not receive webhooks (SSRF guard), or None if it may."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return _("Use an https:// URL.")
    if settings.WEBHOOKS_ALLOW_PRIVATE_URLS:
        return None
    if parts.scheme != "https":
        return _("Use an https:// URL.")
    addresses = _resolved_addresses(parts.hostname)
    if not addresses:
        return _("The host name does not resolve.")
    if any(not a.is_global for a in addresses):
        return _("The URL points at a private or local address.")
    return None


def endpoint_create(*, merchant, url: str, event_types: list[str]) -> WebhookEndpoint:
    problem = url_problem(url)
    if problem:
        raise ValidationFailed(problem, fields={"url": [problem]})
    return WebhookEndpoint.objects.create(merchant=merchant, url=url, event_types=event_types)


def webhooks_emit(*, merchant_id: int, event_type: str, subject: str, data: dict) -> list[int]:
    """Queue one delivery per subscribed endpoint; a repeat for the same subject is ignored."""
    created = []
    now = timezone.now()
    for endpoint in WebhookEndpoint.objects.filter(merchant_id=merchant_id, is_active=True):
        if not endpoint.wants(event_type):
            continue
        event_id = f"evt_{uuid.uuid4().hex}"
        payload = {
            "id": event_id,
            "type": event_type,
            "created": int(now.timestamp()),
            "api_version": "v1",
            "data": data,
        }
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint,
                    event_id=event_id,
                    event_type=event_type,
                    subject=subject,
                    payload=payload,
                    next_attempt_at=now,
                )
        except IntegrityError:
            continue
        created.append(delivery.pk)
    return created


def endpoint_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a ``webhook.test`` event to one endpoint, whatever event types it chose: the
    merchant checks its receiver and its signature check before any real event comes."""
    now = timezone.now()
    event_id = f"evt_{uuid.uuid4().hex}"
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=event_id,
        event_type=WebhookEventType.WEBHOOK_TEST,
        subject=f"test:{event_id}",
        payload={
            "id": event_id,
            "type": WebhookEventType.WEBHOOK_TEST.value,
            "created": int(now.timestamp()),
            "api_version": "v1",
            "data": {"endpoint": {"id": endpoint.pk, "url": endpoint.url}},
        },
        next_attempt_at=now,
    )


@transaction.atomic
def delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now (the same event id, so a receiver that already has it can
    tell). One that is waiting to be sent is left as it is."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if can_proceed(delivery.resend):
        delivery.resend(at=timezone.now())
        delivery.save()
    return delivery


def deliveries_due(*, now, limit: int) -> list[int]:
    """Deliveries whose retry time has come, oldest first (the backoff schedule lives in
    the rows)."""
    return list(
        WebhookDelivery.objects.filter(state__in=WebhookDelivery._OPEN, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def delivery_attempt(*, delivery_id: int) -> WebhookDelivery:
    """POST one delivery once. Outside a transaction; the outcome is applied under a lock."""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if delivery.state not in WebhookDelivery._OPEN or delivery.next_attempt_at > timezone.now():
        return delivery
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Coverdesk-Webhooks/1",
        "Coverdesk-Event-Id": delivery.event_id,
        "Coverdesk-Event-Type": delivery.event_type,
        "Coverdesk-Signature": sign(endpoint.secret, body, int(time.time())),
    }
    status_code, error = None, ""
    problem = url_problem(endpoint.url)
    if problem:
        error = problem
    else:
        try:
            response = requests.post(
                endpoint.url,
                data=body,
                headers=headers,
                timeout=TIMEOUT_SECONDS,
                allow_redirects=False,
            )
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}: {response.text[:200]}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        now = timezone.now()
        if not error and can_proceed(delivery.delivered):
            delivery.delivered(status_code=status_code, at=now)
        elif error and delivery.attempts + 1 >= MAX_ATTEMPTS and can_proceed(delivery.give_up):
            delivery.give_up(status_code=status_code, error=error)
        elif error and can_proceed(delivery.retry_later):
            delivery.retry_later(
                status_code=status_code,
                error=error,
                next_attempt_at=now + backoff(delivery.attempts + 1),
            )
        delivery.save()
    if error:
        logger.info("Webhook %s to %s failed: %s", delivery.event_id, endpoint.url, error)
    return delivery
