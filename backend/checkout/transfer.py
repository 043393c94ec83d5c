"""Transferring a contract to a new owner: the holder's customer record and the contract's
transition, in one transaction (a refused transfer leaves no new customer behind)."""

from django.db import transaction

from backend.common.actors import Actor
from backend.contracts.models import Contract
from backend.contracts.services import contract_lock_transferable, contract_transfer_apply
from backend.customers.services import customer_upsert


def contract_transfer(
    *, contract_id: int, actor: Actor, new_owner: dict, reason: str = ""
) -> Contract:
    """Give an active contract to a new owner, found or created by e-mail in the current
    holder's jurisdiction; it stays active and the change is audited."""
    with transaction.atomic():
        contract = contract_lock_transferable(contract_id=contract_id)
        customer = customer_upsert(jurisdiction=contract.customer.jurisdiction, **new_owner)
        return contract_transfer_apply(
            contract=contract, customer=customer, actor=actor, reason=reason
        )
