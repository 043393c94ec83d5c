"""A claim as its merchant sees it: the body of the merchant claims API and of every
``claim.*`` webhook. Defined beside the claim, so that the webhooks app and the API render
the same thing without either importing the other. The desk's side (notes, assignee,
fraud flags) is never in it."""

from backend.claims.models import Claim
from backend.common.isoformat import iso_date, iso_datetime

# A claim's domain events, as merchants' webhooks name them.
WEBHOOK_OF_EVENT = {
    "claim.filed": "claim.filed",
    "claim.awaiting_customer": "claim.info_requested",
    "claim.approved": "claim.approved",
    "claim.denied": "claim.denied",
    "claim.fulfilled": "claim.fulfilled",
    "claim.closed": "claim.closed",
}


def claim_dict(claim: Claim) -> dict:
    """Load ``contract`` and ``customer`` with the claim."""
    product = claim.contract.product_snapshot
    return {
        "number": claim.number,
        "state": claim.state,
        "contract_number": claim.contract.number,
        "customer_email": claim.customer.email,
        "product": {"sku": product.get("sku"), "title": product.get("title", "")},
        "reason": claim.reason,
        "failure_date": iso_date(claim.failure_date),
        "description": claim.description,
        "currency": claim.currency,
        "claimed_amount": claim.claimed_amount,
        "approved_amount": claim.approved_amount,
        "resolution_kind": claim.resolution_kind,
        "filed_at": iso_datetime(claim.created_at),
        "decided_at": iso_datetime(claim.decided_at),
        "resolved_at": iso_datetime(claim.resolved_at),
        "closed_at": iso_datetime(claim.closed_at),
    }
