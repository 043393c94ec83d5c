"""Payments, refunds and Stripe events.

Stripe is only ever called outside a database transaction: a row is first claimed in a
state that says what is about to happen (``creating``, ``pending``), the call is made with
an idempotency key derived from that row, and the result is applied in a short transaction
that re-checks the state. A retry at any point is safe.

The payment outcomes run inside the Stripe event's transaction and call the handlers
registered for them (checkout's: the contract transitions) inside theirs; none of them
catches a database error, so the nested blocks take no SAVEPOINT (``savepoint=False``):
an error rolls back the whole event, which is retried.
"""

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from backend.common.actors import Actor
from backend.common.exceptions import ApplicationError
from backend.common.queries import unique_or_none
from backend.events.services import publish
from backend.payments import stripe_gateway
from backend.payments.choices import PaymentStatus, RefundState, StripeEventStatus
from backend.payments.models import Payment, Refund, StripeEvent

logger = logging.getLogger(__name__)


class InvalidWebhook(ApplicationError):
    default_code = "invalid_signature"


# --- Payment set-up -----------------------------------------------------------------------


def payment_prepare(*, order) -> Payment:
    """Claim the order's payment, inside the order's transaction; Stripe is called later."""
    return Payment.objects.create(
        order=order,
        amount=order.total,
        currency=order.currency,
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
    if payment.state != PaymentStatus.CREATING:
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


def _payment_for_intent(payment_intent_id: str) -> Payment | None:
    return unique_or_none(
        Payment.objects.select_for_update().filter(stripe_payment_intent_id=payment_intent_id)
    )


@transaction.atomic(savepoint=False)
def payment_succeeded(*, payment_intent_id: str, actor: Actor, at: datetime) -> bool:
    """Mark the payment paid (``order.paid``) and apply the outcome to what it paid for.
    Repeats are no-ops."""
    payment = _payment_for_intent(payment_intent_id)
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
def payment_failed(*, payment_intent_id: str, actor: Actor, message: str) -> bool:
    """A declined card: the payment (and what it pays for) waits for another attempt."""
    payment = _payment_for_intent(payment_intent_id)
    if payment is None or not can_proceed(payment.fail):
        return False
    payment.fail(message=message or _("The card was declined."))
    payment.save()
    _outcome("failed", payment, actor=actor, message=payment.failure_message)
    return True


@transaction.atomic(savepoint=False)
def payment_disputed(*, payment_intent_id: str, actor: Actor, reason: str) -> bool:
    """A chargeback: the payment is disputed, and what it paid for is voided."""
    payment = _payment_for_intent(payment_intent_id)
    if payment is None:
        return False
    if can_proceed(payment.dispute):
        payment.dispute()
        payment.save()
    _outcome("disputed", payment, actor=actor, reason=reason)
    return True


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
    payment = _payment_for_intent(payment_intent_id)
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


# --- Refunds ------------------------------------------------------------------------------


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


def claim_is_stale_before() -> datetime:
    """A worker's claim on a Stripe call (a payment's intent, a refund) older than this
    belongs to a process that died: the call has timed out by now either way."""
    return timezone.now() - timedelta(seconds=settings.STRIPE_TIMEOUT_SECONDS * 2 + 5)


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
        if refund.amount == 0:
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


# --- Stripe webhooks ----------------------------------------------------------------------


def _check_not_from_the_future(signature: str) -> None:
    """The library refuses a signature older than the tolerance but not one dated later
    than now, which a captured-and-redated or badly clocked sender could use to outlive
    the replay window. The tolerance applies both ways. (Called after the signature is
    verified, so the timestamp is the one Stripe signed.)"""
    stamps = [
        int(value)
        for key, _, value in (item.partition("=") for item in signature.split(","))
        if key.strip() == "t" and value.strip().isdigit()
    ]
    if not stamps or stamps[0] > time.time() + settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS:
        raise stripe.SignatureVerificationError("Timestamp in the future", signature)


def stripe_event_receive(*, payload: bytes, signature: str) -> tuple[StripeEvent, bool]:
    """Verify a webhook and store it once. Returns (event, created).

    A bad signature, or a timestamp outside the tolerance (a replay), raises and stores
    nothing. The unique event id makes a redelivery a no-op, even when two arrive at once.
    """
    try:
        # The library's own check; the event is then kept as plain JSON (building
        # StripeObjects only to turn them back into a dict is wasted work).
        stripe.WebhookSignature.verify_header(
            payload,
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
        )
        _check_not_from_the_future(signature)
    except stripe.SignatureVerificationError:
        raise InvalidWebhook(_("The webhook signature is not valid or is too old.")) from None
    except UnicodeDecodeError:
        raise InvalidWebhook(
            _("The webhook body is not a Stripe event."), code="malformed_request"
        ) from None
    try:
        data = json.loads(payload)
        event_id, event_type = data["id"], data["type"]
        if not isinstance(event_id, str) or not isinstance(event_type, str):
            raise TypeError
    except (ValueError, TypeError, KeyError):
        raise InvalidWebhook(
            _("The webhook body is not a Stripe event."), code="malformed_request"
        ) from None
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(event_id=event_id, type=event_type, payload=data)
    except IntegrityError:
        return StripeEvent.objects.get(event_id=event_id), False
    return stored, True


def stripe_event_process(*, event_pk: int) -> StripeEvent:
    """Apply one stored event, exactly once: the event's row lock serialises workers."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if event.status in (StripeEventStatus.PROCESSED, StripeEventStatus.IGNORED):
            return event
        handler = _HANDLERS.get(event.type)
        if handler is None:
            event.ignore(at=timezone.now())
        else:
            handler(event.payload["data"]["object"], Actor.stripe(event.event_id))
            event.process(at=timezone.now())
        event.save()
    return event


def stripe_event_mark_failed(*, event_pk: int, error: str) -> None:
    """Record why processing failed; the task retries, and the event stays visible."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if can_proceed(event.fail):
            event.fail(error=error)
            event.save()


def _intent_id(obj: dict) -> str | None:
    value = obj.get("payment_intent") if obj.get("object") != "payment_intent" else obj["id"]
    return value["id"] if isinstance(value, dict) else value


def _on_intent_succeeded(obj, actor):
    payment_succeeded(payment_intent_id=obj["id"], actor=actor, at=timezone.now())


def _on_intent_failed(obj, actor):
    error = obj.get("last_payment_error") or {}
    payment_failed(
        payment_intent_id=obj["id"],
        actor=actor,
        message=(error.get("message") if isinstance(error, dict) else "") or "",
    )


def _on_charge_refunded(obj, actor):
    refunds = (obj.get("refunds") or {}).get("data") or []
    charge_refunded(
        payment_intent_id=_intent_id(obj),
        refund_ids=[r["id"] for r in refunds],
        amount_refunded=obj.get("amount_refunded", 0),
        actor=actor,
    )


def _on_dispute_created(obj, actor):
    intent = _intent_id(obj)
    if intent is None:
        logger.warning("Dispute %s names no payment intent; ignored", obj.get("id"))
        return
    payment_disputed(
        payment_intent_id=intent,
        actor=actor,
        reason=_("Chargeback opened: %(reason)s") % {"reason": obj.get("reason") or "unknown"},
    )


_HANDLERS = {
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "charge.refunded": _on_charge_refunded,
    "charge.dispute.created": _on_dispute_created,
}
