from django.db import models
from django.utils.translation import gettext_lazy as _


class ClaimState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    AWAITING_CUSTOMER = "awaiting_customer", _("Waiting for you")
    PENDING_APPROVAL = "pending_approval", _("Awaiting a supervisor's approval")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    APPEALED = "appealed", _("Appealed")
    IN_FULFILLMENT = "in_fulfillment", _("Being fulfilled")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Where a claim is still waiting for the desk (it counts in the backlog and its SLA runs).
OPEN_STATES = (
    ClaimState.SUBMITTED,
    ClaimState.IN_REVIEW,
    ClaimState.AWAITING_CUSTOMER,
    ClaimState.PENDING_APPROVAL,
    ClaimState.APPEALED,
    ClaimState.APPROVED,
    ClaimState.IN_FULFILLMENT,
)
# What take-next hands out (when nobody has it yet).
TAKEABLE_STATES = (ClaimState.SUBMITTED, ClaimState.IN_REVIEW, ClaimState.APPEALED)
# Before a decision: the shopper may withdraw, and the decision SLA runs.
UNDECIDED_STATES = (
    ClaimState.SUBMITTED,
    ClaimState.IN_REVIEW,
    ClaimState.AWAITING_CUSTOMER,
    ClaimState.PENDING_APPROVAL,
    ClaimState.APPEALED,
)


class ClaimReason(models.TextChoices):
    MECHANICAL_FAILURE = "mechanical_failure", _("Mechanical or electrical failure")
    ACCIDENTAL_DAMAGE = "accidental_damage", _("Accidental damage")
    POWER_SURGE = "power_surge", _("Power surge")
    COSMETIC = "cosmetic", _("Cosmetic damage")
    LOST = "lost", _("Lost")
    STOLEN = "stolen", _("Stolen")
    OTHER = "other", _("Other")


# How the portal asks the shopper what happened, in their words rather than the desk's.
SHOPPER_REASON_WORDING = {
    ClaimReason.MECHANICAL_FAILURE: _("It stopped working (breakdown)"),
    ClaimReason.ACCIDENTAL_DAMAGE: _("Accidental damage (drop, spill)"),
    ClaimReason.POWER_SURGE: _("Power surge"),
    ClaimReason.COSMETIC: _("Cosmetic damage"),
    ClaimReason.LOST: _("Lost"),
    ClaimReason.STOLEN: _("Stolen"),
    ClaimReason.OTHER: _("Something else"),
}

# Reasons only a plan with accidental damage cover (``adh``) pays for.
ACCIDENTAL_REASONS = frozenset({ClaimReason.ACCIDENTAL_DAMAGE})


class Priority(models.IntegerChoices):
    LOW = 0, _("Low")
    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")
    URGENT = 3, _("Urgent")


class ResolutionKind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    REPLACE = "replace", _("Replacement")
    REIMBURSE = "reimburse", _("Reimbursement")
    STORE_CREDIT = "store_credit", _("Store credit")


class ResolutionState(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    IN_PROGRESS = "in_progress", _("In progress")
    SHIPPED = "shipped", _("Shipped")
    COMPLETED = "completed", _("Completed")


class PayoutMethod(models.TextChoices):
    ORIGINAL_PAYMENT = "original_payment", _("Refund to the original card")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CHECK = "check", _("Check")


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    RECEIPT = "receipt", _("Receipt")


class MessageAuthor(models.TextChoices):
    SHOPPER = "shopper", _("You")
    DESK = "desk", _("Warranty desk")
    SYSTEM = "system", _("Coverdesk")


class FraudFlag(models.TextChoices):
    REPEAT_CONTRACT = "repeat_contract", _("Earlier claims on this contract")
    REPEAT_SERIAL = "repeat_serial", _("This serial number was claimed before")
    SOON_AFTER_PURCHASE = "soon_after_purchase", _("Filed soon after purchase")
    MANY_CLAIMS = "many_claims", _("Many claims by this customer")
    OVER_LIMIT = "over_limit", _("Amount over the remaining limit")
    NAME_MISMATCH = "name_mismatch", _("Name differs from the contract holder's")
