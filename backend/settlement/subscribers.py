"""Settlement listens to the claims desk: an approved reimbursement opens its payout, and a
repair resolved pays the partner's invoice."""

from django.db import transaction

from backend.events.registry import subscribe
from backend.settlement.claim_payouts import claim_payout_open, partner_payout_open
from backend.settlement.tasks import partner_payout_task


def claim_approved(event) -> None:
    claim_payout_open(claim_id=int(event.aggregate_id))


def claim_resolved(event) -> None:
    payout = partner_payout_open(claim_id=int(event.aggregate_id))
    if payout is not None:
        transaction.on_commit(lambda: partner_payout_task.delay(payout.pk))


def register() -> None:
    # Atomic: the payout row and the delivery's "done" commit together (one per claim).
    subscribe("settlement.claim_payouts", events=["claim.approved"], handler=claim_approved)
    subscribe("settlement.partner_payouts", events=["claim.resolved"], handler=claim_resolved)
