from django.db import models
from django.utils.translation import gettext_lazy as _


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    TWICE_MONTHLY = "twice_monthly", _("Twice a month (1st and 16th)")


class StatementState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class PayoutState(models.TextChoices):
    DUE = "due", _("Due")  # waiting to be paid, or to be tried again
    PAID = "paid", _("Paid")


class LineCategory(models.TextChoices):
    COMMISSION = "commission", _("Commission earned")
    CLAWBACK = "clawback", _("Commission clawed back")
    ADJUSTMENT = "adjustment", _("Adjustment")
    PAYOUT = "payout", _("Payout")


class PayoutMethod(models.TextChoices):
    SEPA = "sepa", _("Bank transfer (ISO 20022 pain.001)")
    NACHA = "nacha", _("ACH transfer (NACHA file)")
    CONNECT = "connect", _("Stripe Connect transfer")


class ClaimPayoutState(models.TextChoices):
    AWAITING_DETAILS = "awaiting_details", _("Waiting for bank details")
    DUE = "due", _("Due")
    IN_FILE = "in_file", _("In a payment file")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected by the bank")


class PayoutFileState(models.TextChoices):
    CREATED = "created", _("Created: to upload to the bank")
    READ_BACK = "read_back", _("Status read back")
