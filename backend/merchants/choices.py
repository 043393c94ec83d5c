from django.db import models
from django.utils.translation import gettext_lazy as _


class ReturnsAfterWindow(models.TextChoices):
    """What a product returned after the merchant's return window does to its plan."""

    CANCEL = "cancel", _("Cancel the plan with the ordinary refund")
    KEEP = "keep", _("Keep the plan")


class InviteState(models.TextChoices):
    PENDING = "pending", _("Waiting to be accepted")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
