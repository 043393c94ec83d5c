from datetime import timedelta

from celery import shared_task

from backend.connectors.shopify import services


@shared_task(name="shopify.process_webhook", bind=True, max_retries=10)
def webhook_process_task(self, webhook_pk: int) -> str:
    try:
        return services.webhook_process(webhook_pk=webhook_pk).status
    except Exception as exc:
        services.webhook_mark_failed(webhook_pk=webhook_pk, error=repr(exc))
        raise self.retry(exc=exc, countdown=min(2**self.request.retries, 300)) from exc


@shared_task(name="shopify.webhooks_sweep")
def webhooks_sweep_task(older_than_seconds: int = 120) -> int:
    """Process again the webhooks a lost task or a killed worker left unsettled; each is
    applied once whatever happened (``webhook_process``)."""
    stuck = services.webhooks_to_retry(older_than=timedelta(seconds=older_than_seconds))
    for webhook_pk in stuck:
        webhook_process_task.delay(webhook_pk)
    return len(stuck)
