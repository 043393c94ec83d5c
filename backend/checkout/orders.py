"""Placing an order: the offers checked, the order and one contract per covered unit
written, the shopper's consents recorded and the payment claimed, in one transaction;
then the PaymentIntent created at Stripe, outside it (``order_place``).

This flow spans contracts and payments, so it lives above both.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.common.actors import Actor
from backend.common.exceptions import ApplicationError, Conflict
from backend.common.packs import pack_for
from backend.common.queries import unique_or_none
from backend.contracts.models import Contract, ContractEvent, Order, OrderLine
from backend.contracts.selectors import order_contracts
from backend.customers.choices import (
    E_DELIVERY_TEXT_VERSION,
    ConsentKind,
    ConsentSource,
    e_delivery_disclosure,
)
from backend.customers.services import consent_record, customer_upsert
from backend.payments.choices import PaymentChannel
from backend.payments.services import payment_ensure_intent, payment_prepare
from backend.plans.models import MerchantPlan, Plan, PlanPrice
from backend.plans.offers import OfferClaims, offer_token_verify
from backend.plans.snapshots import plan_snapshot
from backend.plans.split import clawback_of, rates_for, split_price
from backend.plans.taxes import tax_rules
from backend.plans.terms import terms_sha256

_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


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
    # Who takes the payment: Stripe, or the merchant's store (a store connector's order).
    payment_channel: PaymentChannel = PaymentChannel.STRIPE

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


def _new_contract_number(year: int) -> str:
    return f"CD-{year}-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))


def order_upsert(*, merchant, data: OrderInput) -> OrderUpsertResult:
    """Create an order and one contract per covered unit, or return the existing order.

    Idempotent by the merchant's order id: the same order sent again returns the same
    contracts; the same id with different lines is a 409 ``order_conflict``. The payment
    is claimed here and created at Stripe after commit (``order_place``).
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
    taxes = tax_rules(data.jurisdiction)
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
            offerings = {
                o.plan_id: o
                for o in MerchantPlan.objects.filter(
                    merchant=merchant, plan_id__in={v.plan.id for v in verified}
                )
            }
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
                split = split_price(
                    v.claims.plan_price,
                    v.claims.currency,
                    rates_for(v.plan, offerings.get(v.plan.id)),
                    clawback_of(v.plan),
                    taxes,
                )
                # The price's split as sold (plans.split): every unit's, the same.
                snapshot = {**plan_snapshot(v.plan, v.band), "price_split": split.as_dict()}
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
                        net_premium=split.net_premium,
                        tax=split.tax,
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
            payment_prepare(order=order, channel=data.payment_channel)
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


def order_place(*, merchant, data: OrderInput) -> OrderUpsertResult:
    """``order_upsert``, then the order's PaymentIntent (created once, outside the order's
    transaction; Stripe unreachable is a 503 and the order is kept: PUT it again)."""
    result = order_upsert(merchant=merchant, data=data)
    result.order.payment = payment_ensure_intent(payment=result.order.payment)
    return result
