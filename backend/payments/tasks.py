from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from backend.payments import refunds, services, stripe_events
from backend.payments.choices import RefundState
from backend.payments.stripe_gateway import PaymentProviderError, PaymentProviderUnavailable


@shared_task(name="payments.process_stripe_event", bind=True, max_retries=10)
def stripe_event_process_task(self, event_pk: int) -> str:
    try:
        return stripe_events.stripe_event_process(event_pk=event_pk).status
    except Exception as exc:
        stripe_events.stripe_event_mark_failed(event_pk=event_pk, error=repr(exc))
        raise self.retry(exc=exc, countdown=min(2**self.request.retries, 300)) from exc


@shared_task(name="payments.refund_execute")
def refund_execute_task(refund_id: int) -> str:
    """Pay a refund. If Stripe is down or refuses, the refund is marked failed (visible to
    staff, with the reason) and ``refunds_retry_and_accrue`` tries it again on its next run."""
    try:
        return refunds.refund_execute(refund_id=refund_id).state
    except (PaymentProviderUnavailable, PaymentProviderError):
        return RefundState.FAILED


@shared_task(name="payments.reconcile")
def payments_reconcile_task(older_than_seconds: int = 120, limit: int = 500) -> int:
    """Find payments Stripe may have completed without telling us (a lost webhook)."""
    ids = services.payments_to_reconcile(
        now=timezone.now(), older_than=timedelta(seconds=older_than_seconds), limit=limit
    )
    recovered = 0
    for payment_id in ids:
        try:
            recovered += services.payment_reconcile(payment_id=payment_id)
        except PaymentProviderUnavailable:
            break  # Stripe is down: try the rest on the next run
    return recovered


@shared_task(name="payments.refunds_retry_and_accrue")
def refunds_retry_and_accrue_task() -> dict:
    """Retry failed refunds and accrue late penalties on overdue ones."""
    for refund_id in refunds.refunds_failed():
        refund_execute_task.delay(refund_id)
    return {"accrued": refunds.refunds_accrue_penalties(now=timezone.now())}


@shared_task(name="payments.refunds_sweep")
def refunds_sweep_task() -> int:
    """Recover refunds a lost task or a killed worker left behind (refunds.refunds_stuck):
    each is paid again through refund_execute, which pays it once whatever happened."""
    stuck = refunds.refunds_stuck(now=timezone.now())
    for refund_id in stuck:
        refund_execute_task.delay(refund_id)
    return len(stuck)
