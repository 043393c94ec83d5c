"""Merchant settlement: how each merchant is paid, its statements per period, and the
payouts that pay them (docs/ARCHITECTURE.md, "Settlement")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.settlement.choices import (
    Cadence,
    ClaimPayoutState,
    LineCategory,
    PayoutFileState,
    PayoutMethod,
    PayoutState,
    StatementState,
)


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


class PartnerAccount(models.Model):
    """A repair partner's Stripe connected account: its invoices are paid by transfer."""

    partner = models.OneToOneField(
        "claims.RepairPartner", on_delete=models.PROTECT, related_name="payout_account"
    )
    stripe_account_id = models.CharField(max_length=100, unique=True)
    transfers_active = models.BooleanField(default=False)
    checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.stripe_account_id}"


class PayoutFile(ConcurrentTransitionMixin, models.Model):
    """A batch of claim payouts for finance to upload to the bank: ISO 20022 pain.001 for
    EUR and PLN, NACHA for USD. The bank's status report read back settles each payout."""

    method = models.CharField(max_length=10, choices=PayoutMethod.choices)
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=35, unique=True)  # the file's message id
    content = models.BinaryField()
    total = models.BigIntegerField()
    count = models.PositiveIntegerField()
    state = FSMField(
        default=PayoutFileState.CREATED, choices=PayoutFileState.choices, protected=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    read_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.reference

    @property
    def filename(self) -> str:
        return f"{self.reference}.{'xml' if self.method == PayoutMethod.SEPA else 'ach'}"

    @transition(field=state, source=PayoutFileState.CREATED, target=PayoutFileState.READ_BACK)
    def read_back(self, *, at):
        self.read_back_at = at


class ClaimPayout(ConcurrentTransitionMixin, models.Model):
    """An approved claim's money, paid once to the shopper (a bank transfer in a payment
    file) or to the repair partner (a Connect transfer)."""

    claim = models.OneToOneField("claims.Claim", on_delete=models.PROTECT, related_name="payout")
    method = models.CharField(max_length=10, choices=PayoutMethod.choices)
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    state = FSMField(
        default=ClaimPayoutState.AWAITING_DETAILS,
        choices=ClaimPayoutState.choices,
        protected=True,
        db_index=True,
    )
    partner = models.ForeignKey(
        "claims.RepairPartner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The shopper's bank account, as given (validated: IBAN by schwifty; ABA routing numbers
    # by their check digit).
    account_holder = models.CharField(max_length=70, blank=True)
    iban = models.CharField(max_length=34, blank=True)
    bic = models.CharField(max_length=11, blank=True)
    routing_number = models.CharField(max_length=9, blank=True)
    account_number = models.CharField(max_length=17, blank=True)
    end_to_end_id = models.CharField(max_length=35, unique=True)
    file = models.ForeignKey(
        PayoutFile, null=True, blank=True, on_delete=models.PROTECT, related_name="payouts"
    )
    stripe_transfer_id = models.CharField(max_length=100, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="claim_payout_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.end_to_end_id}: {self.amount} {self.currency} ({self.state})"

    @transition(
        field=state,
        source=[ClaimPayoutState.AWAITING_DETAILS, ClaimPayoutState.REJECTED],
        target=ClaimPayoutState.DUE,
    )
    def give_details(self, **details):
        for name, value in details.items():
            setattr(self, name, value)
        self.failure_reason = ""

    @transition(field=state, source=ClaimPayoutState.DUE, target=ClaimPayoutState.IN_FILE)
    def batch(self, *, file):
        self.file = file

    @transition(
        field=state,
        source=[ClaimPayoutState.IN_FILE, ClaimPayoutState.DUE],
        target=ClaimPayoutState.PAID,
    )
    def pay(self, *, at, transfer_id: str = ""):
        self.paid_at = at
        self.stripe_transfer_id = transfer_id

    @transition(field=state, source=ClaimPayoutState.IN_FILE, target=ClaimPayoutState.REJECTED)
    def reject(self, *, reason: str):
        self.failure_reason = reason[:300]
        self.file = None
