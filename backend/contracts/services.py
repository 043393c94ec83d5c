"""Contract transitions. One service per transition.

Each one runs in a transaction: it locks the contract row, checks that the transition
may proceed, applies it (the model method only sets fields), saves, writes a
ContractEvent and publishes the domain event (``contract.activated`` ...), through the
shared helper (``common.transitions``). What follows a change (documents, e-mail,
merchants' webhooks, CRM tags) subscribes to those events; this module does not know
who listens. Nothing here talks to Stripe. The transitions a payment outcome triggers
(activate, fail_payment, void) take no SAVEPOINT when nested: they catch no database
error, so an error rolls back the caller's transaction as a whole.

Placing orders, cancelling with a refund and transferring to a new owner span contracts
and other apps; they live in ``backend/checkout``, the one app that imports this module.
A claim's payout goes through ``contracts.liability``; a refund quote, which writes
nothing, is in ``contracts.selectors``.
"""

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from backend.common.actors import Actor
from backend.common.exceptions import ApplicationError, Conflict
from backend.common.transitions import InvalidTransition
from backend.contracts.choices import ContractState
from backend.contracts.models import Contract
from backend.contracts.transitions import CONTRACTS
from backend.customers.models import Customer
from backend.plans.choices import CoverageStarts

__all__ = ["InvalidTransition"]


def coverage_dates(contract: Contract) -> dict:
    """Coverage start and end, and when the waiting period ends, from the frozen terms."""
    plan = contract.plan_snapshot
    purchased_on = timezone.localdate(contract.purchased_at)
    start = purchased_on
    if plan["coverage_starts"] == CoverageStarts.AFTER_MANUFACTURER_WARRANTY:
        start += relativedelta(months=contract.product_snapshot["manufacturer_warranty_months"])
    return {
        "coverage_start": start,
        "coverage_end": start + relativedelta(months=plan["term_months"]),
        "waiting_period_ends": purchased_on + relativedelta(days=plan["waiting_period_days"]),
    }


def contract_activate(*, contract_id: int, actor: Actor, at: datetime) -> Contract | None:
    """pending_payment (or payment_failed) -> active. A repeat is a no-op (returns None)."""
    with transaction.atomic(savepoint=False):
        contract = CONTRACTS.lock(contract_id)
        activated = CONTRACTS.apply(
            contract,
            "activate",
            actor=actor,
            reason="Payment received",
            event="contract.activated",
            activated_at=at,
            **coverage_dates(contract),
        )
    return contract if activated else None


def contract_fail_payment(*, contract_id: int, actor: Actor, reason: str) -> Contract | None:
    with transaction.atomic(savepoint=False):
        contract = CONTRACTS.lock(contract_id)
        failed = CONTRACTS.apply(contract, "fail_payment", actor=actor, reason=reason)
    return contract if failed else None


def contract_void(*, contract_id: int, actor: Actor, reason: str) -> Contract | None:
    """Void a contract (chargeback, fraud) and flag it for the warranty desk."""
    with transaction.atomic(savepoint=False):
        contract = CONTRACTS.lock(contract_id)
        voided = CONTRACTS.apply(
            contract,
            "void",
            actor=actor,
            reason=reason,
            event="contract.voided",
            at=timezone.now(),
            flag_reason=reason,
        )
    return contract if voided else None


def contract_lock_transferable(*, contract_id: int) -> Contract:
    """The contract, locked, if it may pass to a new owner now (its plan allows transfers
    and its state the transition), inside the caller's transaction."""
    contract = CONTRACTS.lock(contract_id)
    if not contract.plan_snapshot.get("transferable", True):
        raise ApplicationError(_("This plan cannot be transferred."), code="not_transferable")
    if not can_proceed(contract.transfer):
        raise CONTRACTS.refuse(contract, _("transferred"))
    return contract


def contract_transfer_apply(
    *, contract: Contract, customer: Customer, actor: Actor, reason: str = ""
) -> Contract:
    """Give a contract ``contract_lock_transferable`` returned to ``customer``; it stays
    active and the change is audited (``contract.transferred``)."""
    previous = contract.customer
    if customer.pk == previous.pk:
        raise ApplicationError(_("The new owner is the current owner."), code="same_owner")
    owners = {"from_customer": previous.pk, "to_customer": customer.pk}
    CONTRACTS.apply(
        contract,
        "transfer",
        actor=actor,
        reason=reason,
        data=owners,
        event="contract.transferred",
        payload=owners,
        new_customer=customer,
    )
    return contract


def contract_exchange(*, contract_id: int, actor: Actor, product: dict, reason: str = ""):
    """Cover the product the store gave in exchange for the contract's: an active contract
    keeps its coverage dates, limit and price; the product must be of the same category
    (409 ``exchange_category_mismatch``). Audited, with both products
    (``contract.exchanged``)."""
    with transaction.atomic():
        contract = CONTRACTS.lock(contract_id)
        if not can_proceed(contract.exchange):
            raise CONTRACTS.refuse(contract, _("exchanged"))
        before = contract.product_snapshot
        if product.get("category") != before.get("category"):
            raise Conflict(
                _("A %(to)s cannot replace a %(from)s under this plan: it covers %(from)s only.")
                % {"to": product.get("category"), "from": before.get("category")},
                code="exchange_category_mismatch",
            )
        replacement = {**before, **product}
        products = {"from_product": before, "to_product": replacement}
        CONTRACTS.apply(
            contract,
            "exchange",
            actor=actor,
            reason=reason,
            data=products,
            event="contract.exchanged",
            payload={"from_sku": before.get("sku"), "to_sku": replacement.get("sku")},
            product=replacement,
        )
        return contract


def contract_lock_cancellable(*, contract_id: int) -> Contract:
    """The contract, locked, if its transition allows a cancellation now (inside the
    caller's transaction: the lock holds until it commits, so a claim cannot be paid
    meanwhile; ``checkout.cancellation`` checks the claims themselves)."""
    contract = CONTRACTS.lock(contract_id)
    if not can_proceed(contract.cancel):
        raise CONTRACTS.refuse(contract, _("cancelled"))
    return contract


def contract_cancel_apply(
    *, contract: Contract, actor: Actor, at: datetime, reason: str, note: str, data: dict
) -> Contract:
    """active -> cancelled, on a contract ``contract_lock_cancellable`` returned. ``data``
    (the refund and its total) goes on the audit row and the event."""
    CONTRACTS.apply(
        contract,
        "cancel",
        actor=actor,
        reason=note or reason,
        data={"reason": reason, **data},
        event="contract.cancelled",
        payload={"reason": reason, **data},
        at=at,
    )
    return contract


def contracts_expire_due(*, today=None, batch_size: int = 500) -> int:
    """Expire every active contract whose coverage has ended. Batched and set-based.

    Each batch locks its rows (skipping rows another worker holds), runs ``Contract.expire``
    on each, and writes them with one UPDATE, their audit rows with one INSERT and their
    ``contract.expired`` events with another (``Transitions.apply_many``). Running it
    twice expires nothing twice.
    """
    today = today or timezone.localdate()
    expired = 0
    actor = Actor.system("expiry task")
    while True:
        with transaction.atomic():
            batch = list(
                Contract.objects.select_for_update(skip_locked=True)
                .filter(state=ContractState.ACTIVE, coverage_end__lte=today)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return expired
            changed = CONTRACTS.apply_many(
                batch,
                "expire",
                actor=actor,
                fields=("ended_at",),
                reason="Coverage ended",
                event="contract.expired",
                at=timezone.now(),
            )
        expired += len(changed)
