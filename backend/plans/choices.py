from django.db import models
from django.utils.translation import gettext_lazy as _


class Coverage(models.TextChoices):
    BASE = "base", _("Mechanical and electrical breakdown")
    ADH = "adh", _("Breakdown plus accidental damage from handling")


class ServiceType(models.TextChoices):
    REPAIR = "repair", _("Repair")
    REPLACE = "replace", _("Replacement")
    REIMBURSE = "reimburse", _("Reimbursement")


class CoverageStarts(models.TextChoices):
    IMMEDIATE = "immediate", _("On the purchase date")
    AFTER_MANUFACTURER_WARRANTY = (
        "after_manufacturer_warranty",
        _("When the manufacturer's warranty ends"),
    )


class Backing(models.TextChoices):
    """How the provider's obligations are funded (COMPLIANCE.md §3, NY 7905(b)/(c))."""

    INSURED = "insured", _("Insured by a reimbursement insurance policy")
    FULL_FAITH_AND_CREDIT = "full_faith_and_credit", _("Full faith and credit of the provider")


class Clawback(models.TextChoices):
    """How much of the merchant's commission a refund takes back (plans.split.clawback)."""

    FULL = "full", _("All of it")
    PRO_RATA = "pro_rata", _("Pro rata to the refund")
    NONE = "none", _("None")
