from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractState(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    FULFILLED = "fulfilled", _("Fulfilled")
    VOIDED = "voided", _("Voided")


class CancellationReason(models.TextChoices):
    CUSTOMER_REQUEST = "customer_request", _("The customer asked to cancel")
    PRODUCT_RETURNED = "product_returned", _("The product was returned to the merchant")
    STAFF = "staff", _("Cancelled by staff")
