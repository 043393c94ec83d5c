"""Reads of contracts and orders; none writes."""

from django.utils import timezone
from django.utils.translation import gettext as _

from backend.catalog.models import Category
from backend.common.exceptions import NotFound
from backend.common.packs import pack_for
from backend.contracts.choices import CancellationReason
from backend.contracts.models import Contract, Order
from backend.contracts.transitions import CONTRACTS
from backend.legal.refunds import RefundQuote, RefundRules, refund_quote


def order_get(*, merchant, merchant_order_id: str) -> Order:
    try:
        return Order.objects.select_related("customer", "payment").get(
            merchant=merchant, merchant_order_id=merchant_order_id
        )
    except Order.DoesNotExist:
        raise NotFound(f"No order {merchant_order_id!r}.", code="order_not_found") from None


def order_contracts(*, order: Order) -> list[Contract]:
    return list(
        Contract.objects.filter(order_line__order=order)
        .select_related("customer")
        .order_by("order_line__position", "unit_index")
    )


def contract_list(*, merchant=None, customer=None):
    """Contracts visible to a merchant (its own) or a shopper (their own)."""
    qs = Contract.objects.select_related("customer", "plan", "refund")
    if merchant is not None:
        qs = qs.filter(merchant=merchant)
    if customer is not None:
        qs = qs.filter(customer=customer)
    if merchant is None and customer is None:
        raise ValueError("contract_list needs a merchant or a customer to scope by")
    return qs


def contract_get(*, number: str, merchant=None, customer=None) -> Contract:
    """One contract, only if the caller may see it: another's is simply not found."""
    try:
        return (
            contract_list(merchant=merchant, customer=customer)
            .select_related("order_line__order")
            .get(number=number)
        )
    except Contract.DoesNotExist:
        raise NotFound(f"No contract {number!r}.", code="contract_not_found") from None


def contract_refund_quote(
    *, contract: Contract, reason: str, on=None, return_window_days: int | None = None
) -> RefundQuote:
    """What cancelling ``contract`` today would refund, itemised (nothing is written);
    ``return_window_days``: the product went back to the store within its window of that
    many days, which refunds in full."""
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
        return_window_days=return_window_days,
    )
