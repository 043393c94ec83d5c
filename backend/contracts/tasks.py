from celery import shared_task
from django.utils import timezone

from backend.contracts.services import contracts_expire_due


@shared_task(name="contracts.expire_due")
def contracts_expire_due_task() -> int:
    return contracts_expire_due(today=timezone.localdate())
