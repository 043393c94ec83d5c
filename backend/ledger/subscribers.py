"""The ledger listens to the money events (domain events) and posts each once."""

from backend.events.registry import subscribe
from backend.ledger.postings import sale_post


def contract_activated(event) -> None:
    sale_post(contract_id=int(event.aggregate_id))


def register() -> None:
    # Atomic: the posting and the delivery's "done" commit together, so each posts once.
    subscribe("ledger.sale", events=["contract.activated"], handler=contract_activated)
