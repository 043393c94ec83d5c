from celery import shared_task
from django.utils import timezone

from backend.settlement.claim_payouts import partner_payout_execute, partner_payouts_due
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


@shared_task(name="settlement.pay_partner")
def partner_payout_task(payout_id: int) -> str:
    return partner_payout_execute(payout_id=payout_id).state


@shared_task(name="settlement.retry_payouts")
def payouts_retry_task() -> int:
    """Merchants' payouts due, and repair partners' claim payouts due, tried again."""
    due = payouts_to_retry(now=timezone.now())
    for payout_id in due:
        payout_execute_task.delay(payout_id)
    partners = partner_payouts_due()
    for payout_id in partners:
        partner_payout_task.delay(payout_id)
    return len(due) + len(partners)
