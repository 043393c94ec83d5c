"""What a contract owes its claims: the one door through which the claims desk pays out.

A claim is paid under the contract's row lock, from its remaining limit of liability; the
same lock orders a payout against a cancellation (``checkout.cancellation``), so a refund
always deducts every claim paid and nothing is paid on a cancelled contract.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.common.actors import Actor
from backend.common.exceptions import ApplicationError
from backend.common.transitions import InvalidTransition
from backend.contracts.choices import ContractState
from backend.contracts.models import Contract
from backend.contracts.transitions import CONTRACTS


def contract_ensure_within_limit(contract: Contract, amount: int) -> None:
    """Refuse an amount the contract's remaining limit of liability cannot pay."""
    if amount > contract.limit_remaining:
        raise ApplicationError(
            _("The amount is more than the %(left)s left of this contract's limit.")
            % {"left": contract.limit_remaining},
            code="over_limit_of_liability",
            extra={"limit_remaining": contract.limit_remaining},
        )


def contract_ensure_payable(contract: Contract, *, filed_at: datetime) -> None:
    """Refuse to pay a claim on a contract that no longer owes one. Money goes out on an
    active contract, and on an expired one for a claim filed during its term (a claim
    filed in time is honoured after the term ends). Never on a cancelled contract (its
    refund was worked out from the claims paid until then), a voided one, or one already
    fulfilled."""
    if contract.state == ContractState.ACTIVE:
        return
    if (
        contract.state == ContractState.EXPIRED
        and contract.coverage_end is not None
        and timezone.localdate(filed_at) <= contract.coverage_end
    ):
        return
    raise InvalidTransition(
        _("Contract %(number)s is %(state)s: no claim can be paid on it.")
        % {"number": contract.number, "state": contract.get_state_display().lower()},
        code="contract_not_payable",
        extra={"state": contract.state},
    )


def contract_lock_payable(*, contract_id: int, filed_at: datetime) -> Contract:
    """The contract, locked, if a claim filed at ``filed_at`` may still draw on it (inside
    the caller's transaction: the lock holds until it commits)."""
    contract = CONTRACTS.lock(contract_id)
    contract_ensure_payable(contract, filed_at=filed_at)
    return contract


def contract_pay_claim(
    *,
    contract_id: int,
    amount: int,
    replaced: bool,
    actor: Actor,
    claim_number: str,
    filed_at: datetime,
) -> Contract:
    """An approved claim draws on the contract: ``amount`` comes off the remaining limit of
    liability and adds to the claims paid. A replaced product, or a limit used up, fulfils
    the contract (DESIGN.md). Runs inside the approving transaction, under the contract's
    row lock, so it and a cancellation never both succeed (contract_cancel)."""
    with transaction.atomic(savepoint=False):
        contract = contract_lock_payable(contract_id=contract_id, filed_at=filed_at)
        contract_ensure_within_limit(contract, amount)
        contract.limit_remaining -= amount
        contract.claims_paid += amount
        data = {
            "claim": claim_number,
            "amount": amount,
            "limit_remaining": contract.limit_remaining,
        }
        used_up = replaced or contract.limit_remaining == 0
        if not (
            used_up
            and CONTRACTS.apply(
                contract,
                "fulfil",
                actor=actor,
                reason="product replaced" if replaced else "limit of liability used up",
                data=data,
                event="contract.fulfilled",
                payload={"claim": claim_number},
                at=timezone.now(),
            )
        ):
            contract.save()
            CONTRACTS.record(contract, "claim_paid", contract.state, actor, "", data)
    return contract
