"""The ledger listens to the money events (domain events) and posts each once."""

from backend.events.registry import subscribe
from backend.ledger.postings import (
    cancellation_post,
    chargeback_post,
    claim_approved_post,
    refund_paid_post,
    sale_post,
)


def contract_changed(event) -> None:
    contract_id = int(event.aggregate_id)
    if event.name == "contract.activated":
        sale_post(contract_id=contract_id)
    elif event.name == "contract.cancelled":
        cancellation_post(contract_id=contract_id, refund_id=int(event.payload["refund"]))
    elif event.name == "contract.voided":
        chargeback_post(contract_id=contract_id)


def refund_paid(event) -> None:
    refund_paid_post(refund_id=int(event.aggregate_id))


def claim_approved(event) -> None:
    claim_approved_post(claim_id=int(event.aggregate_id))


def register() -> None:
    # Atomic: each posting and its delivery's "done" commit together, so each posts once.
    # Ordered: a contract's sale posts before its cancellation or chargeback.
    subscribe(
        "ledger.contracts",
        events=["contract.activated", "contract.cancelled", "contract.voided"],
        handler=contract_changed,
        ordered=True,
    )
    subscribe("ledger.refunds", events=["refund.paid"], handler=refund_paid)
    subscribe("ledger.claims", events=["claim.approved"], handler=claim_approved)
