"""Publishing a domain event: a row in the transaction of the change it describes."""

import logging

from django.db import transaction
from django.utils import timezone

from backend.events.delivery import deliveries_create
from backend.events.models import Event
from backend.events.registry import subscribers_for
from backend.events.tasks import relay_and_send, send_all

logger = logging.getLogger(__name__)


class NotInTransaction(RuntimeError):
    """An event published outside a transaction could outlive a change that rolled back."""


def publish(name: str, *, aggregate: str, aggregate_id, payload: dict | None = None) -> Event:
    """Write the event and its deliveries (one per subscriber that wants it) now, in the
    caller's transaction, and send each delivery as its own task once that commits. If the
    process dies after the commit, or the broker refuses the tasks, the sweep sends the
    deliveries once their lease has passed: they are rows already, and nothing is lost."""
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction(f"publish {name} inside the transaction of its change")
    now = timezone.now()
    event = Event.objects.create(
        name=name,
        aggregate=aggregate,
        aggregate_id=str(aggregate_id),
        payload=payload or {},
        occurred_at=now,
        relayed_at=now,
    )
    pending = deliveries_create(event, now=now)
    if pending:
        transaction.on_commit(lambda: _send(pending))
    return event


def _send(pending: list[tuple[int, str]]) -> None:
    try:
        send_all(pending)
    except Exception:  # the sweep sends what is left; the caller's change stands
        logger.warning("Deliveries %s are left to the sweep", pending, exc_info=True)


def publish_many(name: str, *, aggregate: str, ids: list, payload: dict | None = None) -> int:
    """``publish`` for a batch of aggregates (one INSERT): the same event for each id. Its
    deliveries are written after commit, by the relay: asking each subscriber whether it
    wants each of hundreds of events would lengthen the batch's transaction. An event
    nobody subscribes to is relayed as it is written."""
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction(f"publish {name} inside the transaction of its change")
    relayed_at = None if subscribers_for(name) else timezone.now()
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
    """The batch's on-commit relay, in this process (a task of its own per event cost
    more than the relay); a failure is left to the sweep, the change having committed."""
    for event_id in event_ids:
        try:
            relay_and_send(event_id)
        except Exception:  # the sweep relays whatever is left; the caller's change stands
            logger.warning("Event %s is left to the sweep to relay", event_id, exc_info=True)
