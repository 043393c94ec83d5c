"""Webhooks to merchants: signed, delivered once per event, retried with backoff."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from backend.webhooks.models import WebhookDelivery
from backend.webhooks.services import MAX_ATTEMPTS, backoff
from backend.webhooks.tasks import webhooks_retry_due_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    """A merchant's webhook receiver on 127.0.0.1; ``status`` sets what it answers."""
    received, state = [], {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(state["status"])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hooks", received, state
    server.shutdown()


def register(api, url, **extra):
    response = api.post("/api/v1/webhook-endpoints/", {"url": url, **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def verify(secret: str, headers: dict, body: bytes) -> bool:
    parts = dict(p.split("=", 1) for p in headers["Coverdesk-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts["v1"])


def test_activation_is_delivered_signed(
    receiver, api, paid_order, django_capture_on_commit_callbacks
):
    url, received, _state = receiver
    endpoint = register(api, url)
    assert endpoint["secret"].startswith("whsec_")
    with django_capture_on_commit_callbacks(execute=True):
        paid_order()
    assert len(received) == 2  # one per contract
    headers, body = received[0]
    assert verify(endpoint["secret"], headers, body)
    payload = json.loads(body)
    assert payload["type"] == "contract.activated" == headers["Coverdesk-Event-Type"]
    assert payload["data"]["contract"]["state"] == "active"
    assert payload["data"]["merchant_order_id"] == "PAID-1"
    deliveries = api.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries/").json()
    assert {d["state"] for d in deliveries["results"]} == {"delivered"}


def test_subscriptions_filter_event_types(
    receiver, api, paid_order, django_capture_on_commit_callbacks
):
    url, received, _ = receiver
    register(api, url, event_types=["contract.cancelled"])
    with django_capture_on_commit_callbacks(execute=True):
        _intent, [number, _] = paid_order()
        api.post(f"/api/v1/contracts/{number}/cancel/", {}, format="json")
    assert [json.loads(b)["type"] for _h, b in received] == ["contract.cancelled"]


def test_failures_retry_with_backoff_then_give_up(
    receiver, api, paid_order, django_capture_on_commit_callbacks
):
    url, received, state = receiver
    register(api, url)
    state["status"] = 500
    with django_capture_on_commit_callbacks(execute=True):
        paid_order(quantity=1)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "retrying" and delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert webhooks_retry_due_task() == 0  # not due yet: backoff
    for attempt in range(2, MAX_ATTEMPTS + 1):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )
        webhooks_retry_due_task()
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
    assert delivery.state == "exhausted"
    assert len(received) == MAX_ATTEMPTS
    assert backoff(1) == timedelta(seconds=30) and backoff(20) == timedelta(hours=6)


def test_a_receiver_that_recovers_gets_the_event(
    receiver, api, paid_order, django_capture_on_commit_callbacks
):
    url, received, state = receiver
    register(api, url)
    state["status"] = 503
    with django_capture_on_commit_callbacks(execute=True):
        paid_order(quantity=1)
    state["status"] = 204
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks_retry_due_task()
    assert WebhookDelivery.objects.get().state == "delivered" and len(received) == 2


def test_private_urls_are_refused_in_production(api, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    for url in (
        "http://example.com/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.8/x",
        "https://localhost/x",
        "ftp://example.com/x",
    ):
        response = api.post("/api/v1/webhook-endpoints/", {"url": url}, format="json")
        assert response.status_code == 400, url
        assert "url" in response.json()["fields"]


def test_endpoints_are_scoped_to_their_merchant(api, other_api):
    endpoint = register(api, "http://127.0.0.1:9/hook")
    assert other_api.get("/api/v1/webhook-endpoints/").json()["count"] == 0
    assert other_api.delete(f"/api/v1/webhook-endpoints/{endpoint['id']}/").status_code == 404
    assert (
        other_api.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries/").status_code == 404
    )
    assert api.delete(f"/api/v1/webhook-endpoints/{endpoint['id']}/").status_code == 204
