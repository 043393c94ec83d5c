"""Relaying events to their subscribers and handling each delivery once.

``relay`` turns an event into one delivery per subscriber (unique by constraint, so a
second relay adds nothing). ``deliver`` claims a delivery with a conditional UPDATE, runs
the subscriber's handler and marks the delivery done in one transaction: a delivery that
is done is never handled again, and one whose worker died is taken over when its lease
runs out. A failing handler rolls back its own work, and its delivery is tried again later
on a backoff of its own (``sweep``); the other subscribers never wait for it.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.events.models import Delivery, DeliveryState, Event
from backend.events.registry import subscriber, subscribers_for

logger = logging.getLogger(__name__)


def deliveries_create(event: Event, *, now: datetime) -> list[tuple[int, str]]:
    """One delivery per subscriber that wants ``event``, written in the caller's
    transaction: (delivery id, subscriber) for each. Each is sent as a task right after
    commit, so the sweep looks at it only once a lease has passed without it being done."""
    deliveries = Delivery.objects.bulk_create(
        Delivery(event=event, subscriber=s.name, next_attempt_at=now + settings.EVENTS_LEASE)
        for s in subscribers_for(event.name)
        if s.wants is None or s.wants(event)
    )
    return [(d.pk, d.subscriber) for d in deliveries]


def relay(event_id: int) -> list[int]:
    """Create the event's deliveries (once: one per subscriber that wants it) and return the
    ids of those still pending."""
    return [pk for pk, _subscriber in relay_pending(event_id)]


def relay_pending(event_id: int) -> list[tuple[int, str]]:
    """``relay``, returning each pending delivery with its subscriber's name."""
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=event_id).first()
        if event is None:
            return []
        if event.relayed_at is None:
            # Under the event's row lock with relayed_at unset: no delivery exists yet.
            now = timezone.now()
            created = deliveries_create(event, now=now)
            event.relayed_at = now
            event.save(update_fields=["relayed_at"])
            return created
    return list(
        Delivery.objects.filter(event_id=event_id, state=DeliveryState.PENDING).values_list(
            "pk", "subscriber"
        )
    )


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... up to an hour between attempts."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _claim(delivery_id: int, now: datetime) -> bool:
    lease_ended = now - settings.EVENTS_LEASE
    return bool(
        Delivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING)
        .filter(Q(started_at=None) | Q(started_at__lt=lease_ended))
        .update(started_at=now)
    )


def _waits_for_earlier(delivery: Delivery) -> bool:
    """An ordered subscriber's delivery waits while an earlier event of its aggregate is
    not yet done for that subscriber (relayed or not)."""
    event = delivery.event
    earlier = Event.objects.filter(
        aggregate=event.aggregate, aggregate_id=event.aggregate_id, pk__lt=event.pk
    )
    if earlier.filter(relayed_at=None).exists():
        return True
    return Delivery.objects.filter(
        event__in=earlier, subscriber=delivery.subscriber, state=DeliveryState.PENDING
    ).exists()


def deliver(delivery_id: int, *, now: datetime | None = None) -> str:
    """Handle one delivery, at most once. Returns what happened: done, failed, retry
    (the handler raised), waiting (an earlier event first), skipped (done already or held
    by another worker), or unknown (no such subscriber is registered)."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = Delivery.objects.select_related("event").get(pk=delivery_id)
    target = subscriber(delivery.subscriber)
    if target is None:
        _release(delivery, next_attempt_at=now + settings.EVENTS_LEASE)
        logger.error("No subscriber %r is registered for %s", delivery.subscriber, delivery)
        return "unknown"
    if target.ordered and _waits_for_earlier(delivery):
        _release(delivery, next_attempt_at=now + timedelta(seconds=1))
        return "waiting"
    try:
        if target.atomic:
            with transaction.atomic():
                target.handler(delivery.event)
                _done(delivery)
        else:
            target.handler(delivery.event)
            _done(delivery)
    except Exception as exc:
        attempts = delivery.attempts + 1
        gave_up = attempts >= target.max_attempts
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.FAILED if gave_up else DeliveryState.PENDING,
            attempts=attempts,
            started_at=None,
            next_attempt_at=now + backoff(attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        logger.warning(
            "Subscriber %s failed on %s (attempt %d)",
            target.name,
            delivery.event,
            attempts,
            exc_info=True,
        )
        return "failed" if gave_up else "retry"
    return "done"


def _done(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.DONE,
        attempts=delivery.attempts + 1,
        finished_at=timezone.now(),
        last_error="",
    )


def _release(delivery: Delivery, *, next_attempt_at: datetime) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(started_at=None, next_attempt_at=next_attempt_at)


def due(now: datetime, limit: int = 500) -> tuple[list[int], list[tuple[int, str]]]:
    """What the sweep sends again: events committed but never relayed (the process died
    between commit and enqueue) after a grace period, and deliveries whose time has come
    that no worker holds."""
    unrelayed = list(
        Event.objects.filter(relayed_at=None, occurred_at__lt=now - settings.EVENTS_RELAY_GRACE)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    deliveries = list(
        Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .filter(Q(started_at=None) | Q(started_at__lt=now - settings.EVENTS_LEASE))
        .order_by("next_attempt_at")
        .values_list("pk", "subscriber")[:limit]
    )
    # Sent now: the next sweep leaves them alone for a lease, rather than sending another
    # copy of each every 15 s while a backlog holds them in the broker.
    Delivery.objects.filter(pk__in=[pk for pk, _s in deliveries]).update(
        next_attempt_at=now + settings.EVENTS_LEASE
    )
    return unrelayed, deliveries


def retry(delivery_ids: list[int], *, now: datetime | None = None) -> int:
    """Put failed or waiting deliveries back in line at once (the admin's action)."""
    return (
        Delivery.objects.filter(pk__in=delivery_ids)
        .exclude(state=DeliveryState.DONE)
        .update(
            state=DeliveryState.PENDING,
            started_at=None,
            next_attempt_at=now or timezone.now(),
        )
    )


def purge(now: datetime) -> int:
    """Delete events older than the retention whose every delivery is done."""
    old = Event.objects.filter(occurred_at__lt=now - settings.EVENTS_RETENTION).exclude(
        deliveries__state__in=[DeliveryState.PENDING, DeliveryState.FAILED]
    )
    deleted, _ = old.exclude(relayed_at=None).delete()
    return deleted
