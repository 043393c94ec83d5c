"""A small double-entry ledger (docs/ARCHITECTURE.md, "Ledger").

Every movement of money is one ``LedgerTransaction``, unique by its source (the event
that caused it), with entries that sum to zero in each currency: debits are positive,
credits negative, in integer minor units. Entries are never changed or deleted; a mistake
is corrected by another transaction. On PostgreSQL a deferred constraint trigger refuses,
at commit, a transaction whose entries do not balance, and another refuses any UPDATE or
DELETE of an entry; on SQLite ``ledger.services.post`` checks the balance before writing.
"""

from django.conf import settings
from django.db import models

from backend.ledger.choices import AccountKind, AccountPurpose, DifferenceKind


class Account(models.Model):
    # Its identity, one string (``owed_to_merchant:USD:m3``): unique on every database,
    # where a unique constraint over nullable columns would treat NULLs apart.
    key = models.CharField(max_length=120, unique=True)
    purpose = models.CharField(max_length=30, choices=AccountPurpose.choices)
    kind = models.CharField(max_length=10, choices=AccountKind.choices)
    currency = models.CharField(max_length=3)
    # The party the balance belongs to, where it has one (owed to this merchant, say).
    merchant = models.ForeignKey(
        "merchants.Merchant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "plans.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An obligor's premium and funds are kept per plan, so its reports per plan (the
    # bordereaux, the reserve, the loss runs) are the ledger's own figures.
    plan = models.ForeignKey(
        "plans.Plan", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction = models.CharField(max_length=10, blank=True)  # tax payable, per place
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("purpose", "currency", "id")

    def __str__(self) -> str:
        party = self.merchant_id or self.provider_id or self.jurisdiction or ""
        return f"{self.get_purpose_display()} {self.currency} {party}".strip()


class LedgerTransaction(models.Model):
    # The event that caused it (``contract:12:sale``): posting it again posts nothing.
    source = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=30)
    description = models.CharField(max_length=300, blank=True)
    # The Stripe object the money moved through (a PaymentIntent, a refund, a transfer),
    # which the daily reconciliation matches with Stripe's balance transactions.
    reference = models.CharField(max_length=100, blank=True)
    occurred_at = models.DateTimeField()
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        indexes = [
            models.Index(fields=["kind", "occurred_at"]),
            models.Index(fields=["reference"], name="ledger_tx_reference"),
        ]

    def __str__(self) -> str:
        return self.source


class Entry(models.Model):
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField()  # debit +, credit -, minor units of currency
    currency = models.CharField(max_length=3)  # the account's, kept here for the checks

    class Meta:
        ordering = ("transaction_id", "id")
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+d}"


class EarningDay(models.Model):
    """A day whose premium earning has been posted (``ledger.earning``): the days are
    earned in order, each once."""

    day = models.DateField(unique=True)
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-day",)

    def __str__(self) -> str:
        return self.day.isoformat()


class Reconciliation(models.Model):
    """One day's comparison of the ledger's cash at Stripe with Stripe's balance
    transactions (``ledger.reconciliation``); run again, it replaces its open differences."""

    day = models.DateField(unique=True)  # a UTC day, as Stripe reports them
    ran_at = models.DateTimeField()
    stripe_entries = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    fees_posted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-day",)

    def __str__(self) -> str:
        return f"reconciliation of {self.day.isoformat()}"


class Difference(models.Model):
    """Something the ledger and Stripe disagree on, for finance staff to resolve."""

    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.CASCADE, related_name="differences"
    )
    kind = models.CharField(max_length=20, choices=DifferenceKind.choices)
    what = models.CharField(max_length=20)  # charge, fee, refund, transfer, adjustment, ...
    reference = models.CharField(max_length=100)  # the Stripe object
    currency = models.CharField(max_length=3)
    stripe_amount = models.BigIntegerField(null=True, blank=True)
    ledger_amount = models.BigIntegerField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("reconciliation", "what", "reference")
        constraints = [
            models.UniqueConstraint(
                fields=["reconciliation", "what", "reference"], name="difference_unique_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.what} {self.reference}"
