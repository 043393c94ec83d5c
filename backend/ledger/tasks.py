from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from backend.ledger.earning import earning_catch_up
from backend.ledger.reconciliation import stripe_reconcile


@shared_task(name="ledger.earn")
def ledger_earn_task() -> int:
    """Earn every day not yet earned, up to yesterday: hourly, each day once."""
    return len(earning_catch_up(today=timezone.localdate()))


@shared_task(name="ledger.reconcile_stripe")
def ledger_reconcile_stripe_task(day: str | None = None) -> int:
    """Reconcile a UTC day with Stripe (yesterday by default); the differences found."""
    on = date.fromisoformat(day) if day else timezone.now().date() - timedelta(days=1)
    return stripe_reconcile(on).differences.count()
