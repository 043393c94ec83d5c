"""Refunds: opened by a cancellation, paid through Stripe after commit, swept and retried.

A refund is claimed (``pending``) before Stripe is called with the refund's own
idempotency key, and settled in a short transaction that re-checks its state, so a retry
at any point pays it once. A late refund's penalty is recomputed from its due date.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import can_proceed

from backend.common.actors import Actor
from backend.common.exceptions import ApplicationError
from backend.events.services import publish
from backend.payments import stripe_gateway
from backend.payments.choices import PaymentChannel, RefundState
from backend.payments.models import Refund
from backend.payments.services import claim_is_stale_before, payment_locked_for_intent

logger = logging.getLogger(__name__)


def refund_open(*, contract, quote, actor: Actor, at: datetime) -> Refund:
    """The refund a cancellation owes, as quoted, claimed inside the cancelling
    transaction (one per contract, by its idempotency key); paid after commit."""
    return Refund.objects.create(
        contract=contract,
        payment=contract.order_line.order.payment,
        amount=quote.total,
        currency=contract.currency,
        quote=quote.as_dict(contract.customer.locale),
        idempotency_key=f"coverdesk-contract-{contract.pk}-refund",
        requested_at=at,
        due_at=at + timedelta(days=(quote.due_on - quote.cancel_on).days),
        late_penalty_percent_per_month=quote.late_penalty_percent_per_month,
        requested_by=actor.user,
    )


def _refund_claim(refund_id: int) -> tuple[bool, bool]:
    """Claim paying the refund: (claimed, taken over from a worker that died)."""
    unpaid = Refund.objects.filter(
        pk=refund_id, state__in=(RefundState.PENDING, RefundState.FAILED)
    )
    now = timezone.now()
    if unpaid.filter(attempt_started_at__isnull=True).update(attempt_started_at=now):
        return True, False
    if unpaid.filter(attempt_started_at__lt=claim_is_stale_before()).update(attempt_started_at=now):
        return True, True
    return False, False


def refund_execute(*, refund_id: int) -> Refund:
    """Pay a pending (or failed) refund through Stripe, once. Call outside a transaction.
    A refund of a payment the merchant's store took is the store's to pay its shopper:
    it is settled at once, without Stripe.

    One worker at a time claims the refund (``attempt_started_at``). A worker that takes
    over the claim of one that died first asks Stripe whether that worker's refund went
    through (by the refund's id in its metadata), so a crash between Stripe's answer and
    our commit never pays twice, even where the idempotency key is not honoured."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.state == RefundState.SUCCEEDED:
        return refund
    claimed, taken_over = _refund_claim(refund_id)
    if not claimed:
        return refund  # another worker is paying it right now
    try:
        if refund.amount == 0 or refund.payment.channel == PaymentChannel.STORE:
            # Nothing to pay, or the store pays its shopper back itself (and the ledger
            # takes the refund off what the store owes).
            stripe_refund_id = ""
        else:
            stripe_refund_id = (
                stripe_gateway.refund_find(
                    payment_intent_id=refund.payment.stripe_payment_intent_id,
                    coverdesk_refund=str(refund.pk),
                )
                if taken_over or refund.attempts
                else None
            ) or stripe_gateway.refund_create(
                payment_intent_id=refund.payment.stripe_payment_intent_id,
                amount=refund.amount,
                idempotency_key=refund.idempotency_key,
                metadata={"coverdesk_refund": str(refund.pk), "contract": str(refund.contract_id)},
            )
    except ApplicationError as exc:
        with transaction.atomic():
            refund = Refund.objects.select_for_update().get(pk=refund_id)
            refund.attempt_started_at = None
            if can_proceed(refund.fail):
                refund.fail(message=exc.message)
                refund.attempts += 1
            refund.save()
        raise
    except BaseException:
        # A bug or an interruption: let the next attempt claim it at once, and ask Stripe
        # first, since this call may have reached it.
        Refund.objects.filter(pk=refund_id).update(
            attempt_started_at=None, attempts=F("attempts") + 1
        )
        raise
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        refund.attempt_started_at = None
        paid = can_proceed(refund.succeed)
        if paid:
            refund.succeed(stripe_refund_id=stripe_refund_id, at=timezone.now())
            refund.attempts += 1
        refund.save()
        if paid:
            _refund_paid(refund)
    return refund


def refunds_failed() -> list[int]:
    """Refunds Stripe refused or could not be reached for, to be tried again."""
    return list(Refund.objects.filter(state=RefundState.FAILED).values_list("pk", flat=True))


def refunds_stuck(*, now: datetime, limit: int = 500) -> list[int]:
    """Refunds whose worker never got to them or died paying them: pending for a minute
    with no claim (its task was lost), or claimed by a worker that is gone."""
    return list(
        Refund.objects.filter(state=RefundState.PENDING)
        .filter(
            Q(attempt_started_at__isnull=True, requested_at__lt=now - timedelta(seconds=45))
            | Q(attempt_started_at__lt=claim_is_stale_before())
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def refunds_accrue_penalties(*, now: datetime) -> int:
    """Set each overdue unpaid refund's penalty: its percentage per started month late.

    Idempotent: the penalty is recomputed from the due date, never added to.
    """
    from dateutil.relativedelta import relativedelta

    updated = 0
    overdue = Refund.objects.filter(
        state__in=(RefundState.PENDING, RefundState.FAILED),
        due_at__lt=now,
        late_penalty_percent_per_month__gt=0,
    )
    for refund in overdue:
        late = relativedelta(now, refund.due_at)
        months = late.years * 12 + late.months + 1  # every started month counts
        penalty = refund.amount * refund.late_penalty_percent_per_month * months // 100
        if penalty != refund.penalty_accrued:
            Refund.objects.filter(pk=refund.pk).update(penalty_accrued=penalty)
            updated += 1
    return updated


def _refund_paid(refund: Refund) -> None:
    publish(
        "refund.paid",
        aggregate="refund",
        aggregate_id=refund.pk,
        payload={
            "contract": refund.contract_id,
            "amount": refund.amount,
            "currency": refund.currency,
        },
    )


@transaction.atomic(savepoint=False)
def charge_refunded(
    *, payment_intent_id: str, refund_ids: list[str], amount_refunded: int, actor: Actor
) -> bool:
    """Stripe confirms refunds: settle ours, and note a payment refunded in full."""
    payment = payment_locked_for_intent(payment_intent_id)
    if payment is None:
        return False
    for refund in Refund.objects.select_for_update().filter(
        payment=payment, stripe_refund_id__in=refund_ids
    ):
        if can_proceed(refund.succeed):
            refund.succeed(stripe_refund_id=refund.stripe_refund_id, at=timezone.now())
            refund.save()
            _refund_paid(refund)
    if amount_refunded >= payment.amount and can_proceed(payment.refunded_in_full):
        payment.refunded_in_full()
        payment.save()
    return True
