"""Contract transitions. One service per transition.

Each one runs in a transaction: it locks the contract row, checks that the transition
may proceed, applies it (the model method only sets fields), saves, writes a
ContractEvent and publishes the domain event (``contract.activated`` ...), through the
shared helper (``common.transitions``). What follows a change (documents, e-mail,
merchants' webhooks, CRM tags) subscribes to those events; this module does not know
who listens. Nothing here talks to Stripe. The transitions a payment outcome triggers
(activate, fail_payment, void) take no SAVEPOINT when nested: they catch no database
error, so an error rolls back the caller's transaction as a whole.

Placing orders and cancelling with a refund span contracts and payments; they live in
``backend/checkout``.
"""

from collections.abc import Callable
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from backend.catalog.models import Category
from backend.common.actors import Actor
from backend.common.exceptions import ApplicationError
from backend.common.packs import pack_for
from backend.common.transitions import InvalidTransition, Transitions
from backend.contracts.choices import CancellationReason, ContractState
from backend.contracts.models import Contract, ContractEvent
from backend.customers.services import customer_upsert
from backend.legal.refunds import RefundQuote, RefundRules, refund_quote
from backend.plans.choices import CoverageStarts

__all__ = ["InvalidTransition"]

CONTRACTS = Transitions(
    Contract,
    ContractEvent,
    "contract",
    refusal=gettext_lazy("Contract %(number)s is %(state)s and cannot be %(action)s."),
)


# Checks other apps make before a contract may be cancelled, run inside the cancelling
# transaction under the contract's row lock (claims: no claim still to be decided). The
# apps register them in their AppConfig.ready(), so contracts does not import them.
CancellationGuard = Callable[[Contract], None]
_cancellation_guards: list[CancellationGuard] = []


def cancellation_guard_register(guard: CancellationGuard) -> None:
    if guard not in _cancellation_guards:
        _cancellation_guards.append(guard)


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


def contract_transfer(*, contract_id: int, actor: Actor, new_owner: dict, reason: str = ""):
    """Give an active contract to a new owner; it stays active and the change is audited."""
    with transaction.atomic():
        contract = CONTRACTS.lock(contract_id)
        if not contract.plan_snapshot.get("transferable", True):
            raise ApplicationError(_("This plan cannot be transferred."), code="not_transferable")
        if not can_proceed(contract.transfer):
            raise CONTRACTS.refuse(contract, _("transferred"))
        previous = contract.customer
        customer = customer_upsert(jurisdiction=previous.jurisdiction, **new_owner)
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


def contract_refund_quote(*, contract: Contract, reason: str, on=None) -> RefundQuote:
    """What cancelling ``contract`` today would refund, itemised (nothing is written)."""
    if contract.coverage_start is None:
        raise CONTRACTS.refuse(contract, _("cancelled"))
    appliance = Category.objects.filter(
        slug=contract.product_snapshot.get("category"), is_appliance_or_home_electronics=True
    ).exists()
    return refund_quote(
        rules=RefundRules.from_pack(pack_for(contract.jurisdiction)),
        price=contract.price,
        currency=contract.currency,
        purchased_on=timezone.localdate(contract.purchased_at),
        coverage_start=contract.coverage_start,
        coverage_end=contract.coverage_end,
        cancel_on=on or timezone.localdate(),
        claims_paid=contract.claims_paid,
        plan_cancellation_fee=contract.plan_snapshot.get("cancellation_fee", 0),
        appliance=appliance,
        product_returned=reason == CancellationReason.PRODUCT_RETURNED,
    )


def contract_lock_cancellable(*, contract_id: int) -> Contract:
    """The contract, locked, if it may be cancelled now: its transition allows it and no
    registered guard objects (inside the caller's transaction: the lock holds until it
    commits, so a claim cannot be paid meanwhile)."""
    contract = CONTRACTS.lock(contract_id)
    if not can_proceed(contract.cancel):
        raise CONTRACTS.refuse(contract, _("cancelled"))
    for guard in _cancellation_guards:
        guard(contract)
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
