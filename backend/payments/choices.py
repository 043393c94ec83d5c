from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    CREATING = "creating", _("Creating the payment at Stripe")
    REQUIRES_PAYMENT = "requires_payment", _("Waiting for the shopper to pay")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Payment failed; can be retried")
    REFUNDED = "refunded", _("Refunded in full")
    DISPUTED = "disputed", _("Disputed")


class PaymentChannel(models.TextChoices):
    """Who takes the shopper's money: Coverdesk through Stripe, or the merchant's own store
    checkout (a store connector), which then owes Coverdesk the price less its commission
    and pays the shopper's refunds back itself."""

    STRIPE = "stripe", _("Through Stripe")
    STORE = "store", _("At the merchant's store")


class RefundState(models.TextChoices):
    PENDING = "pending", _("To be paid")
    SUCCEEDED = "succeeded", _("Paid back")
    FAILED = "failed", _("Failed; will be retried")


class StripeEventStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored (type not handled)")
    FAILED = "failed", _("Failed")
