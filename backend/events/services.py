"""Publishing a domain event: a row in the transaction of the change it describes."""

from django.db import transaction
from django.utils import timezone

from backend.events.models import Event
from backend.events.registry import subscribers_for
from backend.events.tasks import events_relay_task


class NotInTransaction(RuntimeError):
    """An event published outside a transaction could outlive a change that rolled back."""


def publish(name: str, *, aggregate: str, aggregate_id, payload: dict | None = None) -> Event:
    """Write the event now, in the caller's transaction, and relay it once that commits.
    If the process dies after the commit and before the relay, the sweep relays it."""
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
        transaction.on_commit(lambda: events_relay_task.delay(event.pk))
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
        transaction.on_commit(lambda: [events_relay_task.delay(pk) for pk in event_ids])
    return len(event_ids)
