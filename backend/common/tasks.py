from celery import shared_task


@shared_task(name="common.ping", acks_late=False, ignore_result=False)
def ping() -> str:
    """A no-op round trip through the broker and a worker, for health checks and tests."""
    return "pong"
