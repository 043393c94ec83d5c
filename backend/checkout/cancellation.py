"""Cancelling a contract with its refund: the contract's transition and the refund it
owes, quoted and claimed in one transaction, the refund paid after commit.

The contract's row lock makes two concurrent cancellations queue: the first cancels and
opens the refund, the second finds the contract cancelled (409 ``invalid_transition``).
The same lock orders a cancellation against a claim being paid
(``contracts.liability.contract_pay_claim``): cancelling is refused while a claim is
still to be decided (``claims.services.no_unsettled_claim``), and a claim cannot be paid
once the contract is cancelled, so the refund always deducts every claim paid.
"""

from django.db import transaction
from django.utils import timezone

from backend.claims.desk import no_unsettled_claim
from backend.common.actors import Actor
from backend.contracts.models import Contract
from backend.contracts.selectors import contract_refund_quote
from backend.contracts.services import contract_cancel_apply, contract_lock_cancellable
from backend.payments.models import Refund
from backend.payments.refunds import refund_open
from backend.payments.tasks import refund_execute_task


def contract_cancel(
    *,
    contract_id: int,
    actor: Actor,
    reason: str,
    note: str = "",
    return_window_days: int | None = None,
) -> tuple[Contract, Refund]:
    """active -> cancelled, with its refund quoted and queued. If the process dies before
    the refund's task is queued, the refunds' sweep pays it (payments.refunds_sweep).
    ``return_window_days``: the store's window, for a product returned to it."""
    with transaction.atomic():
        contract = contract_lock_cancellable(contract_id=contract_id)
        no_unsettled_claim(contract)
        quote = contract_refund_quote(
            contract=contract, reason=reason, return_window_days=return_window_days
        )
        now = timezone.now()
        refund = refund_open(contract=contract, quote=quote, actor=actor, at=now)
        contract_cancel_apply(
            contract=contract,
            actor=actor,
            at=now,
            reason=reason,
            note=note,
            data={"refund": refund.pk, "refund_total": quote.total},
        )
        transaction.on_commit(lambda: refund_execute_task.delay(refund.pk))
    return contract, refund
