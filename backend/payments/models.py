from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.payments.choices import PaymentChannel, PaymentStatus, RefundState, StripeEventStatus


class Payment(ConcurrentTransitionMixin, models.Model):
    """The Stripe PaymentIntent that pays for an order. One per order; retries reuse it."""

    order = models.OneToOneField(
        "contracts.Order", on_delete=models.PROTECT, related_name="payment"
    )
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    idempotency_key = models.CharField(max_length=100, unique=True)
    stripe_payment_intent_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    client_secret = models.CharField(max_length=200, blank=True)
    state = FSMField(
        default=PaymentStatus.CREATING, choices=PaymentStatus.choices, protected=True, db_index=True
    )
    failure_message = models.CharField(max_length=300, blank=True)
    channel = models.CharField(
        max_length=10,
        choices=PaymentChannel.choices,
        default=PaymentChannel.STRIPE,
        db_default=PaymentChannel.STRIPE,
    )
    # The store's own reference of the payment (its order id), for a payment taken there.
    store_reference = models.CharField(max_length=100, blank=True, db_default="")
    # Stripe's dispute of the payment (a chargeback), which the ledger's chargebacks and
    # the daily reconciliation name.
    stripe_dispute_id = models.CharField(max_length=100, blank=True, db_default="")
    # Who is creating the PaymentIntent: set by the one caller that claims it (a conditional
    # UPDATE), so concurrent resends of an order never create a second intent. A claim older
    # than the Stripe timeout is stale (its process died) and may be taken over.
    intent_claimed_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.stripe_payment_intent_id or f"payment {self.pk}"

    @transition(field=state, source=PaymentStatus.CREATING, target=PaymentStatus.REQUIRES_PAYMENT)
    def attach_intent(self, *, payment_intent_id: str, client_secret: str):
        self.stripe_payment_intent_id = payment_intent_id
        self.client_secret = client_secret

    @transition(
        field=state,
        source=[PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.FAILED],
        target=PaymentStatus.SUCCEEDED,
    )
    def succeed(self, *, at):
        self.succeeded_at = at
        self.failure_message = ""

    @transition(field=state, source=PaymentStatus.CREATING, target=PaymentStatus.SUCCEEDED)
    def collect_at_store(self, *, at, reference: str):
        """Paid at the merchant's store: no PaymentIntent, the store's reference instead."""
        self.succeeded_at = at
        self.store_reference = reference[:100]

    @transition(
        field=state,
        source=[PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.FAILED],
        target=PaymentStatus.FAILED,
    )
    def fail(self, *, message: str):
        self.failure_message = message[:300]

    @transition(field=state, source=PaymentStatus.SUCCEEDED, target=PaymentStatus.REFUNDED)
    def refunded_in_full(self):
        pass

    @transition(
        field=state,
        source=[PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED],
        target=PaymentStatus.DISPUTED,
    )
    def dispute(self, *, dispute_id: str = ""):
        self.stripe_dispute_id = dispute_id or self.stripe_dispute_id


class StripeEvent(ConcurrentTransitionMixin, models.Model):
    """Every Stripe webhook event, stored once (the unique event id is the guard)."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    status = FSMField(
        default=StripeEventStatus.RECEIVED,
        choices=StripeEventStatus.choices,
        protected=True,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-received_at",)

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"

    _OPEN = [StripeEventStatus.RECEIVED, StripeEventStatus.FAILED]

    @transition(field=status, source=_OPEN, target=StripeEventStatus.PROCESSED)
    def process(self, *, at):
        self.attempts += 1
        self.processed_at = at
        self.error = ""

    @transition(field=status, source=_OPEN, target=StripeEventStatus.IGNORED)
    def ignore(self, *, at):
        self.attempts += 1
        self.processed_at = at

    @transition(field=status, source=_OPEN, target=StripeEventStatus.FAILED)
    def fail(self, *, error: str):
        self.attempts += 1
        self.error = error[:5000]


class Refund(ConcurrentTransitionMixin, models.Model):
    """Money going back for one cancelled contract: quoted, then paid once through Stripe."""

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.PROTECT, related_name="refund"
    )
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    quote = models.JSONField(help_text="The itemised arithmetic shown to the shopper.")
    idempotency_key = models.CharField(max_length=100, unique=True)
    stripe_refund_id = models.CharField(max_length=100, blank=True)
    state = FSMField(
        default=RefundState.PENDING, choices=RefundState.choices, protected=True, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set by the one worker paying it now (a conditional UPDATE); a claim older than the
    # Stripe timeout's margin belongs to a worker that died and is taken over.
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text="The jurisdiction's deadline to pay it back.")
    late_penalty_percent_per_month = models.PositiveSmallIntegerField(default=0)
    penalty_accrued = models.PositiveBigIntegerField(default=0)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"refund of {self.contract_id}: {self.amount} {self.currency} ({self.state})"

    @transition(
        field=state, source=[RefundState.PENDING, RefundState.FAILED], target=RefundState.SUCCEEDED
    )
    def succeed(self, *, stripe_refund_id: str, at):
        self.stripe_refund_id = stripe_refund_id
        self.succeeded_at = at
        self.failure_message = ""

    @transition(
        field=state, source=[RefundState.PENDING, RefundState.FAILED], target=RefundState.FAILED
    )
    def fail(self, *, message: str):
        self.failure_message = message[:300]
