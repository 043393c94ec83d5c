from django.db import models
from django.utils.translation import gettext_lazy as _


class ShopState(models.TextChoices):
    INSTALLED = "installed", _("Installed")
    UNINSTALLED = "uninstalled", _("Uninstalled")
    REDACTED = "redacted", _("Uninstalled and its data erased")


class WebhookStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Nothing to do")
    REJECTED = "rejected", _("Refused (see the error)")
    FAILED = "failed", _("Failed; will be retried")


class Topic(models.TextChoices):
    """The webhooks Coverdesk subscribes a shop to, and the three privacy webhooks every
    Shopify app must honour (set in the app's configuration, not per shop)."""

    ORDERS_PAID = "orders/paid", _("Order paid")
    ORDERS_CANCELLED = "orders/cancelled", _("Order cancelled")
    REFUNDS_CREATE = "refunds/create", _("Refund created")
    FULFILLMENTS_CREATE = "fulfillments/create", _("Fulfilment created")
    PRODUCTS_CREATE = "products/create", _("Product created")
    PRODUCTS_UPDATE = "products/update", _("Product updated")
    APP_UNINSTALLED = "app/uninstalled", _("App uninstalled")
    CUSTOMERS_DATA_REQUEST = "customers/data_request", _("Customer data request")
    CUSTOMERS_REDACT = "customers/redact", _("Customer redaction")
    SHOP_REDACT = "shop/redact", _("Shop redaction")


PRIVACY_TOPICS = frozenset(
    {Topic.CUSTOMERS_DATA_REQUEST, Topic.CUSTOMERS_REDACT, Topic.SHOP_REDACT}
)
# Subscribed per shop at install, through the Admin API.
SHOP_TOPICS = tuple(t for t in Topic if t not in PRIVACY_TOPICS)
