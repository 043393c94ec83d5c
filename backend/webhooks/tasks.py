from celery import shared_task
from django.utils import timezone

from backend.webhooks.models import WebhookDelivery
from backend.webhooks.services import delivery_attempt


@shared_task(name="webhooks.deliver")
def webhook_deliver_task(delivery_id: int) -> str:
    return delivery_attempt(delivery_id=delivery_id).state


@shared_task(name="webhooks.retry_due")
def webhooks_retry_due_task(limit: int = 500) -> int:
    """Send every delivery whose retry time has come (the backoff schedule lives in the DB)."""
    due = (
        WebhookDelivery.objects.filter(
            state__in=WebhookDelivery._OPEN, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in due:
        webhook_deliver_task.delay(delivery_id)
    return len(due)
