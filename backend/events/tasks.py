from celery import shared_task
from django.utils import timezone

from backend.events import delivery


@shared_task(name="events.relay")
def events_relay_task(event_id: int) -> int:
    """Create the event's deliveries and send each as its own task."""
    pending = delivery.relay(event_id)
    for delivery_id in pending:
        events_deliver_task.delay(delivery_id)
    return len(pending)


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
    for delivery_id in deliveries:
        events_deliver_task.delay(delivery_id)
    return len(unrelayed) + len(deliveries)


@shared_task(name="events.purge")
def events_purge_task() -> int:
    return delivery.purge(timezone.now())
