"""Obligor reporting: each month closed once, with its figures per plan frozen at close
(docs/ARCHITECTURE.md, "Obligor reporting")."""

from django.conf import settings
from django.db import models


class MonthClose(models.Model):
    """A month closed for every obligor: its earning posted to its last day, merchants'
    statements closed, and the figures of each plan recorded. Once, never reopened."""

    month = models.DateField(unique=True, help_text="The month's first day.")
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ("-month",)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class PlanMonth(models.Model):
    """One plan's month in one currency, as the ledger and the contracts had it at close.
    Minor units; premium figures are the obligor's net premium unless named gross."""

    close = models.ForeignKey(MonthClose, on_delete=models.PROTECT, related_name="plans")
    provider = models.ForeignKey("plans.Provider", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    written_count = models.PositiveIntegerField(default=0)
    written_gross = models.BigIntegerField(default=0)
    written_net = models.BigIntegerField(default=0)
    administrator_fees = models.BigIntegerField(default=0)
    commissions = models.BigIntegerField(default=0)
    cancelled_count = models.PositiveIntegerField(default=0)
    refunds_gross = models.BigIntegerField(default=0)
    refunds_net = models.BigIntegerField(default=0)  # the obligor's part of the refunds
    chargebacks_net = models.BigIntegerField(default=0)
    earned = models.BigIntegerField(default=0)
    unearned = models.BigIntegerField(default=0, help_text="The reserve at the month's end.")
    in_force = models.PositiveIntegerField(default=0)
    claims_paid = models.BigIntegerField(default=0)
    claims_reserved = models.BigIntegerField(default=0)
    claims_open = models.PositiveIntegerField(default=0)
    ibnr = models.BigIntegerField(default=0)
    ibnr_factor_bp = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("close", "provider", "plan", "currency")
        constraints = [
            models.UniqueConstraint(fields=["close", "plan", "currency"], name="plan_month_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.close} {self.plan_id} {self.currency}"

    @property
    def incurred(self) -> int:
        return self.claims_paid + self.claims_reserved + self.ibnr

    @property
    def remittance(self) -> int:
        """The net premium due to the obligor, less what was paid out on its behalf."""
        return self.written_net - self.refunds_net - self.chargebacks_net - self.claims_paid


class TaxRemittance(models.Model):
    """Tax paid to a jurisdiction for a closed month (``obligors.taxes.tax_remit``): posted
    to the ledger once (the jurisdiction's tax payable against cash at the bank), one per
    jurisdiction, currency and month."""

    close = models.ForeignKey(MonthClose, on_delete=models.PROTECT, related_name="remittances")
    jurisdiction = models.CharField(max_length=10)
    currency = models.CharField(max_length=3)
    amount = models.PositiveBigIntegerField()
    reference = models.CharField(max_length=100, help_text="The bank's or the state's reference.")
    paid_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("close", "jurisdiction", "currency")
        constraints = [
            models.UniqueConstraint(
                fields=["close", "jurisdiction", "currency"], name="tax_remittance_once"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="tax_remittance_paid"),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.close} {self.amount} {self.currency}"
