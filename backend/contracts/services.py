"""Writes for orders and contracts. One service per transition.

Every transition service opens a transaction, locks the contract row, checks that the
transition may proceed, applies it (the model method only sets fields), saves, writes a
ContractEvent, and registers follow-up work to run after commit. Nothing here talks to
Stripe inside a transaction. The transitions a payment outcome triggers (activate,
fail_payment, void) take no SAVEPOINT when nested: they catch no database error, so an
error rolls back the caller's transaction as a whole.
"""

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from backend.common.actors import Actor
from backend.common.exceptions import ApplicationError, Conflict
from backend.common.packs import pack_for
from backend.common.queries import unique_or_none
from backend.contracts.choices import ContractState
from backend.contracts.models import Contract, ContractEvent, Order, OrderLine
from backend.customers.choices import (
    E_DELIVERY_TEXT_VERSION,
    ConsentKind,
    ConsentSource,
    e_delivery_disclosure,
)
from backend.customers.services import consent_record, customer_upsert
from backend.plans.choices import CoverageStarts
from backend.plans.models import Plan, PlanPrice
from backend.plans.offers import OfferClaims, offer_token_verify
from backend.plans.terms import terms_sha256
from backend.plans.texts import plan_texts

_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


class InvalidTransition(Conflict):
    default_code = "invalid_transition"


# Checks other apps make before a contract may be cancelled, run inside the cancelling
# transaction under the contract's row lock (claims: no claim still to be decided). The
# apps register them in their AppConfig.ready(), so contracts does not import them.
CancellationGuard = Callable[[Contract], None]
_cancellation_guards: list[CancellationGuard] = []


def cancellation_guard_register(guard: CancellationGuard) -> None:
    if guard not in _cancellation_guards:
        _cancellation_guards.append(guard)


# --- Orders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    offer_token: str
    terms_sha256: str
    quantity: int
    product_title: str = ""


@dataclass(frozen=True)
class TermsAcceptance:
    text: str
    text_version: str
    ip_address: str | None = None
    user_agent: str = ""


@dataclass(frozen=True)
class OrderInput:
    merchant_order_id: str
    jurisdiction: str
    customer: dict
    lines: list[LineInput]
    terms: TermsAcceptance
    purchased_at: datetime | None = None
    marketing_email_consent: bool | None = None
    source: ConsentSource = ConsentSource.MERCHANT_API
    actor: Actor | None = None  # who placed it; the merchant's API when not given

    def customer_profile(self) -> dict:
        return {k: v for k, v in self.customer.items() if k not in ("email", "jurisdiction")}


@dataclass
class OrderUpsertResult:
    order: Order
    created: bool
    contracts: list[Contract] = field(default_factory=list)


@dataclass(frozen=True)
class _VerifiedLine:
    claims: OfferClaims
    plan: Plan
    band: PlanPrice
    quantity: int
    title: str
    terms_sha256: str


def _verify_lines(*, merchant, data: OrderInput) -> list[_VerifiedLine]:
    """Check every offer token and what it binds; raise on the first bad line."""
    tokens = [
        offer_token_verify(token=line.offer_token, merchant_id=merchant.id) for line in data.lines
    ]
    plan_ids = {c.plan_id for c in tokens}
    plans = {
        plan.id: plan
        for plan in Plan.objects.select_related("provider", "administrator")
        .filter(id__in=plan_ids)
        .order_by()
    }
    bands = list(PlanPrice.objects.filter(plan_id__in=plan_ids).order_by())
    verified = []
    for index, (line, claims) in enumerate(zip(data.lines, tokens, strict=True)):
        where = {"lines": {str(index): {}}}
        if claims.jurisdiction != data.jurisdiction:
            where["lines"][str(index)] = {
                "offer_token": [
                    _("This offer was made for %(offered)s, not %(order)s.")
                    % {"offered": claims.jurisdiction, "order": data.jurisdiction}
                ]
            }
            raise ApplicationError(
                _("An offer does not match the order's jurisdiction."),
                code="offer_jurisdiction_mismatch",
                fields=where,
            )
        if line.quantity > claims.quantity:
            where["lines"][str(index)] = {
                "quantity": [_("The offer covers at most %(n)d units.") % {"n": claims.quantity}]
            }
            raise ApplicationError(
                _("A line asks for more units than its offer covers."),
                code="offer_quantity_exceeded",
                fields=where,
            )
        plan = plans.get(claims.plan_id)
        band = None
        if plan is not None and plan.is_active:
            band = next(
                (
                    b
                    for b in bands
                    if b.plan_id == plan.id
                    and b.currency == claims.currency
                    and b.product_price_min <= claims.product_price <= b.product_price_max
                ),
                None,
            )
        if band is None:
            raise ApplicationError(
                _("A plan in this order is no longer offered; ask for fresh offers."),
                code="offer_no_longer_available",
                fields=where,
            )
        shown = {
            terms_sha256(plan.code, data.jurisdiction, language)
            for language, _name in settings.LANGUAGES
        }
        if line.terms_sha256 not in shown:
            where["lines"][str(index)] = {
                "terms_sha256": [_("These are not the current terms of this plan.")]
            }
            raise Conflict(
                _("The plan terms changed since the shopper read them; show them again."),
                code="terms_changed",
                fields=where,
            )
        title = line.product_title or claims.sku or ""
        verified.append(_VerifiedLine(claims, plan, band, line.quantity, title, line.terms_sha256))
    currencies = {v.claims.currency for v in verified}
    if len(currencies) > 1:
        raise ApplicationError(
            _("All lines of an order must be in one currency."), code="mixed_currencies"
        )
    return verified


def _content_sha256(data: OrderInput, lines: list[_VerifiedLine]) -> str:
    """What makes two PUTs 'the same order': who, where, and what at which price."""
    canonical = {
        "email": data.customer["email"].strip().lower(),
        "jurisdiction": data.jurisdiction,
        "lines": [
            [
                v.plan.id,
                v.claims.sku,
                v.claims.category,
                v.claims.product_price,
                v.claims.plan_price,
                v.claims.currency,
                v.quantity,
            ]
            for v in lines
        ],
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def _party_snapshot(party) -> dict | None:
    if party is None:
        return None
    return {
        "legal_name": party.legal_name,
        "mailing_address": party.mailing_address,
        "toll_free_phone": party.toll_free_phone,
        "email": party.email,
        "registration_numbers": party.registration_numbers,
    }


def plan_parties(plan: Plan) -> dict:
    """The provider and administrator as a contract records them."""
    provider = plan.provider
    return {
        "provider": {
            **_party_snapshot(provider),
            "backing": provider.backing,
            "insurer_name": provider.insurer_name,
            "insurer_address": provider.insurer_address,
            "insurer_phone": provider.insurer_phone,
        },
        "administrator": _party_snapshot(plan.administrator),
    }


def _plan_snapshot(plan: Plan, band: PlanPrice) -> dict:
    """The plan's terms as sold. Later catalogue edits never change a contract."""
    return {
        "code": plan.code,
        "name": plan.name,
        "coverage": plan.coverage,
        "term_months": plan.term_months,
        "service_type": plan.service_type,
        "waiting_period_days": plan.waiting_period_days,
        "coverage_starts": plan.coverage_starts,
        "summary": plan.summary,
        "covered": plan.covered,
        "exclusions": plan.exclusions,
        # Every language's name, summary, coverage and exclusions, as sold (plans.texts).
        "texts": plan_texts(plan),
        "transferable": plan.transferable,
        "terms_template": plan.terms_template,
        "deductible": band.deductible,
        "cancellation_fee": band.cancellation_fee,
        **plan_parties(plan),
    }


def _new_contract_number(year: int) -> str:
    return f"CD-{year}-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))


def order_upsert(*, merchant, data: OrderInput) -> OrderUpsertResult:
    """Create an order and one contract per covered unit, or return the existing order.

    Idempotent by the merchant's order id: the same order sent again returns the same
    contracts; the same id with different lines is a 409 ``order_conflict``. The payment
    is set up separately (``payments.services.payment_ensure_intent``), after commit.
    """
    verified = _verify_lines(merchant=merchant, data=data)
    content = _content_sha256(data, verified)

    existing = _order_for_upsert(merchant, data.merchant_order_id)
    if existing is not None:
        return _existing_order(existing, content)

    purchased_at = data.purchased_at or timezone.now()
    actor = data.actor or Actor.merchant(merchant, "order PUT")
    # The template version each contract is sold under; its documents always use it.
    documents = pack_for(data.jurisdiction).document_versions
    try:
        with transaction.atomic():
            customer = customer_upsert(
                email=data.customer["email"],
                jurisdiction=data.jurisdiction,
                **data.customer_profile(),
            )
            order = Order.objects.create(
                merchant=merchant,
                merchant_order_id=data.merchant_order_id,
                customer=customer,
                currency=verified[0].claims.currency,
                jurisdiction=data.jurisdiction,
                total=sum(v.claims.plan_price * v.quantity for v in verified),
                content_sha256=content,
                purchased_at=purchased_at,
            )
            contracts = []
            for position, v in enumerate(verified):
                product = {
                    "sku": v.claims.sku,
                    "title": v.title,
                    "category": v.claims.category,
                    "price": v.claims.product_price,
                    "currency": v.claims.currency,
                    "manufacturer_warranty_months": v.claims.manufacturer_warranty_months,
                }
                line = OrderLine.objects.create(
                    order=order,
                    position=position,
                    plan=v.plan,
                    product=product,
                    quantity=v.quantity,
                    unit_price=v.claims.plan_price,
                    currency=v.claims.currency,
                )
                snapshot = _plan_snapshot(v.plan, v.band)
                limit = v.band.limit_of_liability or v.claims.product_price
                contracts += [
                    Contract(
                        number=_new_contract_number(purchased_at.year),
                        order_line=line,
                        unit_index=unit,
                        merchant=merchant,
                        customer=customer,
                        plan=v.plan,
                        product_snapshot=product,
                        plan_snapshot=snapshot,
                        price=v.claims.plan_price,
                        currency=v.claims.currency,
                        jurisdiction=data.jurisdiction,
                        purchased_at=purchased_at,
                        template_version=f"{v.plan.terms_template}/"
                        + documents.get(v.plan.terms_template, ""),
                        limit_of_liability=limit,
                        limit_remaining=limit,
                    )
                    for unit in range(1, v.quantity + 1)
                ]
            Contract.objects.bulk_create(contracts)
            ContractEvent.objects.bulk_create(
                ContractEvent.of(
                    actor,
                    contract=c,
                    name="create",
                    from_state="",
                    to_state=c.state,
                    reason=f"Order {data.merchant_order_id}",
                )
                for c in contracts
            )
            _record_consents(customer=customer, merchant=merchant, data=data, lines=verified)
            from backend.payments.services import payment_prepare

            payment_prepare(order=order)
    except IntegrityError:
        # A concurrent PUT of the same order id won the race: answer as for a repeat.
        existing = _order_for_upsert(merchant, data.merchant_order_id)
        if existing is None:
            raise
        return _existing_order(existing, content)
    return OrderUpsertResult(order=order, created=True, contracts=contracts)


def _order_for_upsert(merchant, merchant_order_id: str) -> Order | None:
    return unique_or_none(
        Order.objects.select_related("merchant", "customer", "payment").filter(
            merchant=merchant, merchant_order_id=merchant_order_id
        )
    )


def _existing_order(order: Order, content: str) -> OrderUpsertResult:
    if order.content_sha256 != content:
        raise Conflict(
            _(
                "Order %(id)s already exists with other lines or another customer. Use a new "
                "order id for a different order."
            )
            % {"id": order.merchant_order_id},
            code="order_conflict",
        )
    from backend.contracts.selectors import order_contracts

    return OrderUpsertResult(order=order, created=False, contracts=order_contracts(order=order))


def _record_consents(*, customer, merchant, data: OrderInput, lines) -> None:
    """One terms acceptance per plan, holding the hash of exactly the terms shown, and the
    consent to electronic delivery with the E-SIGN disclosures it was given on."""
    terms = data.terms
    with translation.override(data.customer.get("locale") or "en"):
        disclosure = e_delivery_disclosure()
    consent_record(
        customer=customer,
        kind=ConsentKind.E_DELIVERY,
        granted=True,
        text=disclosure,
        text_version=E_DELIVERY_TEXT_VERSION,
        source=data.source,
        ip_address=terms.ip_address,
        user_agent=terms.user_agent,
        merchant=merchant,
    )
    for plan_code, document_sha256 in sorted({(v.plan.code, v.terms_sha256) for v in lines}):
        consent_record(
            customer=customer,
            kind=ConsentKind.TERMS_ACCEPTANCE,
            granted=True,
            text=terms.text,
            text_version=terms.text_version,
            document_sha256=document_sha256,
            document_ref=f"{plan_code}@{data.jurisdiction}",
            source=data.source,
            ip_address=terms.ip_address,
            user_agent=terms.user_agent,
            merchant=merchant,
        )
    if data.marketing_email_consent is not None:
        consent_record(
            customer=customer,
            kind=ConsentKind.MARKETING_EMAIL,
            granted=data.marketing_email_consent,
            text=_("Send me news and offers about my protection plans by e-mail."),
            text_version="marketing-email-1",
            source=data.source,
            ip_address=terms.ip_address,
            user_agent=terms.user_agent,
            merchant=merchant,
        )


# --- Transitions --------------------------------------------------------------------------


def _record(
    contract: Contract,
    name: str,
    from_state: str,
    actor: Actor,
    reason: str = "",
    data: dict | None = None,
) -> ContractEvent:
    event = ContractEvent.of(
        actor,
        contract=contract,
        name=name,
        from_state=from_state,
        to_state=contract.state,
        reason=reason,
        data=data,
    )
    event.save()
    return event


def _locked(contract_id: int) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract_id)


def _refuse(contract: Contract, action: str) -> InvalidTransition:
    return InvalidTransition(
        _("Contract %(number)s is %(state)s and cannot be %(action)s.")
        % {
            "number": contract.number,
            "state": contract.get_state_display().lower(),
            "action": action,
        },
        extra={"state": contract.state},
    )


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
        contract = _locked(contract_id)
        if not can_proceed(contract.activate):
            return None
        before = contract.state
        contract.activate(activated_at=at, **coverage_dates(contract))
        contract.save()
        _record(contract, "activate", before, actor, "Payment received")
        transaction.on_commit(lambda: _after_transition(contract.pk, "contract.activated"))
    return contract


def contract_fail_payment(*, contract_id: int, actor: Actor, reason: str) -> Contract | None:
    with transaction.atomic(savepoint=False):
        contract = _locked(contract_id)
        if not can_proceed(contract.fail_payment):
            return None
        before = contract.state
        contract.fail_payment()
        contract.save()
        _record(contract, "fail_payment", before, actor, reason)
    return contract


def contract_void(*, contract_id: int, actor: Actor, reason: str) -> Contract | None:
    """Void a contract (chargeback, fraud) and flag it for the warranty desk."""
    with transaction.atomic(savepoint=False):
        contract = _locked(contract_id)
        if not can_proceed(contract.void):
            return None
        before = contract.state
        contract.void(at=timezone.now(), flag_reason=reason)
        contract.save()
        _record(contract, "void", before, actor, reason)
        transaction.on_commit(lambda: _after_transition(contract.pk, "contract.voided"))
    return contract


def contract_transfer(*, contract_id: int, actor: Actor, new_owner: dict, reason: str = ""):
    """Give an active contract to a new owner; it stays active and the change is audited."""
    with transaction.atomic():
        contract = _locked(contract_id)
        if not contract.plan_snapshot.get("transferable", True):
            raise ApplicationError(_("This plan cannot be transferred."), code="not_transferable")
        if not can_proceed(contract.transfer):
            raise _refuse(contract, _("transferred"))
        previous = contract.customer
        customer = customer_upsert(jurisdiction=previous.jurisdiction, **new_owner)
        if customer.pk == previous.pk:
            raise ApplicationError(_("The new owner is the current owner."), code="same_owner")
        contract.transfer(new_customer=customer)
        contract.save()
        _record(
            contract,
            "transfer",
            contract.state,
            actor,
            reason,
            {"from_customer": previous.pk, "to_customer": customer.pk},
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
    contract = _locked(contract_id)
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
        if (replaced or contract.limit_remaining == 0) and can_proceed(contract.fulfil):
            before = contract.state
            contract.fulfil(at=timezone.now())
            contract.save()
            reason = "product replaced" if replaced else "limit of liability used up"
            _record(contract, "fulfil", before, actor, reason, data)
        else:
            contract.save()
            _record(contract, "claim_paid", contract.state, actor, "", data)
    return contract


def _after_transition(contract_id: int, event: str) -> None:
    """Follow-up work after a committed transition: e-mail, outbound webhooks, CRM tags."""
    from backend.contracts.tasks import contract_after_transition
    from backend.crm.choices import Trigger
    from backend.crm.events import emit

    contract_after_transition.delay(contract_id, event)
    trigger = {
        "contract.activated": Trigger.PLAN_BOUGHT,
        "contract.cancelled": Trigger.CONTRACT_CANCELLED,
    }.get(event)
    if trigger is not None:
        emit(trigger, contract_id)


# --- Cancellation and refunds -------------------------------------------------------------


def contract_refund_quote(*, contract: Contract, reason: str, on=None):
    """What cancelling ``contract`` today would refund, itemised (nothing is written)."""
    from backend.catalog.models import Category
    from backend.contracts.choices import CancellationReason
    from backend.contracts.refunds import RefundRules, refund_quote

    if contract.coverage_start is None:
        raise _refuse(contract, _("cancelled"))
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


def contract_cancel(*, contract_id: int, actor: Actor, reason: str, note: str = ""):
    """active -> cancelled, with its refund quoted and queued, in one transaction.

    The contract's row lock makes two concurrent cancellations queue: the first cancels
    and creates the refund, the second finds the contract cancelled (409
    ``invalid_transition``). The same lock orders a cancellation against a claim being
    paid (contract_pay_claim): the registered guards refuse to cancel while a claim is
    still to be decided, and a claim cannot be paid once the contract is cancelled, so the
    refund always deducts every claim paid. The refund itself is paid after commit
    (refund_execute).
    """
    from datetime import timedelta

    from backend.payments.models import Refund

    with transaction.atomic():
        contract = _locked(contract_id)
        if not can_proceed(contract.cancel):
            raise _refuse(contract, _("cancelled"))
        for guard in _cancellation_guards:
            guard(contract)
        quote = contract_refund_quote(contract=contract, reason=reason)
        now = timezone.now()
        before = contract.state
        contract.cancel(at=now)
        contract.save()
        payment = contract.order_line.order.payment
        refund = Refund.objects.create(
            contract=contract,
            payment=payment,
            amount=quote.total,
            currency=contract.currency,
            quote=quote.as_dict(contract.customer.locale),
            idempotency_key=f"coverdesk-contract-{contract.pk}-refund",
            requested_at=now,
            due_at=now + timedelta(days=(quote.due_on - quote.cancel_on).days),
            late_penalty_percent_per_month=quote.late_penalty_percent_per_month,
            requested_by=actor.user,
        )
        _record(
            contract,
            "cancel",
            before,
            actor,
            note or reason,
            {"reason": reason, "refund": refund.pk, "refund_total": quote.total},
        )
        transaction.on_commit(lambda: _after_cancel(contract.pk, refund.pk))
    return contract, refund


def _after_cancel(contract_id: int, refund_id: int) -> None:
    from backend.payments.tasks import refund_execute_task

    refund_execute_task.delay(refund_id)
    _after_transition(contract_id, "contract.cancelled")


def contracts_expire_due(*, today=None, batch_size: int = 500) -> int:
    """Expire every active contract whose coverage has ended. Batched and set-based.

    Each batch locks its rows (skipping rows another worker holds), moves them from
    ``active`` to ``expired`` with one UPDATE whose WHERE clause is the transition's
    source state, and writes their audit events in one INSERT. Running it twice expires
    nothing twice.
    """
    today = today or timezone.localdate()
    expired = 0
    while True:
        with transaction.atomic():
            ids = list(
                Contract.objects.select_for_update(skip_locked=True)
                .filter(state=ContractState.ACTIVE, coverage_end__lte=today)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return expired
            now = timezone.now()
            Contract.objects.filter(pk__in=ids, state=ContractState.ACTIVE).update(
                state=ContractState.EXPIRED, ended_at=now, updated_at=now
            )
            ContractEvent.objects.bulk_create(
                ContractEvent.of(
                    Actor.system("expiry task"),
                    contract_id=pk,
                    name="expire",
                    from_state=ContractState.ACTIVE,
                    to_state=ContractState.EXPIRED,
                    reason="Coverage ended",
                )
                for pk in ids
            )
            transaction.on_commit(lambda ids=ids: _after_expiry(ids))
        expired += len(ids)


def _after_expiry(contract_ids: list[int]) -> None:
    for contract_id in contract_ids:
        _after_transition(contract_id, "contract.expired")
