"""Finance's own corrections to what a merchant is owed."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.common.exceptions import ValidationFailed
from backend.ledger.models import LedgerTransaction
from backend.ledger.postings import merchant_adjustment_post


def merchant_adjust(
    *, merchant, amount: int, currency: str, reason: str, key: str, user
) -> LedgerTransaction:
    """Credit (``amount`` > 0) or debit the merchant, once per ``key``; it shows on the
    statement of the period it falls in, with its reason."""
    reason = (reason or "").strip()
    fields = {}
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        fields["amount"] = [_("A whole, non-zero number of minor units.")]
    if not reason:
        fields["reason"] = [_("Say why: the merchant reads it on the statement.")]
    if fields:
        raise ValidationFailed(_("The adjustment is incomplete."), fields=fields)
    with transaction.atomic():
        return merchant_adjustment_post(
            source=f"adjustment:{key}",
            merchant_id=merchant.pk,
            amount=amount,
            currency=currency.upper(),
            reason=f"{reason[:250]} ({user.get_username()})" if user else reason[:300],
            at=timezone.now(),
        )
