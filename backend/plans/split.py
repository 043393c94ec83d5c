"""How a plan's price is shared: the tax a jurisdiction levies on it (``plans.taxes``),
the merchant's commission, the administrator's fee (Coverdesk as operator) and the
obligor's net premium, which funds the claims.

The shares are data: rates in basis points on the plan, which a merchant's offering may
override. Prices include their tax, which comes off first (``plans.taxes``: rounded half
up); the rates apply to the price before tax. The rounding rule is explicit and one-sided:
the merchant's commission and the administrator's fee are each rounded **down** to the
minor unit, and the obligor's net premium is what remains. So the parts always sum to the
price, none is negative, and the party that carries the risk is never short a cent by
rounding. A contract snapshots
its split at sale (``price_split`` in its plan snapshot), as it snapshots its terms.

A cancellation's refund is shared back the same way (``refund_shares``): the tax pro rata
to the refund (rounded down), then of the rest the merchant returns its commission by the
plan's clawback rules (all of it, pro rata, or none; one rule within the free look and one
after), the administrator its fee pro rata, and the obligor the rest, so the shares always
sum to the refund.
"""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from backend.common.exceptions import ValidationFailed
from backend.plans.choices import Clawback
from backend.plans.taxes import TaxRule, tax_lines, tax_total

BASIS_POINTS = 10_000  # 100.00%


@dataclass(frozen=True)
class SplitRates:
    merchant_commission_bp: int
    administrator_fee_bp: int

    @property
    def total_bp(self) -> int:
        return self.merchant_commission_bp + self.administrator_fee_bp

    def validate(self) -> "SplitRates":
        """Refuse rates that could not leave the obligor a premium: 400 naming the fields."""
        fields = {}
        for name in ("merchant_commission_bp", "administrator_fee_bp"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not value >= 0:
                fields[name] = [_("A whole number of basis points, 0 or more.")]
        if not fields and self.merchant_commission_bp + self.administrator_fee_bp > BASIS_POINTS:
            message = _("The commission and the fee together exceed the price (10000 bp).")
            fields = {"merchant_commission_bp": [message], "administrator_fee_bp": [message]}
        if fields:
            raise ValidationFailed(
                _("The price split does not add up: %(fields)s.")
                % {"fields": ", ".join(sorted(fields))},
                fields=fields,
                code="invalid_price_split",
            )
        return self


@dataclass(frozen=True)
class PriceSplit:
    currency: str
    price: int
    merchant_commission: int
    administrator_fee: int
    net_premium: int
    merchant_commission_bp: int
    administrator_fee_bp: int
    clawback_in_free_look: str = Clawback.FULL
    clawback_after_free_look: str = Clawback.PRO_RATA
    tax: int = 0  # included in the price: the sum of ``taxes``
    taxes: tuple[dict, ...] = ()  # plans.taxes.TaxLine.as_dict(), one per tax

    def as_dict(self) -> dict:
        data = {key: str(value) if key.startswith("clawback") else value
                for key, value in asdict(self).items()}  # fmt: skip
        data["taxes"] = list(self.taxes)
        return data


def _share(price: int, basis_points: int) -> int:
    return price * basis_points // BASIS_POINTS  # rounded down, by the rule above


def split_price(
    price: int,
    currency: str,
    rates: SplitRates,
    clawback: tuple[str, str] | None = None,
    taxes: tuple[TaxRule, ...] = (),
) -> PriceSplit:
    """``price`` (minor units of ``currency``, ``taxes`` included) shared by ``rates``;
    ``clawback``, the plan's rules (within the free look, after it), goes with the split."""
    rates.validate()
    if not isinstance(price, int) or price < 0:
        raise ValidationFailed(_("A price in minor units, 0 or more."), fields={"price": ["min"]})
    lines = tax_lines(price, currency, taxes)
    tax = tax_total(lines)
    before_tax = price - tax
    commission = _share(before_tax, rates.merchant_commission_bp)
    fee = _share(before_tax, rates.administrator_fee_bp)
    return PriceSplit(
        currency=currency,
        price=price,
        merchant_commission=commission,
        administrator_fee=fee,
        net_premium=before_tax - commission - fee,
        tax=tax,
        taxes=tuple(line.as_dict() for line in lines),
        merchant_commission_bp=rates.merchant_commission_bp,
        administrator_fee_bp=rates.administrator_fee_bp,
        **(
            {"clawback_in_free_look": clawback[0], "clawback_after_free_look": clawback[1]}
            if clawback
            else {}
        ),
    )


def rates_for(plan, offering=None) -> SplitRates:
    """The plan's rates, with the merchant's offering's overrides where it has them."""

    def rate(name: str) -> int:
        override = getattr(offering, name, None) if offering is not None else None
        return getattr(plan, name) if override is None else override

    return SplitRates(rate("merchant_commission_bp"), rate("administrator_fee_bp"))


def clawback_of(plan) -> tuple[str, str]:
    return (plan.clawback_in_free_look, plan.clawback_after_free_look)


@dataclass(frozen=True)
class RefundShares:
    merchant_commission: int  # what the merchant gives back of its commission
    administrator_fee: int
    net_premium: int  # the obligor's part: the rest of the refund
    tax: int = 0  # the tax no longer owed on what is refunded

    @property
    def total(self) -> int:
        return self.merchant_commission + self.administrator_fee + self.net_premium + self.tax


def refund_shares(split: dict, *, refund: int, free_look: bool) -> RefundShares:
    """Who gives back what of a ``refund`` of a contract sold with ``split``
    (``PriceSplit.as_dict()``). The tax comes back pro rata (rounded down); of the rest,
    the commission by the clawback rule in force (never more than the refund), the fee pro
    rata (rounded down), the rest from the obligor's premium."""
    price = split["price"]
    if not 0 <= refund <= price:
        raise ValueError(f"a refund of {refund} on a price of {price}")
    sold_tax = split.get("tax", 0)
    tax = sold_tax * refund // price if price else 0
    rest, before_tax = refund - tax, price - sold_tax
    commission, fee = split["merchant_commission"], split["administrator_fee"]
    key = "clawback_in_free_look" if free_look else "clawback_after_free_look"
    rule = split.get(key) or (Clawback.FULL if free_look else Clawback.PRO_RATA)
    if before_tax == 0 or rest == 0 or rule == Clawback.NONE:
        merchant = 0
    elif rule == Clawback.FULL:
        merchant = min(commission, rest)
    else:
        merchant = commission * rest // before_tax
    administrator = min(fee * rest // before_tax if before_tax else 0, rest - merchant)
    return RefundShares(merchant, administrator, rest - merchant - administrator, tax)
