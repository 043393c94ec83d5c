from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.connectors.shopify.choices import ShopState, Topic, WebhookStatus


class Shop(models.Model):
    """A Shopify store connected to one merchant: its Admin API token, kept encrypted
    (``tokens``), and whether the app is installed there now."""

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="shopify_shops"
    )
    domain = models.CharField(max_length=255, unique=True)  # {name}.myshopify.com
    access_token = models.TextField(blank=True, help_text="Encrypted (Fernet); empty once gone.")
    scopes = models.CharField(max_length=500, blank=True)
    state = FSMField(default=ShopState.INSTALLED, choices=ShopState.choices, protected=True)
    webhooks_registered = models.JSONField(default=list, blank=True)
    installed_at = models.DateTimeField()
    uninstalled_at = models.DateTimeField(null=True, blank=True)
    redacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("domain",)

    def __str__(self) -> str:
        return self.domain

    @transition(field=state, source=[ShopState.INSTALLED, ShopState.UNINSTALLED],
                target=ShopState.INSTALLED)  # fmt: skip
    def install(self, *, merchant, access_token: str, scopes: str, at):
        self.merchant = merchant
        self.access_token = access_token
        self.scopes = scopes
        self.installed_at = at
        self.uninstalled_at = None

    @transition(field=state, source=ShopState.INSTALLED, target=ShopState.UNINSTALLED)
    def uninstall(self, *, at):
        self.access_token = ""
        self.uninstalled_at = at

    @transition(field=state, source=[ShopState.INSTALLED, ShopState.UNINSTALLED],
                target=ShopState.REDACTED)  # fmt: skip
    def redact(self, *, at):
        self.access_token = ""
        self.redacted_at = at


class InstallRequest(models.Model):
    """An install a merchant started: the OAuth ``state`` nonce that ties Shopify's
    callback to the merchant, used once and only for a few minutes."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="+")
    domain = models.CharField(max_length=255)
    nonce = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"install of {self.domain}"


class Webhook(ConcurrentTransitionMixin, models.Model):
    """Every Shopify webhook received, stored once by Shopify's webhook id (a redelivery
    is a no-op) and processed asynchronously, in one transaction with its outcome."""

    webhook_id = models.CharField(max_length=100, unique=True)
    topic = models.CharField(max_length=50, choices=Topic.choices)
    domain = models.CharField(max_length=255, db_index=True)
    shop = models.ForeignKey(
        Shop, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhooks"
    )
    api_version = models.CharField(max_length=20, blank=True)
    triggered_at = models.DateTimeField(null=True, blank=True)
    payload = models.JSONField()
    status = FSMField(
        default=WebhookStatus.RECEIVED,
        choices=WebhookStatus.choices,
        protected=True,
        db_index=True,
    )
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-received_at",)

    def __str__(self) -> str:
        return f"{self.topic} {self.webhook_id}"

    _OPEN = [WebhookStatus.RECEIVED, WebhookStatus.FAILED]

    @transition(field=status, source=_OPEN, target=WebhookStatus.PROCESSED)
    def process(self, *, at, result: dict):
        self.attempts += 1
        self.processed_at = at
        self.result = result
        self.error = ""

    @transition(field=status, source=_OPEN, target=WebhookStatus.IGNORED)
    def ignore(self, *, at, reason: str):
        self.attempts += 1
        self.processed_at = at
        self.result = {"ignored": reason}

    @transition(field=status, source=_OPEN, target=WebhookStatus.REJECTED)
    def reject(self, *, at, code: str, message: str):
        """The store sent what Coverdesk cannot accept (an expired offer, say): kept for
        the merchant to see, never retried."""
        self.attempts += 1
        self.processed_at = at
        self.result = {"code": code}
        self.error = message[:5000]

    @transition(field=status, source=_OPEN, target=WebhookStatus.FAILED)
    def fail(self, *, error: str):
        self.attempts += 1
        self.error = error[:5000]


class ShopOrder(models.Model):
    """A Shopify order that bought plans: which Coverdesk order it became, and which of its
    line items are which order line (the plan's, and the product it covers), so that the
    store's refunds find the plans they concern."""

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="orders")
    shopify_order_id = models.CharField(max_length=30)
    order = models.OneToOneField(
        "contracts.Order", on_delete=models.PROTECT, related_name="shopify_order"
    )
    # {line item id: order line position}: the plans' line items and the products' both.
    lines = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "shopify_order_id"], name="shopify_order_unique_per_shop"
            )
        ]

    def __str__(self) -> str:
        return f"{self.shop} order {self.shopify_order_id}"
