from django.db import models
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    """What a tag rule listens to: an event (tagged after the event's commit, in a task) or
    a time-based condition (recomputed for every customer at once, periodically)."""

    PLAN_BOUGHT = "plan_bought", _("Plan bought")
    OFFER_DECLINED = "offer_declined", _("Offer declined")
    CLAIM_FILED = "claim_filed", _("Claim filed")
    CLAIM_APPROVED = "claim_approved", _("Claim approved")
    CLAIM_DENIED = "claim_denied", _("Claim denied")
    CLAIM_RATED = "claim_rated", _("Claim rated (CSAT)")
    CONTRACT_CANCELLED = "contract_cancelled", _("Contract cancelled")
    CONTRACT_EXPIRING = "contract_expiring", _("Contract expiring (time-based)")
    CONTRACT_EXPIRED_UNRENEWED = (
        "contract_expired_unrenewed",
        _("Contract expired without renewal (time-based)"),
    )
    LIFETIME_VALUE = "lifetime_value", _("Lifetime value at least (time-based)")


EVENT_TRIGGERS = frozenset(
    {
        Trigger.PLAN_BOUGHT,
        Trigger.OFFER_DECLINED,
        Trigger.CLAIM_FILED,
        Trigger.CLAIM_APPROVED,
        Trigger.CLAIM_DENIED,
        Trigger.CLAIM_RATED,
        Trigger.CONTRACT_CANCELLED,
    }
)
TIME_TRIGGERS = frozenset(
    {Trigger.CONTRACT_EXPIRING, Trigger.CONTRACT_EXPIRED_UNRENEWED, Trigger.LIFETIME_VALUE}
)


class TagSource(models.TextChoices):
    RULE = "rule", _("Rule, on an event")
    RECOMPUTE = "recompute", _("Rule, recomputed")
    MANUAL = "manual", _("By hand")


class TagAction(models.TextChoices):
    ADDED = "added", _("Added")
    EXTENDED = "extended", _("Expiry extended")
    REMOVED = "removed", _("Removed")
    EXPIRED = "expired", _("Expired")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class ExportFormat(models.TextChoices):
    GENERIC = "generic", _("CSV")
    MAILCHIMP = "mailchimp", _("Mailchimp import")
    KLAVIYO = "klaviyo", _("Klaviyo import")
    HUBSPOT = "hubspot", _("HubSpot import")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    PURGED = "purged", _("File deleted")


class LeadState(models.TextChoices):
    OPEN = "open", _("Open")
    CONVERTED = "converted", _("Bought")
    EXPIRED = "expired", _("Window closed")


class OfferEventKind(models.TextChoices):
    IMPRESSION = "impression", _("Shown")
    DECLINE = "decline", _("Declined")
    CONVERSION = "conversion", _("Bought")
