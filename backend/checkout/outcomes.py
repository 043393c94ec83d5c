"""What a payment's outcome does to the order's contracts. Registered with payments in
``CheckoutConfig.ready()``; each runs inside the outcome's transaction, under the
payment's row lock."""

from backend.common.actors import Actor
from backend.contracts.choices import ContractState
from backend.contracts.models import Contract
from backend.contracts.services import contract_activate, contract_fail_payment, contract_void
from backend.payments.models import Payment
from backend.payments.services import payment_outcome_register

S = ContractState


def _order_contract_ids(payment: Payment, states) -> list[int]:
    return list(
        Contract.objects.filter(order_line__order_id=payment.order_id, state__in=states)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def activate_contracts(payment: Payment, *, actor: Actor, at) -> None:
    for contract_id in _order_contract_ids(payment, (S.PENDING_PAYMENT, S.PAYMENT_FAILED)):
        contract_activate(contract_id=contract_id, actor=actor, at=at)


def hold_contracts(payment: Payment, *, actor: Actor, message: str) -> None:
    for contract_id in _order_contract_ids(payment, (S.PENDING_PAYMENT,)):
        contract_fail_payment(contract_id=contract_id, actor=actor, reason=message)


def void_contracts(payment: Payment, *, actor: Actor, reason: str) -> None:
    for contract_id in _order_contract_ids(
        payment, (S.ACTIVE, S.PENDING_PAYMENT, S.PAYMENT_FAILED)
    ):
        contract_void(contract_id=contract_id, actor=actor, reason=reason)


def register() -> None:
    payment_outcome_register("succeeded", activate_contracts)
    payment_outcome_register("failed", hold_contracts)
    payment_outcome_register("disputed", void_contracts)
