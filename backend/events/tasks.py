from celery import shared_task
from django.utils import timezone

from backend.events import delivery
from backend.events.registry import queue_of


def relay_and_send(event_id: int) -> int:
    """Create the event's deliveries and send each as its own task."""
    pending = delivery.relay_pending(event_id)
    send_all(pending)
    return len(pending)


def send_all(pending: list[tuple[int, str]]) -> None:
    for delivery_id, subscriber in pending:
        deliver_later(delivery_id, subscriber)


@shared_task(name="events.relay")
def events_relay_task(event_id: int) -> int:
    """The sweep's relay of an event its publishing process committed and never relayed."""
    return relay_and_send(event_id)


def deliver_later(delivery_id: int, subscriber: str) -> None:
    events_deliver_task.apply_async((delivery_id,), queue=queue_of(subscriber))


@shared_task(name="events.deliver")
def events_deliver_task(delivery_id: int) -> str:
    return delivery.deliver(delivery_id)


@shared_task(name="events.sweep")
def events_sweep_task() -> int:
    """Relay what a dead process committed but never enqueued, and send the deliveries
    whose retry time has come."""
    unrelayed, deliveries = delivery.due(timezone.now())
    for event_id in unrelayed:
        events_relay_task.delay(event_id)
    for delivery_id, subscriber in deliveries:
        deliver_later(delivery_id, subscriber)
    return len(unrelayed) + len(deliveries)


@shared_task(name="events.purge")
def events_purge_task() -> int:
    return delivery.purge(timezone.now())
