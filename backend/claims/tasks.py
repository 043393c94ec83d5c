from celery import shared_task

from backend.claims.sweep import claims_sweep


@shared_task(name="claims.sweep")
def claims_sweep_task() -> dict:
    return claims_sweep()
