from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.claims.choices import (
    OPEN_STATES,
    TAKEABLE_STATES,
    UNDECIDED_STATES,
    ClaimReason,
    ClaimState,
    EvidenceKind,
    MessageAuthor,
    PayoutMethod,
    Priority,
    ResolutionKind,
    ResolutionState,
)
from backend.common.actors import AuditEvent

S = ClaimState


class Claim(ConcurrentTransitionMixin, models.Model):
    """A shopper's request for the service their contract promises, worked by the desk.

    The state machine is DESIGN.md's: transitions only set fields; the services in
    ``claims/services.py`` lock the row, check who may act, record a ``ClaimEvent`` and queue
    the side effects (e-mail, fulfilment) after commit.
    """

    number = models.CharField(max_length=20, unique=True)
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="claims"
    )
    # Denormalised from the contract for the desk's queues and the shopper's scoping.
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="claims"
    )
    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="claims"
    )
    category = models.CharField(max_length=50, db_index=True)
    sku = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=30, choices=ClaimReason.choices)
    failure_date = models.DateField()
    description = models.TextField(max_length=5000)
    answers = models.JSONField(
        default=dict, blank=True, help_text="The guided questions and the shopper's answers."
    )
    serial_number = models.CharField(max_length=100, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    currency = models.CharField(max_length=3)
    claimed_amount = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="What the shopper asks for, in minor units, if known."
    )
    approved_amount = models.PositiveBigIntegerField(null=True, blank=True)
    requested_amount = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="An approval above the agent's limit, for a supervisor."
    )
    resolution_kind = models.CharField(max_length=20, choices=ResolutionKind.choices, blank=True)
    decision_note = models.TextField(blank=True)

    state = FSMField(default=S.SUBMITTED, choices=S.choices, protected=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # The queue order is (urgency, decision_due, id), all ascending, so a keyset page is one
    # index range scan: (urgency, decision_due, id) > (the last row's), whatever the depth.
    urgency = models.GeneratedField(
        expression=Value(Priority.URGENT) - F("priority"),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_claims",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    fraud_flags = models.JSONField(default=list, blank=True)

    # SLA clocks (claims/sla.py): due times set at filing; breaches found by a periodic task.
    first_response_due = models.DateTimeField()
    decision_due = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    sla_breached_at = models.DateTimeField(null=True, blank=True)
    awaiting_since = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    csat_score = models.PositiveSmallIntegerField(null=True, blank=True)
    csat_comment = models.TextField(blank=True, max_length=2000)
    csat_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)  # the SLA clocks start here
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            # The desk's queues: open claims in queue order (highest priority, soonest due,
            # oldest); and take-next's candidates, the unassigned ones waiting for the desk.
            models.Index(
                fields=["urgency", "decision_due", "id"],
                condition=models.Q(state__in=OPEN_STATES),
                name="claim_open_queue",
            ),
            models.Index(
                fields=["urgency", "decision_due", "id"],
                condition=models.Q(state__in=TAKEABLE_STATES, assignee__isnull=True),
                name="claim_takeable",
            ),
            models.Index(fields=["assignee", "state"], name="claim_assignee_state"),
            models.Index(fields=["customer", "created_at"], name="claim_customer_created"),
            models.Index(fields=["merchant", "state"], name="claim_merchant_state"),
        ]

    def __str__(self) -> str:
        return self.number

    # --- Transitions: they set fields; services do the rest ------------------------------

    @transition(field=state, source=[S.SUBMITTED, S.APPEALED], target=S.IN_REVIEW)
    def start_review(self):
        pass

    @transition(field=state, source=S.IN_REVIEW, target=S.AWAITING_CUSTOMER)
    def ask_customer(self, *, at):
        self.awaiting_since = at
        self.reminders_sent = 0

    @transition(field=state, source=S.AWAITING_CUSTOMER, target=S.IN_REVIEW)
    def customer_replied(self):
        self.awaiting_since = None

    @transition(field=state, source=S.IN_REVIEW, target=S.APPROVED)
    def approve(self, *, amount: int, kind: str, note: str, at):
        self.approved_amount = amount
        self.resolution_kind = kind
        self.decision_note = note
        self.decided_at = at

    @transition(field=state, source=S.IN_REVIEW, target=S.PENDING_APPROVAL)
    def request_approval(self, *, amount: int, kind: str, note: str):
        self.requested_amount = amount
        self.resolution_kind = kind
        self.decision_note = note

    @transition(field=state, source=S.PENDING_APPROVAL, target=S.APPROVED)
    def supervisor_approve(self, *, amount: int, note: str, at):
        self.approved_amount = amount
        self.decision_note = note or self.decision_note
        self.decided_at = at

    @transition(field=state, source=[S.IN_REVIEW, S.PENDING_APPROVAL], target=S.DENIED)
    def deny(self, *, note: str, at):
        self.decision_note = note
        self.decided_at = at

    @transition(field=state, source=S.DENIED, target=S.APPEALED)
    def appeal(self):
        self.decided_at = None

    @transition(field=state, source=S.APPROVED, target=S.IN_FULFILLMENT)
    def fulfil(self):
        pass

    @transition(field=state, source=S.IN_FULFILLMENT, target=S.RESOLVED)
    def resolve(self, *, at):
        self.resolved_at = at

    @transition(field=state, source=[S.RESOLVED, S.DENIED, S.AWAITING_CUSTOMER], target=S.CLOSED)
    def close(self, *, at):
        self.closed_at = at
        self.awaiting_since = None

    @transition(field=state, source=list(UNDECIDED_STATES), target=S.WITHDRAWN)
    def withdraw(self, *, at):
        self.closed_at = at
        self.awaiting_since = None


class ClaimEvent(AuditEvent):
    """The audit trail: every transition and every desk action, with who, when and why."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")

    class Meta(AuditEvent.Meta):
        indexes = [models.Index(fields=["claim", "created_at"])]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.name}"


class ClaimMessage(models.Model):
    """A message on a claim. Customer-visible messages and the desk's internal notes share
    the table and never the audience: ``internal`` notes are never shown to the shopper."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=10, choices=MessageAuthor.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    internal = models.BooleanField(default=False)
    body = models.TextField(max_length=10_000)
    canned_response = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["claim", "internal", "created_at"])]

    def __str__(self) -> str:
        return f"{'note' if self.internal else 'message'} on {self.claim_id}"


def evidence_path(instance, filename: str) -> str:
    # The stored name never comes from the upload: its sha256 and the sniffed type.
    return f"claims/{instance.claim.number}/{instance.sha256[:24]}.{instance.extension}"


def evidence_thumbnail_path(instance, filename: str) -> str:
    return f"claims/{instance.claim.number}/{instance.sha256[:24]}-thumbnail.jpg"


class ClaimEvidence(models.Model):
    """A photo or receipt, accepted by its content (decoded, not by its name), with image
    metadata stripped before it is stored."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    file = models.FileField(upload_to=evidence_path, max_length=200)
    thumbnail = models.FileField(
        upload_to=evidence_thumbnail_path,
        max_length=200,
        blank=True,
        help_text="A JPEG of at most 480 pixels a side, for photos (none for PDFs).",
    )
    content_type = models.CharField(max_length=50)
    extension = models.CharField(max_length=5)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.CharField(max_length=10, choices=MessageAuthor.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(fields=["claim", "sha256"], name="evidence_once_per_claim")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.claim_id}"


class RepairPartner(models.Model):
    """A repair shop the desk sends service orders to."""

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    categories = models.JSONField(default=list, blank=True, help_text="Category slugs served.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class ClaimResolution(models.Model):
    """How an approved claim is fulfilled: one per claim (idempotent by construction).

    repair: a service order with a partner; replace: a replacement order with the merchant;
    reimburse: a payout; store_credit: a merchant credit code. The shopper sees all of it.
    """

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="resolution")
    kind = models.CharField(max_length=20, choices=ResolutionKind.choices)
    state = FSMField(
        default=ResolutionState.ORDERED, choices=ResolutionState.choices, protected=True
    )
    amount = models.PositiveBigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    reference = models.CharField(
        max_length=100, unique=True, help_text="Service order, replacement order or payout id."
    )
    partner = models.ForeignKey(
        RepairPartner, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    carrier = models.CharField(max_length=50, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    payout_method = models.CharField(max_length=20, choices=PayoutMethod.choices, blank=True)
    payout_reference = models.CharField(max_length=100, blank=True)
    credit_code = models.CharField(max_length=40, blank=True)
    credit_expires_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="store_credit_code_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"

    @transition(field=state, source=ResolutionState.ORDERED, target=ResolutionState.IN_PROGRESS)
    def start(self):
        pass

    @transition(
        field=state,
        source=[ResolutionState.ORDERED, ResolutionState.IN_PROGRESS],
        target=ResolutionState.SHIPPED,
    )
    def ship(self, *, carrier: str, tracking_number: str):
        self.carrier = carrier
        self.tracking_number = tracking_number

    @transition(
        field=state,
        source=[ResolutionState.ORDERED, ResolutionState.IN_PROGRESS, ResolutionState.SHIPPED],
        target=ResolutionState.COMPLETED,
    )
    def complete(self, *, at):
        self.completed_at = at


class SlaPolicy(models.Model):
    """Targets for the desk, per plan or per merchant (the most specific applies; without
    one, settings.CLAIMS_SLA_DEFAULT). Hours are wall-clock hours."""

    plan = models.OneToOneField(
        "plans.Plan", null=True, blank=True, on_delete=models.CASCADE, related_name="sla"
    )
    merchant = models.OneToOneField(
        "merchants.Merchant", null=True, blank=True, on_delete=models.CASCADE, related_name="sla"
    )
    first_response_hours = models.PositiveIntegerField()
    decision_hours = models.PositiveIntegerField()

    class Meta:
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(plan__isnull=False, merchant__isnull=True)
                | models.Q(plan__isnull=True, merchant__isnull=False),
                name="sla_for_a_plan_or_a_merchant",
            )
        ]

    def __str__(self) -> str:
        target = self.plan or self.merchant
        return f"SLA for {target}: {self.first_response_hours} h / {self.decision_hours} h"


class DeskProfile(models.Model):
    """A desk user's approval limit, per currency in minor units. An agent's approval above
    it goes to a supervisor; a supervisor cannot approve above their own."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_profile"
    )
    approval_limits = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"desk profile of {self.user}"


class DeskQueue(models.Model):
    """A saved filter over the claims, shared by the desk (``claims/queues.py`` validates
    its filters)."""

    name = models.CharField(max_length=100, unique=True)
    filters = models.JSONField(default=dict)
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("position", "name")

    def __str__(self) -> str:
        return self.name


class CannedResponse(models.Model):
    """A reply template, per language, with placeholders ({{ first_name }}, {{ claim }},
    {{ product }}, {{ agent }}, ...). Written the way the desk should talk: by name, with an
    apology where one is owed, the plan of action, and a question whether it solves it."""

    code = models.SlugField(max_length=50)
    language = models.CharField(max_length=10)
    title = models.CharField(max_length=100)
    body = models.TextField()

    class Meta:
        ordering = ("code", "language")
        constraints = [
            models.UniqueConstraint(fields=["code", "language"], name="canned_once_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.language})"
