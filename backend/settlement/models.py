"""Merchant settlement: how each merchant is paid, its statements per period, and the
payouts that pay them (docs/ARCHITECTURE.md, "Settlement")."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.settlement.choices import Cadence, LineCategory, PayoutState, StatementState


class MerchantSettlement(models.Model):
    """A merchant's terms of payment and its Stripe connected account (Express), whose
    flags are refreshed from Stripe whenever a payout or the merchant asks."""

    merchant = models.OneToOneField(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="settlement"
    )
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.MONTHLY)
    minimum_payout = models.PositiveBigIntegerField(
        default=0, help_text=_("Minor units: a smaller balance is carried to the next period.")
    )
    stripe_account_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    transfers_active = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"settlement of {self.merchant_id}"


class Statement(ConcurrentTransitionMixin, models.Model):
    """What a merchant earned and was paid in one period and currency. Open while the
    period runs; closed once, after which nothing in it changes: a late event belongs to
    the next period's statement."""

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="statements"
    )
    currency = models.CharField(max_length=3)
    cadence = models.CharField(max_length=20, choices=Cadence.choices)
    period_start = models.DateField()
    period_end = models.DateField(help_text=_("The first day after the period."))
    state = FSMField(default=StatementState.OPEN, choices=StatementState.choices, protected=True)
    language = models.CharField(max_length=10, default="en")
    # Owed to the merchant, in minor units: positive is owed to it. Gross sales and refunds
    # are the shoppers' amounts behind its commission and clawbacks.
    opening_balance = models.BigIntegerField(default=0)
    sales = models.BigIntegerField(default=0)
    refunds = models.BigIntegerField(default=0)
    commission = models.BigIntegerField(default=0)
    clawbacks = models.BigIntegerField(default=0)
    adjustments = models.BigIntegerField(default=0)
    payouts = models.BigIntegerField(default=0)
    closing_balance = models.BigIntegerField(default=0)
    lines_count = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-period_start", "currency")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "currency", "period_start"], name="statement_unique_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")),
                name="statement_period_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.currency} {self.period_start}..{self.period_end}"

    @property
    def number(self) -> str:
        return f"ST-{self.merchant_id}-{self.currency}-{self.period_start:%Y%m%d}"

    @transition(field=state, source=StatementState.OPEN, target=StatementState.CLOSED)
    def close(self, *, at, totals: dict):
        for name, value in totals.items():
            setattr(self, name, value)
        self.closed_at = at


class StatementLine(models.Model):
    """One ledger entry on the merchant's account, in the one statement that covers it."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    entry = models.OneToOneField("ledger.Entry", on_delete=models.PROTECT, related_name="+")
    transaction = models.ForeignKey(
        "ledger.LedgerTransaction", on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(max_length=20, choices=LineCategory.choices)
    amount = models.BigIntegerField()  # owed to the merchant: + earned, - taken back or paid
    occurred_at = models.DateTimeField()
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("occurred_at", "id")

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.category} {self.amount:+d}"


class Payout(ConcurrentTransitionMixin, models.Model):
    """Money out to a merchant for a closed statement, through a Stripe Connect transfer,
    once: the transfer's idempotency key and group are the payout's own. A payout that
    could not be made (no onboarded account, Stripe refused or unreachable) stays due,
    with the reason, and is tried again."""

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="payouts"
    )
    statement = models.OneToOneField(
        Statement, on_delete=models.PROTECT, related_name="payout", null=True, blank=True
    )
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    state = FSMField(
        default=PayoutState.DUE, choices=PayoutState.choices, protected=True, db_index=True
    )
    idempotency_key = models.CharField(max_length=100, unique=True)
    stripe_transfer_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set by the one worker paying it now; a claim older than the Stripe timeout's margin
    # belongs to a worker that died and is taken over (after asking Stripe).
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    failure_code = models.CharField(max_length=60, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_positive"),
        ]

    def __str__(self) -> str:
        return f"payout {self.pk}: {self.amount} {self.currency} ({self.state})"

    @property
    def transfer_group(self) -> str:
        return f"coverdesk-payout-{self.pk}"

    @transition(field=state, source=PayoutState.DUE, target=PayoutState.DUE)
    def fail(self, *, code: str, message: str, at):
        self.failure_code = code[:60]
        self.failure_message = message[:300]
        self.last_attempt_at = at

    @transition(field=state, source=PayoutState.DUE, target=PayoutState.PAID)
    def pay(self, *, transfer_id: str, at):
        self.stripe_transfer_id = transfer_id
        self.failure_code = self.failure_message = ""
        self.last_attempt_at = self.paid_at = at
