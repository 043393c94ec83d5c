"""A small double-entry ledger (docs/ARCHITECTURE.md, "Ledger").

Every movement of money is one ``LedgerTransaction``, unique by its source (the event
that caused it), with entries that sum to zero in each currency: debits are positive,
credits negative, in integer minor units. Entries are never changed or deleted; a mistake
is corrected by another transaction. On PostgreSQL a deferred constraint trigger refuses,
at commit, a transaction whose entries do not balance, and another refuses any UPDATE or
DELETE of an entry; on SQLite ``ledger.services.post`` checks the balance before writing.
"""

from django.db import models

from backend.ledger.choices import AccountKind, AccountPurpose


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
    occurred_at = models.DateTimeField()
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        indexes = [models.Index(fields=["kind", "occurred_at"])]

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
