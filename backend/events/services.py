"""Publishing a domain event: a row in the transaction of the change it describes."""

import logging

from django.db import transaction
from django.utils import timezone

from backend.events.models import Event
from backend.events.registry import subscribers_for
from backend.events.tasks import relay_and_send

logger = logging.getLogger(__name__)


class NotInTransaction(RuntimeError):
    """An event published outside a transaction could outlive a change that rolled back."""


def publish(name: str, *, aggregate: str, aggregate_id, payload: dict | None = None) -> Event:
    """Write the event now, in the caller's transaction, and relay it once that commits,
    in this process: its deliveries are written and each is sent as its own task. If the
    process dies after the commit and before the relay, or the relay fails (the broker is
    down), the sweep relays it."""
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction(f"publish {name} inside the transaction of its change")
    event = Event.objects.create(
        name=name,
        aggregate=aggregate,
        aggregate_id=str(aggregate_id),
        payload=payload or {},
        relayed_at=_relayed_at_once(name),
    )
    if event.relayed_at is None:
        transaction.on_commit(lambda: _relay([event.pk]))
    return event


def _relayed_at_once(name: str):
    """An event nobody subscribes to is relayed as it is written: its relay would find no
    subscriber to hand it to, and costs a task and five queries (``order.paid`` on every
    purchase, until something listens to it)."""
    return None if subscribers_for(name) else timezone.now()


def publish_many(name: str, *, aggregate: str, ids: list, payload: dict | None = None) -> int:
    """``publish`` for a batch of aggregates (one INSERT): the same event for each id."""
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction(f"publish {name} inside the transaction of its change")
    relayed_at = _relayed_at_once(name)
    events = Event.objects.bulk_create(
        Event(
            name=name,
            aggregate=aggregate,
            aggregate_id=str(pk),
            payload=payload or {},
            relayed_at=relayed_at,
        )
        for pk in ids
    )
    event_ids = [event.pk for event in events]
    if relayed_at is None:
        transaction.on_commit(lambda: _relay(event_ids))
    return len(event_ids)


def _relay(event_ids: list[int]) -> None:
    """The on-commit relay. It costs one short transaction here instead of a task of its
    own (a task per event was a third of the outbox's cost per purchase), and a failure is
    left to the sweep: the change it follows has committed already."""
    for event_id in event_ids:
        try:
            relay_and_send(event_id)
        except Exception:  # the sweep relays whatever is left; the caller's change stands
            logger.warning("Event %s is left to the sweep to relay", event_id, exc_info=True)
