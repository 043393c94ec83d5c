"""Settlement's services: a merchant's payout account checked with Stripe, and finance's
own corrections to what a merchant is owed."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.common.exceptions import ApplicationError, ValidationFailed
from backend.ledger.models import LedgerTransaction
from backend.ledger.postings import merchant_adjustment_post
from backend.settlement.choices import PayoutState
from backend.settlement.models import MerchantSettlement, Payout
from backend.settlement.payouts import account_refresh, settlement_for
from backend.settlement.tasks import payout_execute_task

logger = logging.getLogger(__name__)


def payout_account_check(merchant, *, force: bool = False) -> MerchantSettlement:
    """The merchant's payout account, asked of Stripe while it is not yet active (or when
    ``force``d). The moment it can receive transfers, the payouts waiting for it are tried.
    Stripe unreachable: the flags as last seen."""
    settlement = settlement_for(merchant)
    if not settlement.stripe_account_id or (settlement.transfers_active and not force):
        return settlement
    was_active = settlement.transfers_active
    try:
        settlement = account_refresh(settlement)
    except ApplicationError as exc:
        logger.warning("payout account of merchant %s not checked: %s", merchant.pk, exc.message)
        return settlement
    if settlement.transfers_active and not was_active:
        waiting = Payout.objects.filter(
            merchant=merchant, state=PayoutState.DUE, attempt_started_at__isnull=True
        ).values_list("pk", flat=True)
        for payout_id in waiting:
            transaction.on_commit(lambda pk=payout_id: payout_execute_task.delay(pk))
    return settlement


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
