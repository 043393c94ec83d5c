from celery import shared_task

from backend.crm import services


@shared_task(name="crm.tag_event", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def tag_event_task(trigger: str, object_id: int) -> list[str]:
    """Tag for one committed event (idempotent: a duplicate delivery tags nothing twice)."""
    return services.tags_for_event(trigger=trigger, object_id=object_id)


@shared_task(name="crm.recompute")
def recompute_task() -> dict:
    """Time-based tags for every customer (set-based), then expired tags taken off."""
    results = {name: list(counts) for name, counts in services.rules_recompute().items()}
    results["expired"] = services.tags_expire()
    return results
