"""The Shopify connector (issue 17, item 4): installed through OAuth against a local
stand-in of Shopify, fed webhooks shaped as Shopify's and signed as Shopify signs them."""

import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.db.models import Sum

from backend.catalog.models import Product
from backend.checkout.models import ProductReturn
from backend.connectors.shopify import tokens
from backend.connectors.shopify.choices import SHOP_TOPICS, Topic
from backend.connectors.shopify.models import InstallRequest, Shop, ShopOrder, Webhook
from backend.contracts.models import Contract, ContractEvent, Order
from backend.customers.models import ConsentRecord
from backend.ledger.models import Entry, LedgerTransaction
from backend.payments.models import Payment, Refund
from backend.plans.terms import terms_sha256
from tests.connectors import shopify_payloads as payloads

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import shopify_standin

pytestmark = pytest.mark.django_db(transaction=True)
SHOP = payloads.SHOP
SECRET = "shopify-test-client-secret"


@pytest.fixture
def standin(settings):
    server, shopify = shopify_standin.serve(client_id=settings.SHOPIFY_API_KEY, secret=SECRET)
    settings.SHOPIFY_ADMIN_URL = f"http://127.0.0.1:{server.server_address[1]}/{{shop}}"
    yield shopify
    server.shutdown()


def _install(api, client, shop=SHOP):
    """The merchant's install, end to end: the link, Shopify's consent, the callback."""
    started = api.post("/api/v1/connectors/shopify/installs/", {"shop": shop}, format="json")
    assert started.status_code == 201, started.json()
    consent = requests.get(started.json()["install_url"], allow_redirects=False, timeout=5)
    assert consent.status_code == 302
    callback = urlsplit(consent.headers["Location"])
    assert callback.path == "/connectors/shopify/callback/"
    return client.get(f"{callback.path}?{callback.query}")


@pytest.fixture
def shop(standin, api, client):
    response = _install(api, client)
    assert response.status_code == 200, response.content
    return Shop.objects.get(domain=SHOP)


def _send(client, topic, payload, *, webhook_id=None, secret=SECRET, shop=SHOP):
    body = json.dumps(payload).encode()
    headers = shopify_standin.webhook_headers(
        secret, body, topic=topic, shop=shop, webhook_id=webhook_id
    )
    return client.post(
        "/connectors/shopify/webhooks/",
        body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


@pytest.fixture
def paid(client, shop, offer, plan):
    """A Shopify order of ``units`` phones with a plan each, paid."""

    def send(order_id=820982911946154508, units=2, **kwargs):
        body = payloads.order(
            order_id,
            offer_token=offer(),
            terms_sha256=terms_sha256("phone-2y", "US-CA", "en"),
            units=units,
            **kwargs,
        )
        response = _send(client, Topic.ORDERS_PAID, body, webhook_id=f"paid-{order_id}")
        assert response.status_code == 200, response.json()
        return body

    return send


# --- Install --------------------------------------------------------------------------


def test_install_connects_the_shop_with_its_token_encrypted_and_webhooks_subscribed(
    standin, api, client, merchant
):
    response = _install(api, client)
    assert response.status_code == 200
    assert b"Coverdesk is connected to your store" in response.content
    shop = Shop.objects.get(domain=SHOP)
    assert (shop.merchant, shop.state) == (merchant, "installed")
    granted = next(iter(standin.tokens))
    assert granted not in shop.access_token and tokens.decrypt(shop.access_token) == granted
    subscribed = {w["topic"]: w["address"] for w in standin.subscriptions[SHOP]}
    assert set(subscribed) == set(SHOP_TOPICS)
    assert set(subscribed.values()) == {"http://testserver/connectors/shopify/webhooks/"}
    assert {w["topic"] for w in shop.webhooks_registered} == set(SHOP_TOPICS)
    listed = api.get("/api/v1/connectors/shopify/shops/").json()["results"]
    assert [(s["domain"], s["state"]) for s in listed] == [(SHOP, "installed")]


def test_an_install_link_works_once_and_a_forged_or_stale_callback_is_refused(standin, api, client):
    started = api.post("/api/v1/connectors/shopify/installs/", {"shop": SHOP}, format="json")
    consent = requests.get(started.json()["install_url"], allow_redirects=False, timeout=5)
    callback = urlsplit(consent.headers["Location"])
    forged = callback.query.replace("hmac=", "hmac=0")
    assert client.get(f"{callback.path}?{forged}").status_code == 401
    assert client.get(f"{callback.path}?{callback.query}").status_code == 200
    again = client.get(f"{callback.path}?{callback.query}")
    assert again.status_code == 400 and b"used already" in again.content

    InstallRequest.objects.update(used_at=None)
    params = dict(p.split("=", 1) for p in callback.query.split("&"))
    params["timestamp"] = "1000000000"  # 2001
    params["hmac"] = shopify_standin.query_hmac(SECRET, params)
    stale = client.get(callback.path, params)
    assert stale.status_code == 400 and b"expired" in stale.content
    assert Shop.objects.count() == 1


def test_an_install_names_a_real_shop_domain_and_a_shop_belongs_to_one_merchant(
    standin, api, other_api, client
):
    bad = api.post("/api/v1/connectors/shopify/installs/", {"shop": "evil.com"}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_shop_domain")
    assert _install(api, client).status_code == 200
    taken = other_api.post("/api/v1/connectors/shopify/installs/", {"shop": SHOP}, format="json")
    assert (taken.status_code, taken.json()["code"]) == (409, "shop_taken")
    assert other_api.get("/api/v1/connectors/shopify/shops/").json()["results"] == []
    anonymous = client.post("/api/v1/connectors/shopify/installs/", {"shop": SHOP})
    assert anonymous.status_code in (401, 403)


def test_shopify_down_at_the_token_exchange_is_a_page_that_says_so(standin, api, client, settings):
    started = api.post("/api/v1/connectors/shopify/installs/", {"shop": SHOP}, format="json")
    consent = requests.get(started.json()["install_url"], allow_redirects=False, timeout=5)
    callback = urlsplit(consent.headers["Location"])
    settings.SHOPIFY_ADMIN_URL = "http://127.0.0.1:9/{shop}"
    response = client.get(f"{callback.path}?{callback.query}")
    assert response.status_code == 503 and b"could not be reached" in response.content
    assert not Shop.objects.exists()


# --- Webhooks: signatures and replays -------------------------------------------------


@pytest.mark.parametrize("topic", list(Topic))
def test_every_topic_refuses_a_bad_signature_and_is_applied_once(client, shop, topic):
    body = payloads.shop_redact() if topic == Topic.SHOP_REDACT else {"id": 1}
    forged = _send(client, topic, body, webhook_id="w-1", secret="not-the-secret")
    assert (forged.status_code, forged.json()["code"]) == (401, "invalid_signature")
    assert not Webhook.objects.exists()

    first = _send(client, topic, body, webhook_id="w-1")
    replay = _send(client, topic, body, webhook_id="w-1")
    assert first.status_code == replay.status_code == 200
    assert (first.json()["duplicate"], replay.json()["duplicate"]) == (False, True)
    webhook = Webhook.objects.get()
    assert webhook.topic == topic and webhook.attempts == 1 and webhook.status != "received"


def test_a_tampered_body_or_a_missing_id_is_refused(client, shop):
    body = json.dumps({"id": 1}).encode()
    headers = shopify_standin.webhook_headers(SECRET, body, topic="orders/paid", shop=SHOP)
    headers.pop("Content-Type")
    tampered = client.post("/connectors/shopify/webhooks/", b'{"id": 2}',
                           content_type="application/json", headers=headers)  # fmt: skip
    assert tampered.status_code == 401
    del headers["X-Shopify-Webhook-Id"]
    missing = client.post("/connectors/shopify/webhooks/", body,
                          content_type="application/json", headers=headers)  # fmt: skip
    assert (missing.status_code, missing.json()["code"]) == (400, "malformed_request")
    assert not Webhook.objects.exists()


# --- Orders -----------------------------------------------------------------------------


def test_a_paid_order_becomes_active_contracts_paid_at_the_store(paid, merchant):
    paid(units=2)
    order = Order.objects.get()
    assert order.merchant_order_id == "shopify-820982911946154508"
    assert order.jurisdiction == "US-CA" and order.customer.email == "jon@example.com"
    contracts = list(Contract.objects.order_by("unit_index"))
    assert [c.state for c in contracts] == ["active", "active"]
    assert contracts[0].product_snapshot["title"] == "Phone 9"
    payment = Payment.objects.get()
    assert (payment.channel, payment.state, payment.stripe_payment_intent_id) == (
        "store", "succeeded", None)  # fmt: skip
    assert payment.store_reference == "shopify:820982911946154508"
    consents = ConsentRecord.objects.filter(kind="terms_acceptance").get()
    assert consents.source == "store_connector" and consents.ip_address == "203.0.113.7"
    assert ShopOrder.objects.get().lines == {"141249953214522974": 0, "866550311766439020": 0}
    events = ContractEvent.objects.filter(name="activate")
    assert events.count() == 2 and "Shopify order #9999" in events.first().actor_label
    # The sale is on the books as owed by the store, not as cash at Stripe.
    for sale in LedgerTransaction.objects.filter(kind="sale"):
        lines = {e.account.purpose: e.amount for e in sale.entries.select_related("account")}
        assert lines["store_receivable"] == 9_999 and "stripe_cash" not in lines
        assert sum(lines.values()) == 0 and sale.reference == "shopify:820982911946154508"


def test_an_order_replayed_under_a_new_id_or_already_cancelled_makes_no_new_contracts(
    paid, client, offer
):
    body = paid(units=1)
    again = _send(client, Topic.ORDERS_PAID, body, webhook_id="another-delivery")
    assert again.status_code == 200
    assert Contract.objects.count() == 1 and Order.objects.count() == 1
    cancelled = paid(order_id=5, units=1, cancelled_at="2026-12-01T17:00:00-05:00")
    assert cancelled["cancelled_at"] and Contract.objects.count() == 1
    assert Webhook.objects.get(webhook_id="paid-5").result == {"ignored": "the order was cancelled"}


def test_an_order_coverdesk_cannot_accept_is_refused_once_and_shown_to_its_merchant(
    client, shop, api, other_api
):
    body = payloads.order(7, offer_token="not-a-token", terms_sha256="0" * 64)
    assert _send(client, Topic.ORDERS_PAID, body, webhook_id="bad-offer").status_code == 200
    webhook = Webhook.objects.get()
    assert webhook.status == "rejected" and webhook.result["code"] == "offer_token_invalid"
    assert not Order.objects.exists()
    log = api.get("/api/v1/connectors/shopify/webhooks/", {"status": "rejected"}).json()
    assert [(w["webhook_id"], w["result"]["code"]) for w in log["results"]] == [
        ("bad-offer", "offer_token_invalid")
    ]
    assert other_api.get("/api/v1/connectors/shopify/webhooks/").json()["results"] == []
    wrong = api.get("/api/v1/connectors/shopify/webhooks/", {"status": "nope"})
    assert (wrong.status_code, wrong.json()["code"]) == (400, "invalid_filter")


def test_an_order_without_plans_or_from_an_unknown_shop_is_ignored(client, shop):
    plain = payloads.order(8, offer_token="", terms_sha256="")
    _send(client, Topic.ORDERS_PAID, plain, webhook_id="plain")
    _send(client, Topic.ORDERS_PAID, plain, webhook_id="stranger", shop="other.myshopify.com")
    results = dict(Webhook.objects.values_list("webhook_id", "result"))
    assert results == {
        "plain": {"ignored": "no protection plans in the order"},
        "stranger": {"ignored": "the shop is not connected"},
    }


# --- Refunds and cancellations ------------------------------------------------------------


def test_a_refund_of_returned_units_cancels_only_their_plans_with_a_full_refund(paid, client):
    paid(units=2)
    refund = payloads.refund(quantity=1)
    assert _send(client, Topic.REFUNDS_CREATE, refund, webhook_id="refund-1").status_code == 200
    assert _send(client, Topic.REFUNDS_CREATE, refund, webhook_id="refund-1").json()["duplicate"]
    states = sorted(Contract.objects.values_list("state", flat=True))
    assert states == ["active", "cancelled"]
    [paid_back] = Refund.objects.all()
    assert paid_back.amount == 9_999 and paid_back.state == "succeeded"  # inside the window
    assert paid_back.stripe_refund_id == ""  # the store paid its shopper back, not Stripe
    assert ProductReturn.objects.get().merchant_return_id == "shopify-refund-509562969-0"
    # The refund came off what the store owes.
    receivable = Entry.objects.filter(account__purpose="store_receivable").aggregate(
        t=Sum("amount")
    )
    assert receivable["t"] == 9_999 * 2 - 9_999


def test_a_refund_of_the_product_and_its_plan_together_counts_the_units_once(paid, client):
    paid(units=2)
    refund = payloads.refund(quantity=1)
    plan_line = {**refund["refund_line_items"][0], "line_item_id": 141249953214522974}
    refund["refund_line_items"].append(plan_line)
    _send(client, Topic.REFUNDS_CREATE, refund, webhook_id="refund-2")
    assert Contract.objects.filter(state="cancelled").count() == 1


def test_a_cancelled_order_cancels_every_plan_still_active(paid, client):
    body = paid(units=2)
    _send(client, Topic.REFUNDS_CREATE, payloads.refund(quantity=1), webhook_id="refund-3")
    cancelled = {**body, "cancelled_at": "2026-12-02T09:00:00-05:00"}
    _send(client, Topic.ORDERS_CANCELLED, cancelled, webhook_id="cancel-1")
    assert set(Contract.objects.values_list("state", flat=True)) == {"cancelled"}
    assert Refund.objects.count() == 2
    assert Webhook.objects.get(webhook_id="cancel-1").status == "processed"


def test_a_refund_of_an_order_without_plans_is_nothing_to_do(client, shop):
    _send(client, Topic.REFUNDS_CREATE, payloads.refund(order_id=404), webhook_id="r-404")
    assert Webhook.objects.get().result == {"ignored": "no plans were sold with this order"}


# --- Catalogue, uninstall, privacy ----------------------------------------------------------


def test_products_created_and_updated_keep_the_catalogue_in_step(client, shop, phones, merchant):
    _send(client, Topic.PRODUCTS_CREATE, payloads.product(), webhook_id="p-1")
    product = Product.objects.get(merchant=merchant)
    assert (product.sku, product.title, product.price, product.category_id, product.brand) == (
        "PHONE-10", "Phone 10", 89_900, "phones", "Acme")  # fmt: skip
    assert Webhook.objects.get().result["skipped"] == [
        {"sku": "PHONE-10-GOLD", "reason": "no price"}
    ]
    _send(client, Topic.PRODUCTS_UPDATE, payloads.product(price="849.00"), webhook_id="p-2")
    assert Product.objects.get(merchant=merchant).price == 84_900
    _send(client, Topic.PRODUCTS_CREATE, payloads.product(2, product_type="Sofas"),
          webhook_id="p-3")  # fmt: skip
    assert Product.objects.count() == 1
    assert "no category sofas" in Webhook.objects.get(webhook_id="p-3").result["ignored"]


def test_an_uninstall_erases_the_token_and_the_shop_stops_selling(paid, client, shop):
    _send(client, Topic.APP_UNINSTALLED, {"id": 548380009, "domain": SHOP}, webhook_id="bye")
    shop = Shop.objects.get(pk=shop.pk)
    assert (shop.state, shop.access_token) == ("uninstalled", "")
    paid(order_id=9, units=1)
    assert not Contract.objects.exists()


def test_a_customer_redaction_erases_the_stored_orders_and_a_data_request_lists_the_records(
    paid, client
):
    paid(units=1)
    paid(order_id=77, units=1, email="someone@example.com")
    request = payloads.customers_data_request([820982911946154508])
    _send(client, Topic.CUSTOMERS_DATA_REQUEST, request, webhook_id="dsr")
    answer = Webhook.objects.get(webhook_id="dsr").result
    assert answer["customer"] == "jon@example.com"
    assert answer["contracts"] == list(
        Contract.objects.filter(customer__email="jon@example.com").values_list("number", flat=True)
    )

    _send(client, Topic.CUSTOMERS_REDACT, payloads.customers_redact([820982911946154508]),
          webhook_id="redact")  # fmt: skip
    assert Webhook.objects.get(webhook_id="paid-820982911946154508").payload == {
        "redacted": True, "topic": "orders/paid"}  # fmt: skip
    assert Webhook.objects.get(webhook_id="redact").payload["redacted"] is True
    assert Webhook.objects.get(webhook_id="paid-77").payload["email"] == "someone@example.com"
    assert Contract.objects.count() == 2  # Coverdesk's own records are the privacy service's


def test_a_shop_redaction_erases_everything_stored_from_the_shop(paid, client, shop):
    paid(units=1)
    _send(client, Topic.SHOP_REDACT, payloads.shop_redact(), webhook_id="shop-gone")
    shop = Shop.objects.get(pk=shop.pk)
    assert shop.state == "redacted" and shop.access_token == ""
    stored = Webhook.objects.exclude(webhook_id="shop-gone").values_list("payload", flat=True)
    assert all(p.get("redacted") for p in stored)


def test_the_tokens_are_encrypted_under_the_configured_keys(settings):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    sealed = tokens.encrypt("shpat_secret")
    settings.ENCRYPTION_KEYS = [new, old]  # rotated: the new key first
    assert tokens.decrypt(sealed) == "shpat_secret"
    settings.ENCRYPTION_KEYS = [new]
    assert tokens.decrypt(sealed) == ""  # the old key retired: unreadable, not an error
    assert settings.SHOPIFY_API_SECRET == SECRET
