"""Stripe's webhook events: received once (their id is unique), verified by signature and
age, and processed in their own transaction, which applies the payment outcome."""

import json
import logging
import time

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from backend.common.actors import Actor
from backend.common.exceptions import ApplicationError
from backend.payments.choices import StripeEventStatus
from backend.payments.models import StripeEvent
from backend.payments.refunds import charge_refunded
from backend.payments.services import (
    payment_disputed,
    payment_failed,
    payment_succeeded,
)

logger = logging.getLogger(__name__)


class InvalidWebhook(ApplicationError):
    default_code = "invalid_signature"


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
        dispute_id=obj.get("id") or "",
        actor=actor,
        reason=_("Chargeback opened: %(reason)s") % {"reason": obj.get("reason") or "unknown"},
    )


_HANDLERS = {
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "charge.refunded": _on_charge_refunded,
    "charge.dispute.created": _on_dispute_created,
}
