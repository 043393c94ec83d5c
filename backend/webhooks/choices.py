from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEventType(models.TextChoices):
    CONTRACT_ACTIVATED = "contract.activated", _("Contract activated")
    CONTRACT_CANCELLED = "contract.cancelled", _("Contract cancelled")
    CONTRACT_EXPIRED = "contract.expired", _("Contract expired")
    CONTRACT_VOIDED = "contract.voided", _("Contract voided")
    CLAIM_FILED = "claim.filed", _("Claim filed")
    CLAIM_INFO_REQUESTED = "claim.info_requested", _("Claim waiting for the shopper's answer")
    CLAIM_APPROVED = "claim.approved", _("Claim approved")
    CLAIM_DENIED = "claim.denied", _("Claim denied")
    CLAIM_FULFILLED = "claim.fulfilled", _("Claim being fulfilled")
    CLAIM_CLOSED = "claim.closed", _("Claim closed")
    WEBHOOK_TEST = "webhook.test", _("Test event sent from the merchant console")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    RETRYING = "retrying", _("Failed; will be retried")
    EXHAUSTED = "exhausted", _("Gave up after the last retry")
