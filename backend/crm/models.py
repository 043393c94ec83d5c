"""CRM: tags and the rules that apply them, segments, exports, leads and offer analytics.

A customer's *current* tags are ``CustomerTag`` rows (one per customer and tag); every change
to them is a ``TagChange`` row, never updated or deleted, so a tag's whole history is kept.
"""

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.common.actors import AuditEvent
from backend.crm.choices import (
    Channel,
    ExportFormat,
    ExportState,
    LeadState,
    OfferEventKind,
    TagAction,
    TagSource,
    Trigger,
)


class Tag(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("slug",)

    def __str__(self) -> str:
        return self.slug


class TagRule(models.Model):
    """Data, not code: on ``trigger``, a customer matching ``conditions`` gets ``tag``
    (for ``expires_after_days``, or for good). Conditions are validated by
    ``backend.crm.rules.validate_conditions`` for the trigger."""

    name = models.CharField(max_length=200)
    trigger = models.CharField(max_length=40, choices=Trigger.choices, db_index=True)
    conditions = models.JSONField(default=dict, blank=True)
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="rules")
    expires_after_days = models.PositiveSmallIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("trigger", "name")

    def __str__(self) -> str:
        return self.name


class CustomerTag(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="tags"
    )
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="customer_tags")
    source = models.CharField(max_length=20, choices=TagSource.choices)
    rule = models.ForeignKey(
        TagRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "tag"], name="customer_tag_once")
        ]
        indexes = [
            models.Index(fields=["tag", "customer"], name="customertag_tag_customer"),
            models.Index(
                fields=["expires_at"],
                condition=models.Q(expires_at__isnull=False),
                name="customertag_expiring",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.tag_id}"


class TagChange(models.Model):
    """One change to a customer's tags: who or what made it, and why. Append-only."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="tag_changes"
    )
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(max_length=20, choices=TagAction.choices)
    source = models.CharField(max_length=20, choices=TagSource.choices)
    rule = models.ForeignKey(
        TagRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    # The event that caused it ("claim_filed:123"): a duplicate delivery of the same event
    # hits the unique constraint below and tags nothing twice.
    event_key = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "tag", "customer"],
                condition=~models.Q(event_key=""),
                name="tagchange_event_once",
            )
        ]
        indexes = [models.Index(fields=["customer", "-created_at"], name="tagchange_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.tag_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Tag history is append-only.")
        super().save(*args, **kwargs)


class Segment(models.Model):
    """A saved audience: its definition is validated by ``backend.crm.segments``."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    definition = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


def export_path(job, filename: str) -> str:
    return f"exports/{job.created_at:%Y/%m}/{filename}"


class ExportJob(ConcurrentTransitionMixin, models.Model):
    """One export of a segment to a file, and its audit record: who asked, the exact
    definition used, the channel whose consent it enforced, the rows and the file's
    sha256. The file is deleted after ``CRM_EXPORT_RETENTION_DAYS``; the record stays."""

    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="exports"
    )
    definition = models.JSONField(help_text="The segment definition as exported.")
    format = models.CharField(max_length=20, choices=ExportFormat.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    state = FSMField(default=ExportState.QUEUED, choices=ExportState.choices, protected=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    rows_written = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"export {self.pk} ({self.format}, {self.state})"

    @transition(field=state, source=ExportState.QUEUED, target=ExportState.RUNNING)
    def start(self, *, at, total_rows: int):
        self.started_at = at
        self.total_rows = total_rows

    @transition(field=state, source=ExportState.RUNNING, target=ExportState.RUNNING)
    def restart(self, *, at, total_rows: int):
        """The worker died mid-file (the task is delivered again): start the file over."""
        self.started_at = at
        self.total_rows = total_rows
        self.rows_written = 0

    @transition(field=state, source=ExportState.RUNNING, target=ExportState.DONE)
    def finish(self, *, at, rows: int, size: int, sha256: str):
        self.finished_at = at
        self.rows_written = rows
        self.size = size
        self.sha256 = sha256

    @transition(
        field=state, source=[ExportState.QUEUED, ExportState.RUNNING], target=ExportState.FAILED
    )
    def fail(self, *, at, error: str):
        self.finished_at = at
        self.error = error[:2000]

    @transition(
        field=state, source=[ExportState.DONE, ExportState.FAILED], target=ExportState.PURGED
    )
    def purge(self, *, at):
        self.purged_at = at


class ExportDownload(models.Model):
    """Every download of an export file: the signed link's holder, when and from where."""

    job = models.ForeignKey(ExportJob, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"download of export {self.job_id}"


class Lead(ConcurrentTransitionMixin, models.Model):
    """A product bought without a plan, inside the plans' buying window: a post-purchase
    offer. Its signed token opens the landing page; buying consumes its quantity."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="leads"
    )
    merchant_order_id = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()
    product = models.JSONField(help_text="sku, title, category, price, currency.")
    category = models.CharField(max_length=50)
    jurisdiction = models.CharField(max_length=6)
    quantity = models.PositiveSmallIntegerField()
    quantity_consumed = models.PositiveSmallIntegerField(default=0)
    purchased_at = models.DateTimeField()
    window_ends_at = models.DateTimeField()
    state = FSMField(default=LeadState.OPEN, choices=LeadState.choices, protected=True)
    offer_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "merchant_order_id", "position"], name="lead_once_per_line"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_consumed__lte=models.F("quantity")),
                name="lead_consumed_within_quantity",
            ),
        ]
        indexes = [models.Index(fields=["state", "window_ends_at"], name="lead_open_window")]

    def __str__(self) -> str:
        return f"lead {self.merchant_order_id}#{self.position}"

    @property
    def quantity_left(self) -> int:
        return self.quantity - self.quantity_consumed

    @transition(field=state, source=LeadState.OPEN, target=LeadState.OPEN)
    def consume(self, *, quantity: int):
        """Plans bought for ``quantity`` more units, some units still uncovered."""
        self.quantity_consumed += quantity

    @transition(field=state, source=LeadState.OPEN, target=LeadState.CONVERTED)
    def convert(self, *, quantity: int):
        """Plans bought for the last uncovered units."""
        self.quantity_consumed += quantity

    @transition(field=state, source=LeadState.OPEN, target=LeadState.EXPIRED)
    def expire(self):
        """The plans' buying window closed."""


class LeadEvent(AuditEvent):
    """A lead's audit trail: each purchase through it and its expiry, with who and why."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")

    class Meta(AuditEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.lead_id} {self.name}: {self.from_state} -> {self.to_state}"


class OfferStat(models.Model):
    """Offer analytics, one row per day, merchant, plan, category and kind, counted up in
    place (``INSERT ... ON CONFLICT DO UPDATE``): impressions never grow a table per view."""

    day = models.DateField()
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="+")
    plan_code = models.CharField(max_length=60)
    category = models.CharField(max_length=50)
    kind = models.CharField(max_length=20, choices=OfferEventKind.choices)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "merchant", "plan_code", "category", "kind"], name="offerstat_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.plan_code} {self.kind} {self.count}"
