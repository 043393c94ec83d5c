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
