from celery import shared_task

from backend.crm import leads, services


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


@shared_task(name="crm.export_run", acks_late=True, time_limit=3600, soft_time_limit=3500)
def export_run_task(job_id: int) -> None:
    """Write one export's file (idempotent: a finished job is left alone)."""
    services.export_run(job_id=job_id)


@shared_task(name="crm.exports_purge")
def exports_purge_task() -> int:
    return services.exports_purge()


@shared_task(name="crm.leads")
def leads_task() -> dict:
    """Close leads whose buying window passed, and queue the offer e-mails that are due."""
    expired = leads.leads_expire()
    due = leads.leads_due_offer()
    for lead_id in due:
        lead_offer_send_task.delay(lead_id)
    return {"expired": expired, "offers_queued": len(due)}


@shared_task(
    name="crm.lead_offer_send", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def lead_offer_send_task(lead_id: int) -> bool:
    """One order's offer e-mail (idempotent: sent once per order, consent checked again)."""
    return leads.lead_offer_send(lead_id=lead_id)
