from celery import shared_task
from django.utils import timezone

from backend.webhooks.services import deliveries_due, delivery_attempt


@shared_task(name="webhooks.deliver")
def webhook_deliver_task(delivery_id: int) -> str:
    return delivery_attempt(delivery_id=delivery_id).state


@shared_task(name="webhooks.retry_due")
def webhooks_retry_due_task(limit: int = 500) -> int:
    """Send every delivery whose retry time has come (the backoff schedule lives in the DB)."""
    due = deliveries_due(now=timezone.now(), limit=limit)
    for delivery_id in due:
        webhook_deliver_task.delay(delivery_id)
    return len(due)
