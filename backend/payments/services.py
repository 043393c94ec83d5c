"""Payments: the PaymentIntent for an order, and what a payment's outcome does.

Refunds are in ``payments.refunds``, and Stripe's webhook events in ``payments.stripe_events``.

Stripe is only ever called outside a database transaction: a row is first claimed in a
state that says what is about to happen (``creating``, ``pending``), the call is made with
an idempotency key derived from that row, and the result is applied in a short transaction
that re-checks the state. A retry at any point is safe.

The payment outcomes run inside the Stripe event's transaction and call the handlers
registered for them (checkout's: the contract transitions) inside theirs; none of them
catches a database error, so the nested blocks take no SAVEPOINT (``savepoint=False``):
an error rolls back the whole event, which is retried.
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from backend.common.actors import Actor
from backend.common.exceptions import ApplicationError
from backend.common.queries import unique_or_none
from backend.events.services import publish
from backend.payments import stripe_gateway
from backend.payments.choices import PaymentChannel, PaymentStatus
from backend.payments.models import Payment

logger = logging.getLogger(__name__)


# --- Payment set-up -----------------------------------------------------------------------


def payment_prepare(*, order, channel: str = PaymentChannel.STRIPE) -> Payment:
    """Claim the order's payment, inside the order's transaction; Stripe is called later.
    A payment taken at the merchant's store (``channel``) never goes to Stripe."""
    return Payment.objects.create(
        order=order,
        amount=order.total,
        currency=order.currency,
        channel=channel,
        idempotency_key=f"coverdesk-order-{order.pk}-intent",
    )


def _intent_claim(payment_id: int) -> bool:
    """Claim the creation of the payment's intent: true for exactly one caller at a time.
    A claim left by a process that died (older than the Stripe timeout and a margin) can be
    taken over."""
    return bool(
        Payment.objects.filter(pk=payment_id, state=PaymentStatus.CREATING)
        .filter(
            Q(intent_claimed_at__isnull=True) | Q(intent_claimed_at__lt=claim_is_stale_before())
        )
        .update(intent_claimed_at=timezone.now())
    )


def _intent_wait(payment_id: int) -> Payment:
    """Another caller holds the claim: wait for its intent (as long as its Stripe call may
    take), then answer with it. Past that, 503: the merchant resends the order."""
    deadline = time.monotonic() + settings.STRIPE_TIMEOUT_SECONDS + 2
    delay = 0.02
    while True:
        payment = Payment.objects.get(pk=payment_id)
        if payment.state != PaymentStatus.CREATING:
            return payment
        if time.monotonic() > deadline:
            raise stripe_gateway.PaymentProviderUnavailable(
                _("The payment is still being set up; send the order again in a moment.")
            )
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def payment_ensure_intent(*, payment: Payment) -> Payment:
    """Make sure the payment has a Stripe PaymentIntent. Call outside any transaction.

    The order's payment row is claimed first (``intent_claimed_at``, a conditional UPDATE),
    so however many resends of one order arrive at once, one creates the intent and the
    others wait for it: exactly one intent is ever created, whether or not Stripe (or the
    emulator) honours the idempotency key, which stays as a second guard. The ``payment``
    given may be stale: everything re-reads it.
    """
    if payment.state != PaymentStatus.CREATING or payment.channel != PaymentChannel.STRIPE:
        return payment
    payment_id = payment.pk
    if not _intent_claim(payment_id):
        return _intent_wait(payment_id)
    order = payment.order
    try:
        intent = stripe_gateway.payment_intent_create(
            amount=payment.amount,
            currency=payment.currency,
            idempotency_key=payment.idempotency_key,
            metadata={
                "coverdesk_order": str(order.pk),
                "merchant": order.merchant.slug,
                "merchant_order_id": order.merchant_order_id,
            },
            description=f"Protection plans for order {order.merchant_order_id} "
            f"at {order.merchant.name}",
        )
    except BaseException:
        # Let the next resend try at once rather than wait for the claim to go stale.
        Payment.objects.filter(pk=payment_id, state=PaymentStatus.CREATING).update(
            intent_claimed_at=None
        )
        raise
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if can_proceed(payment.attach_intent):
            payment.attach_intent(payment_intent_id=intent.id, client_secret=intent.client_secret)
            payment.save()
            return payment
    if payment.stripe_payment_intent_id != intent.id:
        # Only after a stale claim was taken over while its first holder still finished.
        logger.info("Cancelling duplicate intent %s of payment %s", intent.id, payment.pk)
        stripe_gateway.payment_intent_cancel(intent.id)
    return payment


def payment_confirm(*, payment_id: int, payment_method: str) -> stripe_gateway.IntentInfo:
    """Confirm the order's intent with a card the shopper entered (server-side confirmation).

    Stripe answers at once: a success activates the contracts now (the webhook that
    follows is then a no-op), a decline leaves a retriable ``payment_failed``, and
    ``requires_action`` goes back to the browser for 3-D Secure.
    """
    payment = Payment.objects.get(pk=payment_id)
    if payment.state == PaymentStatus.SUCCEEDED or not payment.stripe_payment_intent_id:
        raise ApplicationError(
            _("This order is already paid or not ready for payment."), code="payment_not_payable"
        )
    intent = stripe_gateway.payment_intent_confirm(
        payment.stripe_payment_intent_id, payment_method=payment_method
    )
    actor = Actor.system("checkout confirmation")
    if intent.status == "succeeded":
        payment_succeeded(payment_intent_id=intent.id, actor=actor, at=timezone.now())
    elif intent.last_error:
        payment_failed(payment_intent_id=intent.id, actor=actor, message=intent.last_error)
    return intent


# --- Payment outcomes (from webhooks or reconciliation) ------------------------------------


# What a payment's outcome does to what it paid for (checkout: the order's contracts),
# run inside the outcome's transaction under the payment's row lock. Checkout registers
# them in its AppConfig.ready(), so payments does not import contracts.
OUTCOMES = ("succeeded", "failed", "disputed")
_outcome_handlers: dict[str, list[Callable]] = {outcome: [] for outcome in OUTCOMES}


def payment_outcome_register(outcome: str, handler: Callable) -> None:
    """``handler(payment, actor=..., **facts)`` runs on every ``outcome`` of a payment:
    succeeded (``at``), failed (``message``) or disputed (``reason``)."""
    if handler not in _outcome_handlers[outcome]:
        _outcome_handlers[outcome].append(handler)


def _outcome(outcome: str, payment: Payment, **facts) -> None:
    for handler in _outcome_handlers[outcome]:
        handler(payment, **facts)


def payment_locked_for_intent(payment_intent_id: str) -> Payment | None:
    return unique_or_none(
        Payment.objects.select_for_update().filter(stripe_payment_intent_id=payment_intent_id)
    )


@transaction.atomic(savepoint=False)
def payment_succeeded(*, payment_intent_id: str, actor: Actor, at: datetime) -> bool:
    """Mark the payment paid (``order.paid``) and apply the outcome to what it paid for.
    Repeats are no-ops."""
    payment = payment_locked_for_intent(payment_intent_id)
    if payment is None:
        return False
    if can_proceed(payment.succeed):
        payment.succeed(at=at)
        payment.save()
        publish(
            "order.paid",
            aggregate="order",
            aggregate_id=payment.order_id,
            payload={"payment": payment.pk, "amount": payment.amount, "currency": payment.currency},
        )
    if payment.state != PaymentStatus.SUCCEEDED:
        return False  # refunded or disputed meanwhile: never activate
    _outcome("succeeded", payment, actor=actor, at=at)
    return True


@transaction.atomic(savepoint=False)
def payment_collected_at_store(
    *, payment_id: int, reference: str, actor: Actor, at: datetime
) -> bool:
    """The merchant's store took the payment (a store connector saw the order paid): the
    payment is paid (``order.paid``) and what it paid for activated. Repeats are no-ops."""
    payment = unique_or_none(
        Payment.objects.select_for_update().filter(pk=payment_id, channel=PaymentChannel.STORE)
    )
    if payment is None:
        return False
    if can_proceed(payment.collect_at_store):
        payment.collect_at_store(at=at, reference=reference)
        payment.save()
        publish(
            "order.paid",
            aggregate="order",
            aggregate_id=payment.order_id,
            payload={"payment": payment.pk, "amount": payment.amount, "currency": payment.currency},
        )
    if payment.state != PaymentStatus.SUCCEEDED:
        return False
    _outcome("succeeded", payment, actor=actor, at=at)
    return True


@transaction.atomic(savepoint=False)
def payment_failed(*, payment_intent_id: str, actor: Actor, message: str) -> bool:
    """A declined card: the payment (and what it pays for) waits for another attempt."""
    payment = payment_locked_for_intent(payment_intent_id)
    if payment is None or not can_proceed(payment.fail):
        return False
    payment.fail(message=message or _("The card was declined."))
    payment.save()
    _outcome("failed", payment, actor=actor, message=payment.failure_message)
    return True


@transaction.atomic(savepoint=False)
def payment_disputed(
    *, payment_intent_id: str, actor: Actor, reason: str, dispute_id: str = ""
) -> bool:
    """A chargeback: the payment is disputed (Stripe's ``dispute_id``), and what it paid
    for is voided."""
    payment = payment_locked_for_intent(payment_intent_id)
    if payment is None:
        return False
    if can_proceed(payment.dispute):
        payment.dispute(dispute_id=dispute_id)
        payment.save()
    _outcome("disputed", payment, actor=actor, reason=reason)
    return True


def payments_to_reconcile(*, now: datetime, older_than: timedelta, limit: int) -> list[int]:
    """Payments of the last week still unpaid ``older_than`` after their last change:
    Stripe may have completed them without telling us (a lost webhook)."""
    return list(
        Payment.objects.filter(
            state__in=(PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.FAILED),
            updated_at__lt=now - older_than,
            created_at__gt=now - timedelta(days=7),
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def payment_reconcile(*, payment_id: int) -> bool:
    """Ask Stripe how a payment stands and apply it: recovers lost webhooks."""
    payment = Payment.objects.get(pk=payment_id)
    if not payment.stripe_payment_intent_id:
        return False
    intent = stripe_gateway.payment_intent_retrieve(payment.stripe_payment_intent_id)
    actor = Actor.system("reconciliation")
    if intent.status == "succeeded":
        return payment_succeeded(payment_intent_id=intent.id, actor=actor, at=timezone.now())
    return False


def claim_is_stale_before() -> datetime:
    """A worker's claim on a Stripe call (a payment's intent, a refund) older than this
    belongs to a process that died: the call has timed out by now either way."""
    return timezone.now() - timedelta(seconds=settings.STRIPE_TIMEOUT_SECONDS * 2 + 5)


# --- Stripe webhooks ----------------------------------------------------------------------
