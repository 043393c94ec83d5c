"""Publishing a domain event: a row in the transaction of the change it describes."""

from django.db import transaction

from backend.events.models import Event
from backend.events.tasks import events_relay_task


class NotInTransaction(RuntimeError):
    """An event published outside a transaction could outlive a change that rolled back."""


def publish(name: str, *, aggregate: str, aggregate_id, payload: dict | None = None) -> Event:
    """Write the event now, in the caller's transaction, and relay it once that commits.
    If the process dies after the commit and before the relay, the sweep relays it."""
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction(f"publish {name} inside the transaction of its change")
    event = Event.objects.create(
        name=name, aggregate=aggregate, aggregate_id=str(aggregate_id), payload=payload or {}
    )
    transaction.on_commit(lambda: events_relay_task.delay(event.pk))
    return event


def publish_many(name: str, *, aggregate: str, ids: list, payload: dict | None = None) -> int:
    """``publish`` for a batch of aggregates (one INSERT): the same event for each id."""
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction(f"publish {name} inside the transaction of its change")
    events = Event.objects.bulk_create(
        Event(name=name, aggregate=aggregate, aggregate_id=str(pk), payload=payload or {})
        for pk in ids
    )
    event_ids = [event.pk for event in events]
    transaction.on_commit(lambda: [events_relay_task.delay(pk) for pk in event_ids])
    return len(event_ids)
