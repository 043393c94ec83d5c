"""A product returned, refunded or exchanged at the store, flowing through to its plans.

The merchant reports it against an order line and a number of units, with its own return
id (``return_report``). For each unit still covered, newest first:

- **a return** inside the merchant's return window (``Merchant.return_window_days``, from
  the purchase) cancels the plan with a full refund; after the window, the plan is
  cancelled with the ordinary refund of the shopper's jurisdiction, or kept, by the
  merchant's setting (``returns_after_window``). The cancellation is the usual one
  (``checkout.cancellation``): the refund is paid after commit and the shopper is told;
- **an exchange** moves the contract to the replacement product, of the same category
  (409 ``exchange_category_mismatch`` otherwise), keeping its coverage dates; audited.

All units or none: a unit that cannot be cancelled (a claim still to be decided, say) fails
the whole report and nothing is written. A return reported again by the same id answers
the first report's outcome and changes nothing; the same id with another content is 409
``return_conflict``.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.checkout.cancellation import contract_cancel
from backend.checkout.choices import ReturnKind
from backend.checkout.models import ProductReturn
from backend.common.actors import Actor
from backend.common.exceptions import Conflict, NotFound
from backend.contracts.choices import CancellationReason, ContractState
from backend.contracts.models import Contract, Order
from backend.contracts.services import contract_exchange
from backend.merchants.choices import ReturnsAfterWindow


@dataclass(frozen=True)
class ReturnInput:
    return_id: str
    kind: str
    line: int  # the order line's position
    quantity: int
    reported_at: datetime | None = None
    replacement: dict = field(default_factory=dict)

    def sha256(self, merchant_order_id: str) -> str:
        canonical = [merchant_order_id, self.kind, self.line, self.quantity, self.replacement]
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def return_report(
    *, merchant, merchant_order_id: str, data: ReturnInput
) -> tuple[ProductReturn, bool]:
    """Apply a return or an exchange to the plans of the units it concerns, once. Returns
    the report and whether it was new."""
    content = data.sha256(merchant_order_id)
    existing = _existing(merchant, data.return_id, content)
    if existing is not None:
        return existing, False
    order = Order.objects.filter(merchant=merchant, merchant_order_id=merchant_order_id).first()
    if order is None:
        raise NotFound(_("No such order."), code="order_not_found")
    line = order.lines.filter(position=data.line).first()
    if line is None:
        raise NotFound(_("The order has no line %(n)d.") % {"n": data.line}, code="line_not_found")
    reported_at = data.reported_at or timezone.now()
    actor = Actor.merchant(merchant, f"return {data.return_id}")
    try:
        with transaction.atomic():
            report = ProductReturn.objects.create(
                merchant=merchant,
                order=order,
                merchant_return_id=data.return_id,
                kind=data.kind,
                line_position=data.line,
                quantity=data.quantity,
                replacement=data.replacement,
                reported_at=reported_at,
                content_sha256=content,
            )
            covered = list(
                Contract.objects.filter(order_line=line, state=ContractState.ACTIVE).order_by(
                    "-unit_index"
                )[: data.quantity]
            )
            if len(covered) < data.quantity:
                raise Conflict(
                    _("Only %(n)d of the line's units still have an active plan.")
                    % {"n": len(covered)},
                    code="units_not_covered",
                )
            report.outcome = [
                _apply(merchant, contract, data, reported_at, actor) for contract in covered
            ]
            report.save(update_fields=["outcome"])
    except IntegrityError:
        # A concurrent report of the same return id won the race: answer as for a repeat.
        existing = _existing(merchant, data.return_id, content)
        if existing is None:
            raise
        return existing, False
    return report, True


def _existing(merchant, return_id: str, content: str) -> ProductReturn | None:
    existing = ProductReturn.objects.filter(merchant=merchant, merchant_return_id=return_id).first()
    if existing is not None and existing.content_sha256 != content:
        raise Conflict(
            _("Return %(id)s was reported already with other lines; use a new return id.")
            % {"id": return_id},
            code="return_conflict",
        )
    return existing


def _apply(merchant, contract: Contract, data: ReturnInput, reported_at, actor) -> dict:
    """What the return does to one unit's plan."""
    if data.kind == ReturnKind.EXCHANGE:
        contract_exchange(
            contract_id=contract.pk,
            actor=actor,
            product=data.replacement,
            reason=_("Exchanged at the store"),
        )
        return {"contract": contract.number, "outcome": "exchanged"}
    bought_on = timezone.localdate(contract.purchased_at)
    in_window = (timezone.localdate(reported_at) - bought_on).days <= merchant.return_window_days
    if not in_window and merchant.returns_after_window == ReturnsAfterWindow.KEEP:
        return {"contract": contract.number, "outcome": "kept"}
    _cancelled, refund = contract_cancel(
        contract_id=contract.pk,
        actor=actor,
        reason=CancellationReason.PRODUCT_RETURNED,
        note=_("Product returned to the store"),
        return_window_days=merchant.return_window_days if in_window else None,
    )
    return {
        "contract": contract.number,
        "outcome": "cancelled",
        "refund": refund.amount,
        "in_return_window": in_window,
    }
