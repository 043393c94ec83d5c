"""Settlement listens to the claims desk: an approved reimbursement opens its payout."""

from backend.events.registry import subscribe
from backend.settlement.claim_payouts import claim_payout_open


def claim_approved(event) -> None:
    claim_payout_open(claim_id=int(event.aggregate_id))


def register() -> None:
    # Atomic: the payout row and the delivery's "done" commit together (one per claim).
    subscribe("settlement.claim_payouts", events=["claim.approved"], handler=claim_approved)
