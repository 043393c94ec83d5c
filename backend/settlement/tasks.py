from celery import shared_task
from django.utils import timezone

from backend.settlement.payouts import payout_execute, payouts_to_retry
from backend.settlement.statements import statements_close_due


@shared_task(name="settlement.pay")
def payout_execute_task(payout_id: int) -> str:
    return payout_execute(payout_id=payout_id).state


@shared_task(name="settlement.close_statements")
def statements_close_task() -> int:
    """Close every period that has ended (hourly; each once), then pay what they left due."""
    closed = statements_close_due(today=timezone.localdate())
    for statement in closed:
        payout_id = getattr(getattr(statement, "payout", None), "pk", None)
        if payout_id:
            payout_execute_task.delay(payout_id)
    return len(closed)


@shared_task(name="settlement.retry_payouts")
def payouts_retry_task() -> int:
    due = payouts_to_retry(now=timezone.now())
    for payout_id in due:
        payout_execute_task.delay(payout_id)
    return len(due)
