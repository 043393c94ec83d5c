from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    """Where an account sits in the books; an entry's sign is debit (+) or credit (-)."""

    ASSET = "asset", _("Asset")  # cash at Stripe, receivables: normally a debit balance
    LIABILITY = "liability", _("Liability")  # owed to merchants, obligors, tax: credit
    REVENUE = "revenue", _("Revenue")  # the administrator's fees: credit
    EXPENSE = "expense", _("Expense")  # Stripe's fees: debit


class AccountPurpose(models.TextChoices):
    """What an account holds: with its currency and its party, an account's identity."""

    STRIPE_CASH = "stripe_cash", _("Cash at Stripe")
    STRIPE_FEES = "stripe_fees", _("Stripe's fees")
    OWED_TO_MERCHANT = "owed_to_merchant", _("Owed to the merchant")
    OWED_TO_OBLIGOR = "owed_to_obligor", _("Owed to the obligor")
    OBLIGOR_UNEARNED_PREMIUM = "obligor_unearned_premium", _("Obligor's unearned premium")
    ADMINISTRATOR_REVENUE = "administrator_revenue", _("Administrator's fees")
    TAX_PAYABLE = "tax_payable", _("Tax payable")
    REFUNDS_PAYABLE = "refunds_payable", _("Refunds owed to shoppers")
    RECONCILIATION = "reconciliation", _("Reconciliation adjustments")
    CLAIMS_PAYABLE = "claims_payable", _("Claims owed to shoppers and repair partners")
    BANK_CASH = "bank_cash", _("Cash at the bank (claim payouts, tax paid)")
    # What a merchant's store took from its shoppers for plans (a store connector's sales),
    # less the refunds the store paid them back: owed by the merchant to Coverdesk.
    STORE_RECEIVABLE = "store_receivable", _("Collected at the merchant's store")


KIND_OF_PURPOSE = {
    AccountPurpose.STRIPE_CASH: AccountKind.ASSET,
    AccountPurpose.STRIPE_FEES: AccountKind.EXPENSE,
    AccountPurpose.OWED_TO_MERCHANT: AccountKind.LIABILITY,
    AccountPurpose.OWED_TO_OBLIGOR: AccountKind.LIABILITY,
    AccountPurpose.OBLIGOR_UNEARNED_PREMIUM: AccountKind.LIABILITY,
    AccountPurpose.ADMINISTRATOR_REVENUE: AccountKind.REVENUE,
    AccountPurpose.TAX_PAYABLE: AccountKind.LIABILITY,
    AccountPurpose.REFUNDS_PAYABLE: AccountKind.LIABILITY,
    AccountPurpose.RECONCILIATION: AccountKind.EXPENSE,
    AccountPurpose.CLAIMS_PAYABLE: AccountKind.LIABILITY,
    AccountPurpose.BANK_CASH: AccountKind.ASSET,
    AccountPurpose.STORE_RECEIVABLE: AccountKind.ASSET,
}


class DifferenceKind(models.TextChoices):
    MISSING_IN_LEDGER = "missing_in_ledger", _("At Stripe, not in the ledger")
    MISSING_AT_STRIPE = "missing_at_stripe", _("In the ledger, not at Stripe")
    AMOUNT = "amount", _("Amounts differ")
